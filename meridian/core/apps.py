from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "meridian.core"
    label = "core"
    verbose_name = "Core"
