from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from meridian import cli
from meridian.core.actor import StaffRole
from meridian.core.models import User
from meridian.demo import reference
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization
from tests.tenancy.factories import OrganizationFactory


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replacing the process is the outside world here: record the command instead."""
    calls: list[list[str]] = []

    def record(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr(cli, "_exec", record)
    return calls


def test_seed_help_through_the_installed_script() -> None:
    script = Path(sys.executable).with_name("meridian")
    env = {**os.environ, "MERIDIAN_TESTING": "1"}

    result = subprocess.run([script, "seed", "--help"], capture_output=True, text=True, env=env, check=False)

    assert result.returncode == 0, result.stderr
    assert "--profile {tiny,small,medium,large}" in result.stdout


def test_no_arguments_print_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0

    assert "meridian demo" in capsys.readouterr().out


def test_serve_runs_gunicorn_on_host_port_and_workers_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, executed: list[list[str]]
) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")

    assert cli.main(["serve", "--timeout", "60"]) == 0

    [argv] = executed
    assert argv[1:4] == ["-m", "gunicorn", "meridian.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9001"
    assert argv[argv.index("--workers") + 1] == "5"
    assert argv[-2:] == ["--timeout", "60"]


def test_worker_needs_a_broker(
    monkeypatch: pytest.MonkeyPatch, executed: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)

    assert cli.main(["worker"]) == 1

    assert executed == []
    assert "CELERY_BROKER_URL" in capsys.readouterr().err


def test_worker_runs_celery_with_the_meridian_app(
    monkeypatch: pytest.MonkeyPatch, executed: list[list[str]]
) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

    assert cli.main(["worker", "--concurrency", "2"]) == 0

    assert executed == [
        [sys.executable, "-m", "celery", "-A", "meridian.celery", "worker", "--concurrency", "2"]
    ]


@pytest.mark.django_db
def test_createstaff_creates_a_staff_member() -> None:
    organization: Organization = OrganizationFactory(slug="acme-supply")

    code = cli.main(
        [
            "createstaff",
            "--email", "Jo.Rep@Acme.test",
            "--name", "Jo Rep",
            "--role", "sales_rep",
            "--organization", "acme-supply",
            "--password", "a-long-enough-password",
        ]
    )  # fmt: skip

    assert code == 0
    member = StaffMember.objects.get(user__email="jo.rep@acme.test")
    assert member.organization == organization
    assert member.role == StaffRole.SALES_REP
    assert member.user.check_password("a-long-enough-password")
    assert not member.user.is_staff


@pytest.mark.django_db
def test_createstaff_refuses_an_unknown_organization_and_a_weak_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    OrganizationFactory(slug="acme-supply")
    base = ["createstaff", "--email", "a@acme.test", "--name", "A", "--role", "admin"]

    assert cli.main([*base, "--organization", "nope", "--password", "a-long-enough-password"]) == 1
    assert cli.main([*base, "--organization", "acme-supply", "--password", "short"]) == 1

    assert "nope" in capsys.readouterr().err
    assert not User.objects.filter(email="a@acme.test").exists()


@pytest.mark.django_db
def test_demo_seeds_once_prints_the_logins_and_serves(
    monkeypatch: pytest.MonkeyPatch,
    executed: list[list[str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("MERIDIAN_DEMO", "0")  # restored after the test; demo sets it
    monkeypatch.setenv("PORT", "8123")

    with override_settings(STATIC_ROOT=tmp_path / "static"):
        assert cli.main(["demo"]) == 0
        first = capsys.readouterr().out
        assert cli.main(["demo"]) == 0
        second = capsys.readouterr().out

    assert Organization.objects.count() == 1
    assert "Seeding the demo distributor" in first
    assert "reusing it" in second
    for login in reference.DEMO_LOGINS:
        assert login.email in first
    assert reference.DEMO_PASSWORD in first
    assert "http://127.0.0.1:8123/console/" in first
    assert executed[0][executed[0].index("--bind") + 1] == "127.0.0.1:8123"
    assert (tmp_path / "static").is_dir()
