# mypy: disable-error-code="type-arg"
# (ModelAdmin and the auth forms are generic only in django-stubs; subscripting them at runtime
# needs django_stubs_ext.monkeypatch() in settings.)
"""Django admin for categories (a treebeard tree), products, part numbers and visibility rules.

Admin saves bypass the catalog services, so the derived columns the services
maintain (a product's search document, a part number's normalized form) are
recomputed here with the same engine functions.
"""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from meridian.catalog import engine
from meridian.catalog.models import Category, CustomerPartNumber, Product, ProductUnit, VisibilityRule


@admin.register(Category)
class CategoryAdmin(TreeAdmin):  # type: ignore[misc]  # treebeard is untyped
    form = movenodeform_factory(Category)
    list_display = ("name", "slug", "organization", "is_active")
    list_filter = ("organization", "is_active")
    search_fields = ("name", "slug", "external_id")
    prepopulated_fields = {"slug": ("name",)}


class ProductUnitInline(admin.TabularInline):
    model = ProductUnit
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "status", "base_uom", "organization", "updated_at")
    list_filter = ("organization", "status")
    search_fields = ("sku", "name", "external_id")
    list_select_related = ("category", "organization")
    raw_id_fields = ("category",)
    inlines = (ProductUnitInline,)

    def save_model(self, request: HttpRequest, obj: Product, form: ModelForm, change: bool) -> None:
        obj.search_document = engine.search_document(
            sku=obj.sku,
            name=obj.name,
            description=obj.description,
            attributes=obj.attributes if isinstance(obj.attributes, dict) else {},
        )
        super().save_model(request, obj, form, change)


@admin.register(CustomerPartNumber)
class CustomerPartNumberAdmin(admin.ModelAdmin):
    list_display = ("part_number", "account", "product", "organization")
    search_fields = ("part_number", "normalized", "account__name", "product__sku")
    list_select_related = ("account", "product", "organization")
    raw_id_fields = ("account", "product")

    def save_model(
        self, request: HttpRequest, obj: CustomerPartNumber, form: ModelForm, change: bool
    ) -> None:
        obj.normalized = engine.normalize_part_number(obj.part_number)
        super().save_model(request, obj, form, change)


@admin.register(VisibilityRule)
class VisibilityRuleAdmin(admin.ModelAdmin):
    list_display = ("effect", "category", "product", "website", "branch", "customer_group", "account", "note")
    list_filter = ("organization", "effect")
    list_select_related = ("category", "product", "website", "branch", "customer_group", "account")
    raw_id_fields = ("category", "product", "account")
