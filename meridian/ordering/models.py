"""Carts and shopping lists, orders with their lines and status history, and ordering settings:
per-account ordering rules, per-buyer limits, shipping rate tables and tax rules."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.actor import Actor
from meridian.core.money import CURRENCY_CHOICES
from meridian.customers.models import Account, Address, BuyerUser
from meridian.tenancy.models import Organization, Website


def _accounts_in_scope(actor: Actor) -> models.QuerySet[Account]:
    return Account.objects.visible_to(actor).filter(pk=OuterRef("account_id"))


# --- settings --------------------------------------------------------------------------------


class AccountOrderingSettings(models.Model):
    """How an account orders. An account without a row: no PO required, saved addresses only,
    credit policy `hold`, no budget, taxable."""

    class CreditPolicy(models.TextChoices):
        HOLD = "hold", "Place on credit hold"
        REFUSE = "refuse", "Refuse the order"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="ordering_settings")
    requires_po_number = models.BooleanField(default=False)
    allows_one_time_address = models.BooleanField(default=False)
    credit_policy = models.CharField(max_length=8, choices=CreditPolicy.choices, default=CreditPolicy.HOLD)
    monthly_budget = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Orders over it in a calendar month need an approver.",
    )
    is_tax_exempt = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "account ordering settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_budget__isnull=True) | Q(monthly_budget__gte=0),
                name="ordering_budget_non_negative",
            )
        ]

    def __str__(self) -> str:
        return f"ordering settings of {self.account_id}"


class BuyerOrderLimit(models.Model):
    """A buyer's limit per order; an order over it needs an approver."""

    buyer = models.OneToOneField(BuyerUser, on_delete=models.CASCADE, related_name="order_limit")
    order_limit = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(order_limit__gte=0), name="ordering_buyer_limit_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id}: {self.order_limit}"


class AccountExposure(models.Model):
    """The total of one account's own open terms orders in one currency (not its subtree's): what
    the credit check sums over the credit account's subtree (`queries.open_orders_total`), instead
    of every open order under it, which grew with each order an account left open.

    Written by a row trigger on `ordering_order` (migration 0003, PostgreSQL), in the writer's
    transaction, whoever writes (services, admin, SQL). SQLite keeps summing the orders.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    open_total = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "currency"], name="ordering_exposure_account_currency")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.open_total} {self.currency}"


class WebsiteOrderingSettings(models.Model):
    website = models.OneToOneField(Website, on_delete=models.CASCADE, related_name="ordering_settings")
    abandoned_cart_hours = models.PositiveIntegerField(
        default=24, help_text="A cart with lines untouched this long is marked abandoned."
    )

    class Meta:
        verbose_name_plural = "website ordering settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(abandoned_cart_hours__gt=0), name="ordering_abandoned_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return f"ordering settings of {self.website_id}"


class ShippingMethod(models.Model):
    """A rate table of a website: a flat amount plus the largest weight or amount band reached."""

    class Basis(models.TextChoices):
        FLAT = "flat", "Flat"
        WEIGHT = "weight", "By weight (kg)"
        AMOUNT = "amount", "By order amount"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shipping_methods")
    website = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="shipping_methods")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.FLAT)
    flat_amount = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    position = models.PositiveIntegerField(default=0, help_text="Lowest first; the first is the default.")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["website", "code"], name="ordering_shipping_method_code_unique"),
            models.CheckConstraint(
                condition=Q(flat_amount__gte=0), name="ordering_shipping_flat_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShippingRateBand(models.Model):
    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="bands")
    min_value = models.DecimalField(
        max_digits=16, decimal_places=4, help_text="From this weight (kg) or goods amount on."
    )
    amount = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "min_value"], name="ordering_rate_band_unique"),
            models.CheckConstraint(
                condition=Q(min_value__gte=0, amount__gte=0), name="ordering_rate_band_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.min_value}: {self.amount}"


class TaxRule(models.Model):
    """A tax rate for a ship-to country, or one of its regions (the region's rule wins)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tax_rules")
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    region = models.CharField(max_length=100, blank=True, help_text="Blank: the whole country.")
    rate_percent = models.DecimalField(max_digits=7, decimal_places=4)
    applies_to_shipping = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "country", "region"], name="ordering_tax_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(rate_percent__gte=0, rate_percent__lte=100), name="ordering_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.rate_percent}%"


