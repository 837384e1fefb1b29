"""Price lists and entries, assignments, contracts, rules, customer prices, promotions, coupons, rebates.

Prices are live: nothing here is precomputed per customer. `engine.py` resolves a
price from these rows at request time; docs/pricing.md states the rules.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from meridian.catalog.models import Category, Product
from meridian.core.money import CURRENCY_CHOICES
from meridian.customers.models import Account, CustomerGroup
from meridian.tenancy.models import Organization, Website

# Stands in for an open `valid_from` in unique keys (NULLs are distinct in SQL).
OPEN_START = datetime.date(1, 1, 1)


def _window_is_ordered(prefix: str = "") -> Q:
    start, end = f"{prefix}valid_from", f"{prefix}valid_to"
    return Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__lte": F(end)})


class Strategy(models.TextChoices):
    PRIORITY = "priority", "Priority: the first source in the chain that prices the product"
    BEST_PRICE = "best_price", "Best price: the lowest price across the chain"


class WebsitePricingSettings(models.Model):
    """How a website resolves prices. A website without a row uses `priority`."""

    website = models.OneToOneField(Website, on_delete=models.CASCADE, related_name="pricing_settings")
    strategy = models.CharField(max_length=16, choices=Strategy.choices, default=Strategy.PRIORITY)

    class Meta:
        verbose_name = "website pricing settings"
        verbose_name_plural = "website pricing settings"

    def __str__(self) -> str:
        return f"{self.website_id}: {self.strategy}"


class AccountPricingSettings(models.Model):
    """Whether an account with its own price list assignments also inherits its parent's."""

    class Inheritance(models.TextChoices):
        STOP = "stop", "Own assignments replace the parent's (an account without any inherits)"
        INHERIT = "inherit", "Own assignments first, then the parent's"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="pricing_settings")
    assignment_inheritance = models.CharField(
        max_length=8, choices=Inheritance.choices, default=Inheritance.STOP
    )

    class Meta:
        verbose_name = "account pricing settings"
        verbose_name_plural = "account pricing settings"

    def __str__(self) -> str:
        return f"{self.account_id}: {self.assignment_inheritance}"


class PriceList(models.Model):
    """Prices in one currency. `valid_from`/`valid_to` are inclusive dates; empty means open."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="price_lists")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="price_list_code_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="price_list_ext_unique",
            ),
            models.CheckConstraint(condition=_window_is_ordered(), name="price_list_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class PriceListEntry(models.Model):
    """The price of one unit of `uom` from `min_quantity` on (several rows make volume tiers)."""

    # Indexed by the unique key (price_list, product, ...) and by (product, price_list) below.
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    uom = models.CharField(max_length=16)
    min_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    price = models.DecimalField(max_digits=14, decimal_places=4)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "price list entries"
        constraints = [
            models.UniqueConstraint(
                F("price_list"),
                F("product"),
                F("uom"),
                F("min_quantity"),
                Coalesce(F("valid_from"), Value(OPEN_START)),
                name="price_entry_key_unique",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_entry_price_non_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="price_entry_min_quantity_positive"),
            models.CheckConstraint(condition=_window_is_ordered(), name="price_entry_window_ordered"),
        ]
        # The resolver asks for a few lists' entries for many products: product first is selective.
        indexes = [models.Index(fields=["product", "price_list"], name="price_entry_product_list_idx")]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id} {self.uom} {self.min_quantity}+: {self.price}"


class PriceAssignment(models.Model):
    """A price list for exactly one of a website, a customer group or an account.

    Among assignments of the same target, a lower `priority` number is tried first.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="assignments")
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(website__isnull=False, customer_group__isnull=True, account__isnull=True)
                    | Q(website__isnull=True, customer_group__isnull=False, account__isnull=True)
                    | Q(website__isnull=True, customer_group__isnull=True, account__isnull=False)
                ),
                name="price_assignment_one_target",
            ),
            models.UniqueConstraint(
                fields=["price_list", "website"],
                condition=Q(website__isnull=False),
                name="price_assignment_website_unique",
            ),
            models.UniqueConstraint(
                fields=["price_list", "customer_group"],
                condition=Q(customer_group__isnull=False),
                name="price_assignment_group_unique",
            ),
            models.UniqueConstraint(
                fields=["price_list", "account"],
                condition=Q(account__isnull=False),
                name="price_assignment_account_unique",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"website {self.website_id}"
            if self.website_id
            else f"group {self.customer_group_id}"
            if self.customer_group_id
            else f"account {self.account_id}"
        )
        return f"{self.price_list_id} -> {target} ({self.priority})"


