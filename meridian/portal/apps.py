from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "meridian.portal"
    label = "portal"
    verbose_name = "Portal"
