from django.db import migrations

from meridian.core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        PostgresOnlySQL(
            # Subtree queries are `path LIKE 'prefix%'`: they need pattern ops under a non-C collation.
            sql="CREATE INDEX customers_account_path_pattern ON customers_account (path varchar_pattern_ops)",
            reverse_sql="DROP INDEX IF EXISTS customers_account_path_pattern",
        ),
    ]
