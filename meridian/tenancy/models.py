from __future__ import annotations

from django.db import models
from django.db.models import Q

from meridian.core.money import CURRENCY_CHOICES


class Organization(models.Model):
    """A seller company. Everything else belongs to exactly one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Website(models.Model):
    """A storefront: its own domain, currency, languages and business-hours timezone."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="websites")
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    domain = models.CharField(max_length=253, blank=True, help_text="Host name that selects this website.")
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    languages = models.CharField(max_length=100, default="en", help_text="Comma-separated language codes.")
    timezone = models.CharField(max_length=64, default="UTC")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="website_slug_unique"),
            models.UniqueConstraint(fields=["domain"], condition=~Q(domain=""), name="website_domain_unique"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True), name="website_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class Branch(models.Model):
    """A sales branch or region of the seller."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="branches")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=100, blank=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "branches"
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="branch_code_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"], condition=~Q(external_id=""), name="branch_ext_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name
