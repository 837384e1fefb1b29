from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "meridian.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
