from typing import Any

from django.db import migrations, models

# The tables whose rows decide the cached part of the price chain (queries.chain): a write to any
# of them gives the stamp a new value. PostgreSQL takes it from a sequence, SQLite from random():
# either way a value never seen before, so a cache filled inside a transaction that later rolls
# back can never match a later stamp. Entries, customer prices and coupons are read live and the
# tables written per order (coupon usage and redemptions, rebate accruals) carry no trigger: a
# trigger there would serialize order placement on the stamp row.
CHAIN_TABLES = (
    "pricing_websitepricingsettings",
    "pricing_accountpricingsettings",
    "pricing_pricelist",
    "pricing_priceassignment",
    "pricing_contract",
    "pricing_pricerule",
    "pricing_promotion",
    "catalog_category",
)

POSTGRES_FORWARD = [
    "CREATE SEQUENCE pricing_pricingversion_seq",
    """
    CREATE FUNCTION pricing_bump_pricing_version() RETURNS trigger AS $$
    BEGIN
        INSERT INTO pricing_pricingversion (id, version)
        VALUES (1, nextval('pricing_pricingversion_seq'))
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_pricing_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION pricing_bump_pricing_version()"
        for table in CHAIN_TABLES
    ),
    "INSERT INTO pricing_pricingversion (id, version) VALUES (1, nextval('pricing_pricingversion_seq'))",
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_pricing_version ON {table}" for table in CHAIN_TABLES),
    "DROP FUNCTION IF EXISTS pricing_bump_pricing_version()",
    "DROP SEQUENCE IF EXISTS pricing_pricingversion_seq",
]
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_pricing_version_{event.lower()} AFTER {event} ON {table} BEGIN"
        " INSERT OR REPLACE INTO pricing_pricingversion (id, version) VALUES (1, random()); END"
        for table in CHAIN_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    "INSERT INTO pricing_pricingversion (id, version) VALUES (1, random())",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_pricing_version_{event.lower()}"
    for table in CHAIN_TABLES
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
    dependencies = [("pricing", "0001_initial"), ("catalog", "0005_product_sku_upper_index")]

    operations = [
        migrations.CreateModel(
            name="PricingVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
