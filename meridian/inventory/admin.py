# mypy: disable-error-code="type-arg"
# (ModelAdmin is generic only in django-stubs; subscripting it at runtime needs django_stubs_ext.)
"""Django admin for inventory.

Stock levels and the ledger are read-only here: stock changes only through the services
(receipts, adjustments, counts, transfers), so the ledger and the levels never disagree.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from meridian.inventory.models import (
    AccountBackorderPolicy,
    IncomingStock,
    ProductBackorderPolicy,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
    SupplierPurchaseOrder,
    SupplierPurchaseOrderLine,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WarehouseAssignmentInline(admin.TabularInline):
    model = WarehouseAssignment
    extra = 0


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "supplier",
        "timezone",
        "cutoff_time",
        "is_active",
        "organization",
    )
    list_filter = ("organization", "kind", "is_active")
    search_fields = ("code", "name", "external_id")
    list_select_related = ("supplier", "organization")
    inlines = (WarehouseAssignmentInline,)


class SupplierProductInline(admin.TabularInline):
    model = SupplierProduct
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "email", "is_active", "organization")
    list_filter = ("organization", "is_active")
    search_fields = ("code", "name", "external_id")
    inlines = (SupplierProductInline,)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("product", "warehouse", "on_hand", "allocated", "organization")
    list_filter = ("organization", "warehouse")
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product", "warehouse", "organization")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "product",
        "warehouse",
        "on_hand_delta",
        "allocated_delta",
        "on_hand_after",
        "allocated_after",
        "reference",
        "reason",
    )
    list_filter = ("organization", "kind", "warehouse")
    search_fields = ("product__sku", "reference", "external_reference")
    list_select_related = ("product", "warehouse")
    date_hierarchy = "created_at"


@admin.register(IncomingStock)
class IncomingStockAdmin(admin.ModelAdmin):
    list_display = ("product", "warehouse", "quantity", "expected_date", "reference", "received_at")
    list_filter = ("organization", "warehouse")
    search_fields = ("product__sku", "reference")
    list_select_related = ("product", "warehouse")
    raw_id_fields = ("product",)


class SupplierPurchaseOrderLineInline(admin.TabularInline):
    model = SupplierPurchaseOrderLine
    extra = 0
    raw_id_fields = ("product",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplierPurchaseOrder)
class SupplierPurchaseOrderAdmin(admin.ModelAdmin):
    # Status changes go through services.set_purchase_order_status (they move supplier stock).
    list_display = ("number", "supplier", "reference", "status", "expected_ship_date", "created_at")
    list_filter = ("organization", "status", "supplier")
    search_fields = ("number", "reference", "external_id")
    list_select_related = ("supplier",)
    readonly_fields = (
        "number",
        "supplier",
        "reference",
        "status",
        "account",
        "ship_to_address",
        "organization",
    )
    inlines = (SupplierPurchaseOrderLineInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebsiteInventorySettings)
class WebsiteInventorySettingsAdmin(admin.ModelAdmin):
    list_display = ("website", "allocation_strategy", "default_backorder_policy")


@admin.register(ProductBackorderPolicy)
class ProductBackorderPolicyAdmin(admin.ModelAdmin):
    list_display = ("product", "policy")
    raw_id_fields = ("product",)


@admin.register(AccountBackorderPolicy)
class AccountBackorderPolicyAdmin(admin.ModelAdmin):
    list_display = ("account", "policy")
    raw_id_fields = ("account",)
