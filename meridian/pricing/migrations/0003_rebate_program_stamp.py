from typing import Any

from django.db import migrations

# Rebate programs join the pricing stamp's tables (0002): accrual reads the scopes of the
# organization's active programs from the process's cache under the stamp (queries.rebate_scopes),
# so a write of a program must give the stamp a new value in the writer's transaction. Rebate
# accruals, written per order, carry no trigger. The function is 0002's.
TABLE = "pricing_rebateprogram"
EVENTS = ("INSERT", "UPDATE", "DELETE")


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_pricing_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}"
            " FOR EACH STATEMENT EXECUTE FUNCTION pricing_bump_pricing_version()"
        )
    elif vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_pricing_version_{event.lower()} AFTER {event} ON {TABLE} BEGIN"
                " INSERT OR REPLACE INTO pricing_pricingversion (id, version) VALUES (1, random()); END"
            )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_pricing_version ON {TABLE}")
    elif vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_pricing_version_{event.lower()}")


class Migration(migrations.Migration):
    dependencies = [("pricing", "0002_pricing_version")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
