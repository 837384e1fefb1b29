from django.db import migrations, models

from meridian.core.migration_ops import PostgresOnlySQL

# The statuses of ordering.engine.OPEN_STATUSES, frozen here: an order in one of them, paid on
# terms, counts against its account's credit limit. Changing OPEN_STATUSES needs a migration that
# replaces the function (tests/ordering/test_exposure.py fails until then).
OPEN = "'pending_approval', 'placed', 'partially_allocated', 'backordered', 'partially_shipped', 'shipped', 'delivered'"

FUNCTION = f"""
CREATE FUNCTION ordering_order_exposure() RETURNS trigger AS $$
DECLARE
    was_open boolean := TG_OP <> 'INSERT' AND OLD.payment_method = 'terms' AND OLD.status IN ({OPEN});
    is_open boolean := TG_OP <> 'DELETE' AND NEW.payment_method = 'terms' AND NEW.status IN ({OPEN});
BEGIN
    IF was_open AND is_open AND OLD.account_id = NEW.account_id AND OLD.currency = NEW.currency THEN
        IF OLD.total <> NEW.total THEN
            UPDATE ordering_accountexposure SET open_total = open_total + (NEW.total - OLD.total)
            WHERE account_id = NEW.account_id AND currency = NEW.currency;
        END IF;
        RETURN NULL;
    END IF;
    IF was_open THEN
        UPDATE ordering_accountexposure SET open_total = open_total - OLD.total
        WHERE account_id = OLD.account_id AND currency = OLD.currency;
    END IF;
    IF is_open THEN
        INSERT INTO ordering_accountexposure (account_id, currency, open_total)
        VALUES (NEW.account_id, NEW.currency, NEW.total)
        ON CONFLICT (account_id, currency)
        DO UPDATE SET open_total = ordering_accountexposure.open_total + EXCLUDED.open_total;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

FORWARD = [
    FUNCTION,
    "CREATE TRIGGER ordering_order_exposure AFTER INSERT OR UPDATE OR DELETE ON ordering_order"
    " FOR EACH ROW EXECUTE FUNCTION ordering_order_exposure()",
    # The orders already there.
    "INSERT INTO ordering_accountexposure (account_id, currency, open_total)"
    " SELECT account_id, currency, SUM(total) FROM ordering_order"
    f" WHERE payment_method = 'terms' AND status IN ({OPEN}) GROUP BY account_id, currency",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS ordering_order_exposure ON ordering_order",
    "DROP FUNCTION IF EXISTS ordering_order_exposure()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("ordering", "0002_ordering_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountExposure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(max_length=3)),
                ("open_total", models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="+", to="customers.account"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "currency"), name="ordering_exposure_account_currency"
                    )
                ],
            },
        ),
        PostgresOnlySQL(FORWARD, BACKWARD),
    ]
