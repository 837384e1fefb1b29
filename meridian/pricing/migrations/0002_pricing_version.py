from django.db import migrations, models

from meridian.core.migration_ops import stamp_triggers

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
        stamp_triggers(
            stamp_table="pricing_pricingversion",
            function="pricing_bump_pricing_version",
            suffix="pricing_version",
            tables=CHAIN_TABLES,
        ),
    ]
