"""`meridian`: the command-line entry point.

meridian demo                 migrate, seed the small demo once, collect static files, print the
                              demo logins, then serve on http://127.0.0.1:$PORT (default 8000)
meridian serve [ARGS]         gunicorn on $HOST:$PORT with $WEB_CONCURRENCY workers (extra ARGS to gunicorn)
meridian worker [ARGS]        a Celery worker (needs CELERY_BROKER_URL; without it tasks run inline)
meridian createstaff --email E --name N --role R --organization SLUG [--password P] [--admin]
meridian seed --profile small|medium|large [--seed N] [--reset]
meridian bench catalog|pricing|inventory [--profile medium] [--iterations 300]
meridian inventory reconcile  compare stock levels with the ledger; exit 1 on drift
meridian inventory purge-keys delete Idempotency-Key records older than 24 hours (cron; beat runs it hourly)
meridian COMMAND ...          any other Django management command (migrate, shell, ...)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

SETTINGS_MODULE = "meridian.settings"
DEFAULT_PORT = "8000"
DEFAULT_WORKERS = "2"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    command, rest = (args[0], args[1:]) if args else ("--help", [])
    if command in {"-h", "--help"}:
        print(__doc__)
        print("Django's own commands: meridian help")
        return 0
    handlers = {
        "demo": demo,
        "serve": serve,
        "worker": worker,
        "createstaff": createstaff,
        "inventory": inventory,
    }
    if command in handlers:
        return handlers[command](rest)
    return manage(args)


INVENTORY_COMMANDS = {"reconcile": "inventory_reconcile", "purge-keys": "purge_idempotency_keys"}


def inventory(args: Sequence[str]) -> int:
    """`meridian inventory reconcile|purge-keys [...]`: the inventory app's commands."""
    if not args or args[0] not in INVENTORY_COMMANDS:
        print(
            "usage: meridian inventory reconcile [--organization SLUG] | purge-keys [--quiet]",
            file=sys.stderr,
        )
        return 2
    return manage([INVENTORY_COMMANDS[args[0]], *args[1:]])


def manage(args: Sequence[str]) -> int:
    """Run a Django management command, like `python manage.py ARGS`."""
    from django.core.management import execute_from_command_line

    if not _settings_load():
        return 1
    execute_from_command_line(["meridian", *args])
    return 0


