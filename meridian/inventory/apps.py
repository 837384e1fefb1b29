from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "meridian.inventory"
    label = "inventory"
    verbose_name = "Inventory"