class Contract(models.Model):
    """An agreement binding an account (optionally its children) to a price list for a period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=40)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="contracts")
    applies_to_children = models.BooleanField(default=False)
    prices_are_final = models.BooleanField(
        default=False, help_text="Lines priced by this contract get no promotions."
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    priority = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=100, blank=True)
    terms = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="contract_number_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="contract_ext_unique",
            ),
            models.CheckConstraint(condition=_window_is_ordered(), name="contract_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.number


class PriceRule(models.Model):
    """Derives prices for a list at resolution time: base * multiplier * (1 + percent/100), rounded.

    The base is the product's standard cost or another list's price. Stored entries of
    the list beat its rules for the same product.
    """

    class Base(models.TextChoices):
        COST = "cost", "Standard cost"
        PRICE_LIST = "price_list", "Another price list"

    class Rounding(models.TextChoices):
        NONE = "none", "No rounding"
        CENTS = "cents", "To the minor unit"
        ENDS_99 = "ends_99", "Up to .99"
        ENDS_95 = "ends_95", "Up to .95"

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    base = models.CharField(max_length=16, choices=Base.choices)
    base_price_list = models.ForeignKey(
        PriceList, null=True, blank=True, on_delete=models.PROTECT, related_name="derived_rules"
    )
    multiplier = models.DecimalField(max_digits=10, decimal_places=4, default=1)
    percent = models.DecimalField(
        max_digits=7, decimal_places=3, default=0, help_text="Added after the multiplier: -8 is 8% off."
    )
    rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.NONE)
    priority = models.PositiveIntegerField(default=100)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(product__isnull=True), name="price_rule_one_target"
            ),
            models.CheckConstraint(
                condition=(Q(base="cost", base_price_list__isnull=True))
                | Q(base="price_list", base_price_list__isnull=False),
                name="price_rule_base_consistent",
            ),
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="price_rule_multiplier_non_negative"),
            models.CheckConstraint(
                condition=Q(percent__gte=-100), name="price_rule_percent_at_least_minus_100"
            ),
            models.CheckConstraint(condition=_window_is_ordered(), name="price_rule_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name or f"rule {self.pk}"


class CustomerPrice(models.Model):
    """An account's own price for a product: the first source in every chain."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # Indexed by the unique key (account, product, ...).
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    uom = models.CharField(max_length=16)
    min_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    price = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    applies_to_children = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("account"),
                F("product"),
                F("uom"),
                F("min_quantity"),
                F("currency"),
                Coalesce(F("valid_from"), Value(OPEN_START)),
                name="customer_price_key_unique",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="customer_price_non_negative"),
            models.CheckConstraint(
                condition=Q(min_quantity__gt=0), name="customer_price_min_quantity_positive"
            ),
            models.CheckConstraint(condition=_window_is_ordered(), name="customer_price_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.product_id}: {self.price} {self.currency}"


class Promotion(models.Model):
    """A discount with conditions; automatic, or applied when one of its coupons is given.

    `starts_at` is inclusive and `ends_at` exclusive. Stacking: see docs/pricing.md.
    """

    class Kind(models.TextChoices):
        PERCENT_OFF_LINE = "percent_off_line", "Percent off a line"
        AMOUNT_OFF_LINE = "amount_off_line", "Amount off a line"
        FIXED_PRICE = "fixed_price", "Fixed unit price"
        BUY_X_GET_Y = "buy_x_get_y", "Buy X get Y free"
        PERCENT_OFF_ORDER = "percent_off_order", "Percent off the order"
        AMOUNT_OFF_ORDER = "amount_off_order", "Amount off the order"

    class Stacking(models.TextChoices):
        STACKABLE = "stackable", "Stackable"
        EXCLUSIVE = "exclusive", "Exclusive"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, blank=True, help_text="Required for amounts and fixed prices."
    )
    buy_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    get_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    stacking = models.CharField(max_length=10, choices=Stacking.choices, default=Stacking.STACKABLE)
    priority = models.PositiveIntegerField(default=100)
    requires_coupon = models.BooleanField(default=False)
    # Conditions: every one that is set must hold.
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="And its subtree.",
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="And its subtree.",
    )
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    min_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    min_line_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    min_order_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="promotion_value_non_negative"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(starts_at__lt=F("ends_at")),
                name="promotion_window_ordered",
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="promotion_ext_unique",
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active"], name="promotion_org_active_idx")]

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """A code that unlocks a promotion, with a total and a per-account usage limit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(max_length=40, help_text="Stored upper-case; matched case-insensitively.")
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    per_account_limit = models.PositiveIntegerField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="coupon_code_unique"),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="coupon_within_usage_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    order_reference = models.CharField(max_length=64)
    redeemed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_reference"], name="coupon_redemption_once_per_order"
            )
        ]
        indexes = [models.Index(fields=["coupon", "account"], name="coupon_redemption_account_idx")]

    def __str__(self) -> str:
        return f"{self.coupon_id} by {self.account_id} on {self.order_reference}"


class RebateProgram(models.Model):
    """Volume or spend per account over a period earns a rebate rate by tier."""

    class Basis(models.TextChoices):
        VOLUME = "volume", "Volume (base units)"
        SPEND = "spend", "Spend"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    basis = models.CharField(max_length=8, choices=Basis.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    period_start = models.DateField()
    period_end = models.DateField()
    # Scope: neither set is every account; a group; or an account with its subtree.
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="rebate_program_code_unique"),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="rebate_program_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(customer_group__isnull=True) | Q(account__isnull=True),
                name="rebate_program_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class RebateTier(models.Model):
    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="tiers")
    threshold = models.DecimalField(max_digits=16, decimal_places=3)
    rate_percent = models.DecimalField(max_digits=6, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "threshold"], name="rebate_tier_threshold_unique"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="rebate_tier_threshold_non_negative"),
            models.CheckConstraint(
                condition=Q(rate_percent__gte=0, rate_percent__lte=100), name="rebate_tier_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.threshold}+: {self.rate_percent}%"


class RebateAccrual(models.Model):
    """What one order line earned under one program (recorded once per program and line)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(RebateProgram, on_delete=models.PROTECT, related_name="accruals")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    order_reference = models.CharField(max_length=64)
    line_reference = models.CharField(max_length=64)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    basis_amount = models.DecimalField(max_digits=16, decimal_places=3)
    rate_percent = models.DecimalField(max_digits=6, decimal_places=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    accrued_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "order_reference", "line_reference"], name="rebate_accrual_once_per_line"
            )
        ]
        indexes = [
            models.Index(fields=["program", "account", "accrued_on"], name="rebate_accrual_statement_idx")
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.order_reference}/{self.line_reference}: {self.amount}"


