from django.db import migrations

from meridian.core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [
        PostgresOnlySQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX catalog_product_search_trgm ON catalog_product"
                " USING gin (search_document gin_trgm_ops)",
                "CREATE INDEX catalog_product_search_fts ON catalog_product"
                " USING gin (to_tsvector('english'::regconfig, search_document))",
                # Subtree queries are `path LIKE 'prefix%'`: they need pattern ops under a non-C collation.
                "CREATE INDEX catalog_category_path_pattern ON catalog_category (path varchar_pattern_ops)",
                "CREATE INDEX catalog_product_org_category ON catalog_product (organization_id, category_id)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS catalog_product_org_category",
                "DROP INDEX IF EXISTS catalog_category_path_pattern",
                "DROP INDEX IF EXISTS catalog_product_search_fts",
                "DROP INDEX IF EXISTS catalog_product_search_trgm",
            ],
        ),
    ]