class OrderingVersion(models.Model):
    """One row whose `version` changes whenever the checkout setup changes (a cache stamp).

    Database triggers (migration 0002) set a new, never-repeated value on every insert, update,
    delete or truncate of shipping methods, rate bands and tax rules, whoever writes them (the
    console, the admin, an import, SQL). `queries.shipping_rates` and `TableTaxProvider` cache what
    they read per process under the stamp, read in the website statement `get_website` runs anyway.
    The tables written per order carry no trigger (it would serialize placement on this row).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


# --- carts and lists -------------------------------------------------------------------------


class CartQuerySet(models.QuerySet["Cart"]):
    def visible_to(self, actor: Actor) -> CartQuerySet:
        """Whose carts are whose (docs/ordering.md, "Who sees what"): a current cart and a private
        list are their owner's alone. A buyer also sees the lists shared with their account (or, when
        the list says so, with its subtree); staff also see the shared lists of the accounts in their
        scope (a rep: their assigned accounts). Anything else answers as missing."""
        if not actor.is_authenticated or actor.organization_id is None:
            return self.none()
        in_org = self.filter(organization_id=actor.organization_id)
        if actor.is_buyer:
            shared = Q(kind=Cart.Kind.LIST, is_shared=True, account_id=actor.account_id)
            if actor.account_ancestor_ids:
                shared |= Q(
                    kind=Cart.Kind.LIST,
                    is_shared=True,
                    is_shared_with_subtree=True,
                    account_id__in=list(actor.account_ancestor_ids),
                )
            return in_org.filter(
                Q(owner_id=actor.user_id, account__path__startswith=actor.account_path) | shared
            )
        if actor.is_staff:
            return self.in_staff_scope(actor).filter(
                Q(owner_id=actor.user_id) | Q(kind=Cart.Kind.LIST, is_shared=True)
            )
        return self.none()

    def in_staff_scope(self, actor: Actor) -> CartQuerySet:
        """Every cart of an account in a staff actor's scope, whoever owns it: for reports about carts
        (abandoned carts), never for reading or changing their lines."""
        if not actor.is_staff or actor.organization_id is None:
            return self.none()
        return self.filter(organization_id=actor.organization_id).filter(Exists(_accounts_in_scope(actor)))


class CartManager(models.Manager["Cart"]):
    def get_queryset(self) -> CartQuerySet:
        return CartQuerySet(self.model, using=self._db)

    def visible_to(self, actor: Actor) -> CartQuerySet:
        return self.get_queryset().visible_to(actor)

    def in_staff_scope(self, actor: Actor) -> CartQuerySet:
        return self.get_queryset().in_staff_scope(actor)


class Cart(models.Model):
    """A buyer's current cart (one per buyer and account; a rep has one per account they order
    for) or a named shopping list. `version` grows with every change (optimistic concurrency)."""

    class Kind(models.TextChoices):
        CART = "cart", "Cart"
        LIST = "list", "Shopping list"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ABANDONED = "abandoned", "Abandoned"
        ORDERED = "ordered", "Ordered"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="carts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="carts")
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CART)
    name = models.CharField(max_length=100, blank=True)
    is_shared = models.BooleanField(default=False, help_text="Lists: the account's users may use it.")
    is_shared_with_subtree = models.BooleanField(
        default=False, help_text="Lists: shared with the users of the account's child accounts too."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="When its lines last changed.")
    abandoned_at = models.DateTimeField(null=True, blank=True)
    ordered_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[CartManager] = CartManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "account"],
                condition=Q(kind="cart", status__in=["active", "abandoned"]),
                name="ordering_one_current_cart",
            ),
            models.CheckConstraint(condition=Q(kind="cart") | ~Q(name=""), name="ordering_list_has_name"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "kind", "status", "updated_at"], name="ordering_cart_status_idx"
            ),
            models.Index(fields=["owner", "account", "kind"], name="ordering_cart_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"cart {self.pk}"


class CartLine(models.Model):
    """One product in one unit; adding the same product and unit again adds to its quantity."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    uom = models.CharField(max_length=16)
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "product", "uom"], name="ordering_cart_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ordering_cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.uom} of {self.product_id}"


# --- orders ----------------------------------------------------------------------------------


class OrderQuerySet(models.QuerySet["Order"]):
    def visible_to(self, actor: Actor) -> OrderQuerySet:
        """A buyer: their account subtree's orders; a rep: their assigned accounts'; staff: the organization's."""
        if not actor.is_authenticated or actor.organization_id is None:
            return self.none()
        in_org = self.filter(organization_id=actor.organization_id)
        if actor.is_buyer:
            return in_org.filter(account__path__startswith=actor.account_path)
        if actor.sees_whole_organization:
            return in_org
        if actor.is_staff:
            return in_org.filter(Exists(_accounts_in_scope(actor)))
        return self.none()


class OrderManager(models.Manager["Order"]):
    def get_queryset(self) -> OrderQuerySet:
        return OrderQuerySet(self.model, using=self._db)

    def visible_to(self, actor: Actor) -> OrderQuerySet:
        return self.get_queryset().visible_to(actor)


