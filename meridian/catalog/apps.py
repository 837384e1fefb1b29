from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "meridian.catalog"
    label = "catalog"
    verbose_name = "Catalog"
