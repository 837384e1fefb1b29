"""Categories, products with units, customer part numbers and visibility rules."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from treebeard.mp_tree import MP_Node

from meridian.core.money import CURRENCY_CHOICES
from meridian.customers.models import Account, CustomerGroup
from meridian.tenancy.models import Branch, Organization, Website


class Category(MP_Node):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="category_slug_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="category_ext_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISCONTINUED = "discontinued", "Discontinued"
        DRAFT = "draft", "Draft"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    base_uom = models.CharField(
        max_length=16, default="EA", help_text="Base unit of measure, e.g. EA, M, KG."
    )
    min_order_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    order_increment = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(1))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    standard_cost = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Cost per base unit; price rules may derive from it.",
    )
    cost_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    external_id = models.CharField(max_length=100, blank=True)
    # Lower-cased name, SKU, brand and attribute values: what search matches (trigram/full-text on PostgreSQL).
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="product_sku_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="product_ext_unique",
            ),
            models.CheckConstraint(condition=Q(min_order_quantity__gt=0), name="product_moq_positive"),
            models.CheckConstraint(condition=Q(order_increment__gt=0), name="product_increment_positive"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "name"], name="product_org_status_name_idx"),
            # Exact SKU lookups ignore case (search ranks an exact SKU first).
            models.Index("organization", Upper("sku"), name="product_org_sku_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_orderable(self) -> bool:
        return self.status == self.Status.ACTIVE


class ProductUnit(models.Model):
    """An alternative unit: `factor` base units make one of this unit (a box of 12: BX, 12)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=100, blank=True)
    factor = models.DecimalField(max_digits=12, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="product_unit_code_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="product_unit_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.factor})"


class CustomerPartNumber(models.Model):
    """An account's own code for a product; it also applies to the account's children."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="part_numbers")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="customer_part_numbers")
    part_number = models.CharField(max_length=64)
    normalized = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "normalized"], name="part_number_unique_per_account"),
        ]
        indexes = [models.Index(fields=["account", "normalized"], name="part_number_lookup_idx")]

    def __str__(self) -> str:
        return self.part_number


class VisibilityRule(models.Model):
    """Include or exclude a category subtree, a product, or everything, for a scope.

    Scope is one of website, branch, customer group or account (an account rule is
    inherited by its children), or none for the whole organization. See
    docs/catalog-visibility.md for precedence.
    """

    class Effect(models.TextChoices):
        INCLUDE = "include", "Include"
        EXCLUDE = "exclude", "Exclude"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="visibility_rules")
    website = models.ForeignKey(Website, null=True, blank=True, on_delete=models.CASCADE)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE)
    customer_group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.CASCADE)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE)
    effect = models.CharField(max_length=8, choices=Effect.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(website__isnull=True, branch__isnull=True, customer_group__isnull=True)
                    | Q(website__isnull=True, branch__isnull=True, account__isnull=True)
                    | Q(website__isnull=True, customer_group__isnull=True, account__isnull=True)
                    | Q(branch__isnull=True, customer_group__isnull=True, account__isnull=True)
                ),
                name="visibility_rule_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(product__isnull=True),
                name="visibility_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effect} {self.product_id or self.category_id or 'all'}"
