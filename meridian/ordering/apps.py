from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "meridian.ordering"
    label = "ordering"
    verbose_name = "Ordering"
