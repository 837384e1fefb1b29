"""Warehouses, suppliers, stock levels and the append-only stock movement ledger.

A StockLevel is a running total of its StockMovements; services change both in one
transaction and `queries.reconcile` proves they agree. The check constraints below back
every invariant the services enforce.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.customers.models import Account, Address
from meridian.tenancy.models import Branch, Organization, Website

ZERO = Decimal(0)


class AllocationStrategy(models.TextChoices):
    PRIORITY = "priority", "Warehouse priority"
    NEAREST = "nearest", "Nearest to the ship-to address"
    FEWEST_SHIPMENTS = "fewest_shipments", "Fewest shipments"


class BackorderPolicy(models.TextChoices):
    ALLOW = "allow", "Allow backorders"
    PARTIAL = "partial", "Ship what is available, cancel the rest"
    DENY = "deny", "Refuse what cannot be covered"


class Supplier(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="suppliers")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="Where purchase orders are sent.")
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="supplier_code_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="supplier_ext_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", "Own"
        THIRD_PARTY = "3pl", "Third-party logistics"
        DROPSHIP = "dropship", "Supplier drop-ship"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="warehouses")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OWN)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="warehouses",
        help_text="Drop-ship warehouses only: the supplier whose stock this is.",
    )
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA name, e.g. America/Chicago.")
    cutoff_time = models.TimeField(
        default=time(15, 0), help_text="Orders placed before this local time ship the same day."
    )
    shipping_weekdays = models.CharField(
        max_length=7, default="12345", help_text="ISO weekdays it ships on (1 = Monday … 7 = Sunday)."
    )
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="warehouse_code_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="warehouse_ext_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="dropship", supplier__isnull=False)
                | (~Q(kind="dropship") & Q(supplier__isnull=True)),
                name="warehouse_dropship_has_supplier",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="warehouse_coordinates_valid",
            ),
            models.CheckConstraint(condition=~Q(shipping_weekdays=""), name="warehouse_ships_some_day"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": f"unknown timezone {self.timezone!r}"}) from None
        if not self.shipping_weekdays or any(ch not in "1234567" for ch in self.shipping_weekdays):
            raise ValidationError({"shipping_weekdays": "digits 1 (Monday) to 7 (Sunday)"})

    @property
    def holds_own_stock(self) -> bool:
        """Own and 3PL stock is ours to allocate; a drop-ship warehouse is a supplier's."""
        return self.kind != self.Kind.DROPSHIP

    @property
    def weekday_set(self) -> frozenset[int]:
        return frozenset(int(ch) for ch in self.shipping_weekdays if ch in "1234567")


class WarehouseAssignment(models.Model):
    """A website or a branch may ship from the warehouse; a lower priority is tried first."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="assignments")
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.CASCADE)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE)
    priority = models.PositiveIntegerField(default=100)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(website__isnull=False, branch__isnull=True)
                | Q(website__isnull=True, branch__isnull=False),
                name="warehouse_assignment_one_scope",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "website"],
                condition=Q(website__isnull=False),
                name="warehouse_website_unique",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "branch"],
                condition=Q(branch__isnull=False),
                name="warehouse_branch_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id} → {self.website_id or self.branch_id} ({self.priority})"


class SupplierProduct(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="supplier_products")
    supplier_sku = models.CharField(max_length=64, blank=True)
    lead_time_days = models.PositiveIntegerField(default=3)
    can_dropship = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "product"], name="supplier_product_unique")
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.supplier_sku or self.product_id}"


class StockLevel(models.Model):
    """On hand and allocated for one product in one warehouse, in the product's base unit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.RESTRICT, related_name="stock_levels", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.RESTRICT, related_name="stock_levels")
    on_hand = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    allocated = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_non_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_non_negative"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("on_hand")), name="stock_allocated_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand} on hand, {self.allocated} allocated"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.allocated