class PriceChange(models.Model):
    """Audit: who changed which stored price, when, from what to what (None: created / removed)."""

    class Kind(models.TextChoices):
        ENTRY = "entry", "Price list entry"
        CUSTOMER_PRICE = "customer_price", "Customer price"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    price_list = models.ForeignKey(
        PriceList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry_id = models.BigIntegerField(null=True, blank=True, help_text="Entry or customer price id.")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    uom = models.CharField(max_length=16)
    min_quantity = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    old_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    new_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-changed_at"], name="price_change_org_time_idx"),
            models.Index(fields=["product", "-changed_at"], name="price_change_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.old_price} -> {self.new_price}"


class PricingVersion(models.Model):
    """One row whose `version` changes whenever an input of the price chain changes (a cache stamp).

    Database triggers (migration 0002) set a new, never-repeated value on every insert, update,
    delete or truncate of website and account pricing settings, price lists, assignments,
    contracts, rules, promotions and categories (rules and promotions match category paths),
    whoever writes them (services, the admin, imports, SQL). `queries.chain` caches those inputs
    per process under the stamp, read in the website statement every resolution runs anyway.
    Entries, customer prices and coupons are read live on every request and carry no trigger,
    nor do the tables written per order (coupon usage, redemptions, rebate accruals).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)
