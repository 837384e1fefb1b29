from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "meridian.console"
    label = "console"
    verbose_name = "Console"
