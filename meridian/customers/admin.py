# mypy: disable-error-code="type-arg"
# (ModelAdmin and the auth forms are generic only in django-stubs; subscripting them at runtime
# needs django_stubs_ext.monkeypatch() in settings.)
"""Django admin for accounts (a treebeard tree), groups, terms, buyer users and addresses."""

from __future__ import annotations

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from meridian.core.admin import AuditedAdmin
from meridian.customers.models import Account, Address, BuyerUser, CustomerGroup, PaymentTerms

ROLE_FIELDS = ("is_admin", "is_buyer", "is_approver", "is_viewer")


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class BuyerUserInline(admin.TabularInline):
    model = BuyerUser
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "is_admin", "is_buyer", "is_approver", "is_viewer", "job_title", "phone")


@admin.register(Account)
class AccountAdmin(AuditedAdmin, TreeAdmin):  # type: ignore[misc]  # treebeard is untyped
    form = movenodeform_factory(Account)
    list_display = ("name", "number", "organization", "customer_group", "sales_rep", "is_active")
    list_filter = ("organization", "is_active", "customer_group")
    search_fields = ("name", "number", "external_id")
    list_select_related = ("organization", "customer_group", "sales_rep__user")
    raw_id_fields = ("sales_rep",)
    inlines = (BuyerUserInline, AddressInline)
    # Credit and what decides prices and terms; the buyers' roles in the inline.
    audited_fields = ("credit_limit", "currency", "payment_terms", "customer_group", "sales_rep", "is_active")
    audited_inlines = {BuyerUser: ("user", *ROLE_FIELDS)}


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organization", "external_id")
    list_filter = ("organization",)
    search_fields = ("code", "name")


@admin.register(PaymentTerms)
class PaymentTermsAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "net_days", "organization")
    list_filter = ("organization",)


@admin.register(BuyerUser)
class BuyerUserAdmin(AuditedAdmin):
    audited_fields = ("user", "account", *ROLE_FIELDS)
    list_display = ("user", "account", "is_admin", "is_buyer", "is_approver", "is_viewer")
    list_filter = ("is_admin", "is_approver")
    search_fields = ("user__email", "user__full_name", "account__name")
    list_select_related = ("user", "account")
    raw_id_fields = ("user", "account")


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "label",
        "line1",
        "city",
        "country",
        "is_default_billing",
        "is_default_shipping",
    )
    search_fields = ("account__name", "line1", "city", "postal_code")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
