from __future__ import annotations

from django.conf import settings
from django.db import models

from meridian.core.actor import StaffRole
from meridian.tenancy.models import Organization


class StaffMember(models.Model):
    """A seller-side user. A sales rep sees only the accounts assigned to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Territory(models.Model):
    """A set of accounts (those pointing here) worked by a set of reps."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="territories")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    reps = models.ManyToManyField(StaffMember, blank=True, related_name="territories")

    class Meta:
        verbose_name_plural = "territories"
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="territory_code_unique")]

    def __str__(self) -> str:
        return self.name
