# mypy: disable-error-code="type-arg"
# (ModelAdmin and the auth forms are generic only in django-stubs; subscripting them at runtime
# needs django_stubs_ext.monkeypatch() in settings.)
"""Django admin for organizations, websites and branches."""

from __future__ import annotations

from django.contrib import admin

from meridian.tenancy.models import Branch, Organization, Website


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_currency", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "domain", "default_currency", "timezone", "is_default")
    list_filter = ("organization", "is_default")
    search_fields = ("name", "domain")
    list_select_related = ("organization",)


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "organization", "external_id")
    list_filter = ("organization",)
    search_fields = ("code", "name", "external_id")
    list_select_related = ("organization",)
