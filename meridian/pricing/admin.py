# mypy: disable-error-code="type-arg"
# (ModelAdmin is generic only in django-stubs; subscripting it at runtime needs django_stubs_ext.)
"""Django admin for pricing. Stored prices, audit rows, redemptions and accruals are read-only here:
they change only through services (which audit them and write outbox events). Everything else
that decides a price (lists, assignments, contracts, rules, promotions and coupons, rebates,
settings) is audited when edited here (`core.admin.AuditedAdmin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from meridian.core.admin import ALL_FIELDS, AuditedAdmin
from meridian.pricing.models import (
    AccountPricingSettings,
    Contract,
    Coupon,
    CouponRedemption,
    CustomerPrice,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateAccrual,
    RebateProgram,
    RebateTier,
    WebsitePricingSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriceList)
class PriceListAdmin(AuditedAdmin):
    list_display = ("code", "name", "currency", "valid_from", "valid_to", "is_active", "organization")
    list_filter = ("currency", "is_active")
    search_fields = ("code", "name", "external_id")


@admin.register(PriceListEntry)
class PriceListEntryAdmin(ReadOnlyAdmin):
    list_display = ("price_list", "product", "uom", "min_quantity", "price", "valid_from", "valid_to")
    list_select_related = ("price_list", "product")
    search_fields = ("product__sku", "price_list__code")
    raw_id_fields = ("product",)


@admin.register(PriceAssignment)
class PriceAssignmentAdmin(AuditedAdmin):
    list_display = ("price_list", "website", "customer_group", "account", "priority")
    list_select_related = ("price_list", "website", "customer_group", "account")
    raw_id_fields = ("account",)


@admin.register(Contract)
class ContractAdmin(AuditedAdmin):
    list_display = (
        "number",
        "account",
        "price_list",
        "applies_to_children",
        "prices_are_final",
        "valid_from",
        "valid_to",
    )
    list_select_related = ("account", "price_list")
    search_fields = ("number", "external_id", "account__name")
    raw_id_fields = ("account",)


@admin.register(PriceRule)
class PriceRuleAdmin(AuditedAdmin):
    list_display = ("__str__", "price_list", "base", "base_price_list", "multiplier", "percent", "rounding")
    list_select_related = ("price_list", "base_price_list")
    raw_id_fields = ("product", "category")


@admin.register(CustomerPrice)
class CustomerPriceAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "product",
        "uom",
        "min_quantity",
        "price",
        "currency",
        "valid_from",
        "valid_to",
    )
    list_select_related = ("account", "product")
    search_fields = ("product__sku", "account__name")


class CouponInline(admin.TabularInline):
    model = Coupon
    extra = 0
    readonly_fields = ("times_used",)


@admin.register(Promotion)
class PromotionAdmin(AuditedAdmin):
    list_display = (
        "name",
        "kind",
        "value",
        "stacking",
        "priority",
        "requires_coupon",
        "starts_at",
        "ends_at",
        "is_active",
    )
    list_filter = ("kind", "stacking", "is_active")
    search_fields = ("name", "external_id")
    raw_id_fields = ("account", "product", "category")
    inlines = (CouponInline,)
    audited_inlines = {Coupon: ALL_FIELDS}


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdmin):
    list_display = ("coupon", "account", "order_reference", "redeemed_at")
    list_select_related = ("coupon", "account")


class RebateTierInline(admin.TabularInline):
    model = RebateTier
    extra = 0


@admin.register(RebateProgram)
class RebateProgramAdmin(AuditedAdmin):
    list_display = ("code", "name", "basis", "currency", "period_start", "period_end", "is_active")
    inlines = (RebateTierInline,)
    audited_inlines = {RebateTier: ALL_FIELDS}
    raw_id_fields = ("account",)


@admin.register(RebateAccrual)
class RebateAccrualAdmin(ReadOnlyAdmin):
    list_display = (
        "program",
        "account",
        "order_reference",
        "line_reference",
        "basis_amount",
        "rate_percent",
        "amount",
    )
    list_select_related = ("program", "account")
    search_fields = ("order_reference",)


@admin.register(PriceChange)
class PriceChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "changed_at",
        "changed_by",
        "kind",
        "price_list",
        "product",
        "uom",
        "min_quantity",
        "old_price",
        "new_price",
    )
    list_select_related = ("changed_by", "price_list", "product")
    search_fields = ("product__sku",)


admin.site.register(WebsitePricingSettings, AuditedAdmin)
admin.site.register(AccountPricingSettings, AuditedAdmin)
