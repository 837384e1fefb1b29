from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "meridian.customers"
    label = "customers"
    verbose_name = "Customers"
