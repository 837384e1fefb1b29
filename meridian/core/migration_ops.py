"""Migration operations: SQL that applies only on PostgreSQL (indexes SQLite has no use for), and
the triggers that keep a cache stamp new."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def stamp_trigger_sql(
    *, stamp_table: str, function: str, suffix: str, tables: Sequence[str], create_stamp: bool
) -> dict[str, list[str]]:
    """The statements that give the one-row `stamp_table` (id 1, `version`) a new value on every
    write to `tables`, in the writer's transaction: statement triggers taking the value from a
    sequence on PostgreSQL, from random() on SQLite. A value is never seen twice, so a process
    cache keyed by the stamp misses after any write, and what a transaction that later rolls back
    cached under its own stamp is never served. `create_stamp` also creates the sequence, the
    function and the first row; without it, the triggers call an existing `function`. Keys:
    postgresql/sqlite x forward/backward. Frozen: applied migrations call it, so its output for the
    same arguments must never change."""
    sequence = f"{stamp_table}_seq"
    postgres_forward = [
        f"CREATE TRIGGER {table}_{suffix} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for table in tables
    ]
    postgres_backward = [f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}" for table in tables]
    sqlite_forward = [
        f"CREATE TRIGGER {table}_{suffix}_{event.lower()} AFTER {event} ON {table} BEGIN"
        f" INSERT OR REPLACE INTO {stamp_table} (id, version) VALUES (1, random()); END"
        for table in tables
        for event in SQLITE_EVENTS
    ]
    sqlite_backward = [
        f"DROP TRIGGER IF EXISTS {table}_{suffix}_{event.lower()}"
        for table in tables
        for event in SQLITE_EVENTS
    ]
    if create_stamp:
        postgres_forward = [
            f"CREATE SEQUENCE {sequence}",
            f"""
    CREATE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        INSERT INTO {stamp_table} (id, version)
        VALUES (1, nextval('{sequence}'))
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
            *postgres_forward,
        ]
        postgres_backward += [f"DROP FUNCTION IF EXISTS {function}()", f"DROP SEQUENCE IF EXISTS {sequence}"]
    return {
        "postgresql_forward": postgres_forward,
        "postgresql_backward": postgres_backward,
        "sqlite_forward": sqlite_forward,
        "sqlite_backward": sqlite_backward,
    }


def stamp_triggers(
    *,
    stamp_table: str,
    function: str,
    suffix: str,
    tables: Sequence[str],
    create_stamp: bool = True,
    first_row: bool = True,
) -> migrations.RunPython:
    """A RunPython that creates (and, reversed, drops) `stamp_trigger_sql`'s statements for the
    connection's vendor; `first_row` also writes the stamp's first value (with `create_stamp`)."""
    statements = stamp_trigger_sql(
        stamp_table=stamp_table, function=function, suffix=suffix, tables=tables, create_stamp=create_stamp
    )
    if create_stamp and first_row:
        statements["postgresql_forward"].append(
            f"INSERT INTO {stamp_table} (id, version) VALUES (1, nextval('{stamp_table}_seq'))"
        )
        statements["sqlite_forward"].append(f"INSERT INTO {stamp_table} (id, version) VALUES (1, random())")

    def run(schema_editor: Any, direction: str) -> None:
        for statement in statements.get(f"{schema_editor.connection.vendor}_{direction}", []):
            schema_editor.execute(statement)

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, "forward"),
        lambda apps, schema_editor: run(schema_editor, "backward"),
    )
