from typing import Any

from django.db import migrations, models

# The tables whose rows decide routing (queries.routing): a write to any of them gives the
# stamp a new value. PostgreSQL takes it from a sequence, SQLite from random(): either way a
# value never seen before, so a cache filled inside a transaction that later rolls back can
# never match a later stamp.
ROUTING_TABLES = ("inventory_warehouse", "inventory_warehouseassignment", "inventory_websiteinventorysettings")

POSTGRES_FORWARD = [
    "CREATE SEQUENCE inventory_routingversion_seq",
    """
    CREATE FUNCTION inventory_bump_routing_version() RETURNS trigger AS $$
    BEGIN
        INSERT INTO inventory_routingversion (id, version)
        VALUES (1, nextval('inventory_routingversion_seq'))
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_routing_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION inventory_bump_routing_version()"
        for table in ROUTING_TABLES
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_routing_version ON {table}" for table in ROUTING_TABLES),
    "DROP FUNCTION IF EXISTS inventory_bump_routing_version()",
    "DROP SEQUENCE IF EXISTS inventory_routingversion_seq",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_routing_version_{event.lower()} AFTER {event} ON {table} BEGIN"
    " INSERT OR REPLACE INTO inventory_routingversion (id, version) VALUES (1, random()); END"
    for table in ROUTING_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_routing_version_{event.lower()}"
    for table in ROUTING_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_FORWARD if vendor == "postgresql" else SQLITE_FORWARD if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_append_only_ledger")]

    operations = [
        migrations.CreateModel(
            name="RoutingVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