class StockMovement(models.Model):
    """One line of the append-only ledger. A level equals the sum of its movements' deltas."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        ALLOCATION = "allocation", "Allocation"
        RELEASE = "release", "Release"
        SHIPMENT = "shipment", "Shipment"
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.RESTRICT, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.RESTRICT, related_name="+", db_index=False)
    on_hand_delta = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    allocated_delta = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    # The level right after this movement: the ledger reads as a statement.
    on_hand_after = models.DecimalField(max_digits=14, decimal_places=3)
    allocated_after = models.DecimalField(max_digits=14, decimal_places=3)
    reason = models.CharField(max_length=200, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(
        max_length=100, blank=True, help_text="What caused it, e.g. an order number."
    )
    external_reference = models.CharField(
        max_length=100, blank=True, help_text="The sender's id for the movement; a retry with it is a no-op."
    )
    paired_movement = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        # Half a transfer cannot be deleted (the FK refuses); the pair goes together.
        on_delete=models.DO_NOTHING,
        related_name="+",
        help_text="Transfers: the transfer-in points to its transfer-out.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_reference"],
                condition=~Q(external_reference=""),
                name="stock_movement_external_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    on_hand_after__gte=0, allocated_after__gte=0, allocated_after__lte=F("on_hand_after")
                ),
                name="stock_movement_after_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="receipt", on_hand_delta__gt=0, allocated_delta=0)
                    | Q(kind="adjustment", allocated_delta=0)
                    | Q(kind="allocation", on_hand_delta=0, allocated_delta__gt=0)
                    | Q(kind="release", on_hand_delta=0, allocated_delta__lt=0)
                    | Q(kind="shipment", on_hand_delta__lt=0, allocated_delta=F("on_hand_delta"))
                    | Q(kind="transfer_out", on_hand_delta__lt=0, allocated_delta=0)
                    | Q(kind="transfer_in", on_hand_delta__gt=0, allocated_delta=0)
                ),
                name="stock_movement_kind_deltas",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "reference"], name="stock_movement_reference_idx"),
            models.Index(fields=["warehouse", "product", "id"], name="stock_movement_level_idx"),
            models.Index(fields=["product", "id"], name="stock_movement_product_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.product_id}@{self.warehouse_id} {self.on_hand_delta}/{self.allocated_delta}"
        )


class IncomingStock(models.Model):
    """An expected receipt: the date behind "back in stock on …"."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="incoming")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    expected_date = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="E.g. the purchase order number.")
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "incoming stock"
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="incoming_quantity_positive")]
        indexes = [
            models.Index(
                fields=["product", "expected_date"],
                condition=Q(received_at__isnull=True),
                name="incoming_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id} on {self.expected_date}"


class SupplierPurchaseOrder(models.Model):
    """A purchase order to a supplier who ships straight to the customer (drop-ship)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        CONFIRMED = "confirmed", "Confirmed"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.RESTRICT, related_name="purchase_orders")
    number = models.CharField(max_length=32, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="The customer order it serves.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ship_to_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expected_ship_date = models.DateField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], condition=~Q(number=""), name="supplier_po_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="supplier_po_ext_unique",
            ),
        ]
        indexes = [models.Index(fields=["organization", "reference"], name="supplier_po_reference_idx")]

    def __str__(self) -> str:
        return self.number or f"supplier PO {self.pk}"


class SupplierPurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(SupplierPurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.RESTRICT, related_name="+")
    supplier_sku = models.CharField(max_length=64, blank=True)
    line_key = models.CharField(max_length=64, blank=True, help_text="The customer order line it covers.")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="The supplier's drop-ship warehouse, when the supplier reports its stock.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplier_po_line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class WebsiteInventorySettings(models.Model):
    website = models.OneToOneField(Website, on_delete=models.CASCADE, related_name="inventory_settings")
    allocation_strategy = models.CharField(
        max_length=24, choices=AllocationStrategy.choices, default=AllocationStrategy.PRIORITY
    )
    default_backorder_policy = models.CharField(
        max_length=8, choices=BackorderPolicy.choices, default=BackorderPolicy.DENY
    )

    class Meta:
        verbose_name_plural = "website inventory settings"

    def __str__(self) -> str:
        return f"{self.website_id}: {self.allocation_strategy}"


class ProductBackorderPolicy(models.Model):
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="backorder_policy")
    policy = models.CharField(max_length=8, choices=BackorderPolicy.choices)

    class Meta:
        verbose_name_plural = "product backorder policies"

    def __str__(self) -> str:
        return f"{self.product_id}: {self.policy}"


class AccountBackorderPolicy(models.Model):
    """Overrides the product's policy for every line the account (or a child account) orders."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="backorder_policy")
    policy = models.CharField(max_length=8, choices=BackorderPolicy.choices)

    class Meta:
        verbose_name_plural = "account backorder policies"

    def __str__(self) -> str:
        return f"{self.account_id}: {self.policy}"


class RoutingVersion(models.Model):
    """One row whose `version` changes whenever any routing input changes (a cache stamp).

    Database triggers (migration 0003) set a new, never-repeated value on every insert, update
    or delete of warehouses, warehouse assignments and website inventory settings, whoever
    writes them (services, the admin, SQL). `queries.routing_for_allocation` caches routing per
    process and checks this stamp in the statement that locks the stock levels.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)
