from typing import Any

from django.db import migrations, models

# The checkout setup ordering caches per process (queries.shipping_rates, providers.TableTaxProvider):
# a write to any of these tables gives the stamp a new value in the writer's transaction. PostgreSQL
# takes it from a sequence, SQLite from random(): a value never seen before, so what a transaction
# that later rolls back cached under its own stamp can never be served. Tables written per order
# (orders, lines, history, carts) carry no trigger: it would serialize placement on the stamp row.
SETUP_TABLES = (
    "ordering_shippingmethod",
    "ordering_shippingrateband",
    "ordering_taxrule",
)

POSTGRES_FORWARD = [
    "CREATE SEQUENCE ordering_orderingversion_seq",
    """
    CREATE FUNCTION ordering_bump_ordering_version() RETURNS trigger AS $$
    BEGIN
        INSERT INTO ordering_orderingversion (id, version)
        VALUES (1, nextval('ordering_orderingversion_seq'))
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_ordering_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION ordering_bump_ordering_version()"
        for table in SETUP_TABLES
    ),
    "INSERT INTO ordering_orderingversion (id, version) VALUES (1, nextval('ordering_orderingversion_seq'))",
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_ordering_version ON {table}" for table in SETUP_TABLES),
    "DROP FUNCTION IF EXISTS ordering_bump_ordering_version()",
    "DROP SEQUENCE IF EXISTS ordering_orderingversion_seq",
]
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_ordering_version_{event.lower()} AFTER {event} ON {table} BEGIN"
        " INSERT OR REPLACE INTO ordering_orderingversion (id, version) VALUES (1, random()); END"
        for table in SETUP_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    "INSERT INTO ordering_orderingversion (id, version) VALUES (1, random())",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_ordering_version_{event.lower()}"
    for table in SETUP_TABLES
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
    dependencies = [("ordering", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="OrderingVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
