from django.db import migrations

from meridian.core.migration_ops import stamp_triggers

# Rebate programs join the pricing stamp's tables (0002): accrual reads the scopes of the
# organization's active programs from the process's cache under the stamp (queries.rebate_scopes),
# so a write of a program must give the stamp a new value in the writer's transaction. Rebate
# accruals, written per order, carry no trigger. The function is 0002's.


class Migration(migrations.Migration):
    dependencies = [("pricing", "0002_pricing_version")]

    operations = [
        stamp_triggers(
            stamp_table="pricing_pricingversion",
            function="pricing_bump_pricing_version",
            suffix="pricing_version",
            tables=("pricing_rebateprogram",),
            create_stamp=False,
        )
    ]
