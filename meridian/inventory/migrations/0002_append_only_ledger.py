from django.db import migrations

from meridian.core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [
        # The ledger is append-only: an UPDATE is refused by the database itself. Deleting stays
        # possible so an organization can be removed as a whole.
        PostgresOnlySQL(
            sql=[
                """
                CREATE FUNCTION inventory_stockmovement_append_only() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION 'stock movements are append-only' USING ERRCODE = 'restrict_violation';
                END
                $$ LANGUAGE plpgsql
                """,
                "CREATE TRIGGER inventory_stockmovement_no_update BEFORE UPDATE ON inventory_stockmovement"
                " FOR EACH ROW EXECUTE FUNCTION inventory_stockmovement_append_only()",
            ],
            reverse_sql=[
                "DROP TRIGGER IF EXISTS inventory_stockmovement_no_update ON inventory_stockmovement",
                "DROP FUNCTION IF EXISTS inventory_stockmovement_append_only()",
            ],
        ),
    ]