def _settings_load() -> bool:
    """Load the settings, or explain what is missing (no SECRET_KEY outside the demo) without a traceback."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018  # the first access imports the settings module
    except RuntimeError as exc:
        print(f"meridian: {exc}", file=sys.stderr)
        return False
    return True


def _setup() -> bool:
    import django

    if not _settings_load():
        return False
    django.setup()
    return True


def _exec(argv: list[str]) -> int:
    """Replace this process (so Ctrl-C and signals reach the server directly)."""
    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return 0  # not reached; execv is replaced by a fake in tests


def _gunicorn(bind: str, workers: str, extra: Sequence[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "meridian.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--access-logfile",
        "-",
        *extra,
    ]


def demo(args: Sequence[str]) -> int:
    """Set up and serve the demo: everything a first-time visitor needs, in one command."""
    parser = argparse.ArgumentParser(prog="meridian demo", description=demo.__doc__)
    parser.parse_args(args)
    # Settings read this at import: a generated secret under var/ and localhost allowed.
    os.environ["MERIDIAN_DEMO"] = "1"
    if not _setup():
        return 1
    from django.conf import settings
    from django.core.management import call_command

    from meridian.demo.seed import seed_demo
    from meridian.tenancy.models import Organization

    database = settings.DATABASES["default"]
    where = (
        database["NAME"]
        if database["ENGINE"].endswith("sqlite3")
        else f"{database['HOST']}/{database['NAME']}"
    )
    print(f"Migrating the database ({where})...")
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists():
        print(
            "The database already has data: reusing it (`meridian seed --profile small --reset` starts over)."
        )
    else:
        print("Seeding the demo distributor (profile small)...")
        report = seed_demo(profile="small")
        print(f"Seeded {report.counts['products']} products and {report.counts['accounts']} accounts.")
    call_command("collectstatic", interactive=False, verbosity=0)
    port = os.environ.get("PORT", DEFAULT_PORT)
    _print_logins(port)
    return _exec(_gunicorn(f"127.0.0.1:{port}", DEFAULT_WORKERS, []))


def _print_logins(port: str) -> None:
    from meridian.core.models import User
    from meridian.demo import reference

    base = f"http://127.0.0.1:{port}"
    print()
    print(f"  Portal (buyers)    {base}/")
    print(f"  Console (staff)    {base}/console/")
    print(f"  Django admin       {base}/admin/")
    print()
    present = set(
        User.objects.filter(email__in=[login.email for login in reference.DEMO_LOGINS]).values_list(
            "email", flat=True
        )
    )
    if not present:
        print("  No demo logins in this database (it was not seeded by Meridian's demo).")
    else:
        print(f"  Demo logins, password: {reference.DEMO_PASSWORD}")
        for login in reference.DEMO_LOGINS:
            if login.email in present:
                print(f"    {login.label:<18} {login.email:<32} {login.full_name}, {login.job_title}")
    print()
    print("  Ctrl-C stops the server.")
    print()


def serve(args: Sequence[str]) -> int:
    """Serve with gunicorn; HOST, PORT and WEB_CONCURRENCY come from the environment."""
    if not _setup():  # fail fast on bad settings (e.g. no SECRET_KEY), not in every worker
        return 1
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", DEFAULT_PORT)
    workers = os.environ.get("WEB_CONCURRENCY", DEFAULT_WORKERS)
    return _exec(_gunicorn(f"{host}:{port}", workers, args))


def worker(args: Sequence[str]) -> int:
    """Run a Celery worker for the configured broker."""
    if not os.environ.get("CELERY_BROKER_URL"):
        print(
            "meridian worker: CELERY_BROKER_URL is not set, so tasks run inline in the web process "
            "and no worker is needed. Set it (e.g. redis://127.0.0.1:6379/0) to run tasks in workers.",
            file=sys.stderr,
        )
        return 1
    return _exec([sys.executable, "-m", "celery", "-A", "meridian.celery", "worker", *args])


def createstaff(args: Sequence[str]) -> int:
    """Create a seller-side user (sales rep, manager, inside sales, warehouse, finance, admin)."""
    from meridian.core.actor import StaffRole

    parser = argparse.ArgumentParser(prog="meridian createstaff", description=createstaff.__doc__)
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True, help="full name")
    parser.add_argument("--role", required=True, choices=StaffRole.values)
    parser.add_argument(
        "--organization", required=True, metavar="SLUG", help="the seller organization's slug"
    )
    parser.add_argument(
        "--password", help="asked for when omitted (better: it stays out of the shell history)"
    )
    parser.add_argument("--admin", action="store_true", help="may also open the Django admin")
    options = parser.parse_args(args)
    if not _setup():
        return 1
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from meridian.core.errors import DomainError
    from meridian.staff.services import create_staff_member
    from meridian.tenancy.models import Organization

    organization = Organization.objects.filter(slug=options.organization).first()
    if organization is None:
        print(f"meridian createstaff: no organization with slug {options.organization!r}", file=sys.stderr)
        return 1
    password = options.password
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            print("meridian createstaff: the passwords differ", file=sys.stderr)
            return 1
    try:
        validate_password(password)
    except ValidationError as exc:
        print("meridian createstaff: " + " ".join(exc.messages), file=sys.stderr)
        return 1
    try:
        member = create_staff_member(
            organization=organization,
            email=options.email,
            full_name=options.name,
            role=options.role,
            password=password,
            can_use_admin=options.admin,
        )
    except DomainError as exc:
        print(f"meridian createstaff: {exc}", file=sys.stderr)
        return 1
    print(f"Created {member.get_role_display()} {member.user.email} in {organization.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
