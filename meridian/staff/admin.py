# mypy: disable-error-code="type-arg"
# (ModelAdmin and the auth forms are generic only in django-stubs; subscripting them at runtime
# needs django_stubs_ext.monkeypatch() in settings.)
"""Django admin for seller staff and territories."""

from __future__ import annotations

from django.contrib import admin

from meridian.core.admin import AuditedAdmin
from meridian.staff.models import StaffMember, Territory


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedAdmin):
    audited_fields = ("user", "role", "organization", "manager")
    list_display = ("user", "role", "organization", "manager", "phone")
    list_filter = ("organization", "role")
    search_fields = ("user__email", "user__full_name")
    list_select_related = ("user", "organization", "manager__user")
    raw_id_fields = ("user", "manager")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organization")
    list_filter = ("organization",)
    search_fields = ("code", "name")
    filter_horizontal = ("reps",)
    list_select_related = ("organization",)
