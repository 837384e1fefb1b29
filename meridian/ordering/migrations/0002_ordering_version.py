from django.db import migrations, models

from meridian.core.migration_ops import stamp_triggers

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
        stamp_triggers(
            stamp_table="ordering_orderingversion",
            function="ordering_bump_ordering_version",
            suffix="ordering_version",
            tables=SETUP_TABLES,
        ),
    ]
