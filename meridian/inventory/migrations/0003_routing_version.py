from django.db import migrations, models

from meridian.core.migration_ops import stamp_triggers

# The tables whose rows decide routing (queries.routing): a write to any of them gives the
# stamp a new value. PostgreSQL takes it from a sequence, SQLite from random(): either way a
# value never seen before, so a cache filled inside a transaction that later rolls back can
# never match a later stamp.
ROUTING_TABLES = ("inventory_warehouse", "inventory_warehouseassignment", "inventory_websiteinventorysettings")


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
        stamp_triggers(
            stamp_table="inventory_routingversion",
            function="inventory_bump_routing_version",
            suffix="routing_version",
            tables=ROUTING_TABLES,
            first_row=False,
        ),
    ]
