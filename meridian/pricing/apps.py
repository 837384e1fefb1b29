from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "meridian.pricing"
    label = "pricing"
    verbose_name = "Pricing"