class Order(models.Model):
    """An order, whatever its channel, as `services.place_order` wrote it: a price snapshot per line
    (with its source), totals, where it goes, how it is paid, and where it is in the state machine."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", "Pending approval"
        PLACED = "placed", "Placed"
        PARTIALLY_ALLOCATED = "partially_allocated", "Partially allocated"
        BACKORDERED = "backordered", "Backordered"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        INVOICED = "invoiced", "Invoiced"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"

    class Hold(models.TextChoices):
        NONE = "", "No hold"
        CREDIT_HOLD = "credit_hold", "Credit hold"
        MANUAL_REVIEW = "manual_review", "Manual review"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal"
        REP = "rep", "Sales rep"
        API = "api", "API"
        QUOTE = "quote", "Quote"
        PUNCHOUT = "punchout", "PunchOut"
        EDI = "edi", "EDI"
        IMPORT = "import", "Import"

    class PaymentMethod(models.TextChoices):
        TERMS = "terms", "On account (terms)"
        CARD = "card", "Card"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="orders")
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    hold = models.CharField(max_length=16, choices=Hold.choices, blank=True, default=Hold.NONE)
    hold_reason = models.CharField(max_length=300, blank=True)
    needs_manual_intervention = models.BooleanField(default=False)
    manual_intervention_reason = models.CharField(max_length=300, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_on_behalf = models.BooleanField(default=False, help_text="Seller staff placed it for the account.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    subtotal = models.DecimalField(max_digits=16, decimal_places=4)
    discount_total = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    shipping_amount = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    tax_amount = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    total = models.DecimalField(max_digits=16, decimal_places=4)
    order_adjustments = models.JSONField(default=list, blank=True, help_text="Order-level promotions.")
    coupons = models.JSONField(default=list, blank=True, help_text="Each given code and its outcome.")
    ship_to_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ship_to = models.JSONField(default=dict, help_text="The address as it was at placement.")
    po_number = models.CharField(max_length=64, blank=True)
    requested_date = models.DateField(null=True, blank=True)
    payment_method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    payment_terms_code = models.CharField(max_length=32, blank=True)
    payment_net_days = models.PositiveIntegerField(null=True, blank=True)
    payment_authorization = models.CharField(max_length=100, blank=True)
    shipping_method_code = models.CharField(max_length=32, blank=True)
    shipping_method_name = models.CharField(max_length=100, blank=True)
    tax_details = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    approval_reasons = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    source_cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_reference = models.CharField(max_length=100, blank=True, help_text="Quote, EDI document, import.")
    idempotency_key = models.CharField(max_length=255, blank=True)
    priced_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[OrderManager] = OrderManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=~Q(number=""),
                name="ordering_order_number_unique",
            ),
            # Backs place_order's idempotency: one order per key, whatever got past the key store.
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ordering_order_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="ordering_order_total_non_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "created_at"], name="ordering_order_status_idx"),
            models.Index(fields=["account", "created_at"], name="ordering_order_account_idx"),
            models.Index(fields=["organization", "po_number"], name="ordering_order_po_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"order {self.pk}"


class OrderLine(models.Model):
    """A line with the price pricing resolved at placement and its full source trace.

    Quantities are in `uom`; the supply columns are in the product's base unit."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    part_number = models.CharField(max_length=64, blank=True)
    uom = models.CharField(max_length=16)
    uom_factor = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    requested_quantity = models.DecimalField(max_digits=16, decimal_places=3)
    quantity = models.DecimalField(
        max_digits=16, decimal_places=3, help_text="Ordered: requested less what a partial policy cancelled."
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    unit_price = models.DecimalField(max_digits=20, decimal_places=6)
    list_price = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    discount_amount = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal(0))
    line_total = models.DecimalField(max_digits=16, decimal_places=4)
    price_source = models.JSONField(default=dict, help_text="pricing's trace of what produced the price.")
    base_quantity = models.DecimalField(max_digits=16, decimal_places=3)
    allocated_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))
    dropship_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))
    backordered_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))
    cancelled_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))
    shipped_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="ordering_order_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="ordering_order_line_quantity"),
        ]
        indexes = [models.Index(fields=["sku"], name="ordering_order_line_sku_idx")]

    def __str__(self) -> str:
        return f"{self.line_number}: {self.quantity} {self.uom} {self.sku}"


class OrderStatusChange(models.Model):
    """Every transition (and every hold set or released), with who and when: append-only."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    hold = models.CharField(max_length=16, blank=True, help_text="The hold after the change.")
    actor_user_id = models.BigIntegerField(null=True, blank=True, help_text="Null for system jobs.")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["order", "at"], name="ordering_status_change_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
