from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "meridian.api"
    label = "api"
    verbose_name = "Api"
