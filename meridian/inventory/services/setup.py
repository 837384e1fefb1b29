"""Setting inventory up: warehouses and who ships from them, suppliers, strategies and backorder policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.core.geo import coordinate_errors
from meridian.customers.models import Account
from meridian.inventory.models import (
    AccountBackorderPolicy,
    AllocationStrategy,
    BackorderPolicy,
    ProductBackorderPolicy,
    Supplier,
    SupplierProduct,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)
from meridian.tenancy.models import Branch, Organization, Website


@dataclass(frozen=True, slots=True)
class WarehouseInput:
    code: str
    name: str
    kind: Warehouse.Kind = Warehouse.Kind.OWN
    supplier_id: int | None = None  # drop-ship warehouses only
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    timezone: str = "UTC"
    cutoff_time: time = time(15, 0)
    shipping_weekdays: str = "12345"
    is_active: bool = True
    external_id: str = ""


def _validate_warehouse(organization: Organization, data: WarehouseInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if (
        not code
        or len(code) > 32
        or any(ch.isspace() for ch in code)
        or code.isdigit()
        or code.startswith("ext:")
    ):
        errors["code"] = ["1 to 32 characters without spaces, not only digits, not starting with ext:"]
    if not data.name.strip():
        errors["name"] = ["must not be empty"]
    if data.kind not in Warehouse.Kind.values:
        errors["kind"] = [f"one of {sorted(Warehouse.Kind.values)}"]
    if data.kind == Warehouse.Kind.DROPSHIP:
        if data.supplier_id is None:
            errors["supplier"] = ["a drop-ship warehouse names its supplier"]
        elif not Supplier.objects.filter(pk=data.supplier_id, organization=organization).exists():
            errors["supplier"] = [f"no supplier with id {data.supplier_id}"]
    elif data.supplier_id is not None:
        errors["supplier"] = ["only drop-ship warehouses have a supplier"]
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [f"unknown timezone {data.timezone!r}"]
    if not data.shipping_weekdays or any(ch not in "1234567" for ch in data.shipping_weekdays):
        errors["shipping_weekdays"] = ["digits 1 (Monday) to 7 (Sunday)"]
    if data.cutoff_time.tzinfo is not None:
        errors["cutoff_time"] = ["a local time without an offset: the warehouse's timezone applies"]
    errors.update(coordinate_errors(data.latitude, data.longitude))
    if (
        data.external_id
        and Warehouse.objects.filter(organization=organization, external_id=data.external_id)
        .exclude(code=code)
        .exists()
    ):
        errors["external_id"] = ["already used by another warehouse"]
    return errors


@transaction.atomic
def upsert_warehouse(*, organization: Organization, data: WarehouseInput) -> tuple[Warehouse, bool]:
    """Create or update the warehouse with this code; returns (warehouse, created). Raises InvalidInput."""
    errors = _validate_warehouse(organization, data)
    if errors:
        raise InvalidInput("invalid warehouse", fields=errors)
    return Warehouse.objects.update_or_create(
        organization=organization,
        code=data.code.strip(),
        defaults={
            "name": data.name.strip(),
            "kind": data.kind,
            "supplier_id": data.supplier_id,
            "address_line1": data.address_line1,
            "address_line2": data.address_line2,
            "city": data.city,
            "region": data.region,
            "postal_code": data.postal_code,
            "country": data.country.upper(),
            "latitude": data.latitude,
            "longitude": data.longitude,
            "timezone": data.timezone,
            "cutoff_time": data.cutoff_time,
            "shipping_weekdays": "".join(sorted(set(data.shipping_weekdays))),
            "is_active": data.is_active,
            "external_id": data.external_id,
        },
    )


@transaction.atomic
def assign_warehouse(
    *, warehouse: Warehouse, website: Website | None = None, branch: Branch | None = None, priority: int = 100
) -> WarehouseAssignment:
    """Let a website or a branch ship from the warehouse (lower priority is tried first)."""
    if (website is None) == (branch is None):
        raise InvalidInput.on("scope", "choose a website or a branch")
    scope = website or branch
    if scope is not None and scope.organization_id != warehouse.organization_id:
        raise InvalidInput.on("scope", "belongs to another organization")
    if priority < 0:
        raise InvalidInput.on("priority", "must not be negative")
    assignment, _ = WarehouseAssignment.objects.update_or_create(
        warehouse=warehouse, website=website, branch=branch, defaults={"priority": priority}
    )
    return assignment


@transaction.atomic
def upsert_supplier(
    *,
    organization: Organization,
    code: str,
    name: str,
    email: str = "",
    external_id: str = "",
    is_active: bool = True,
) -> Supplier:
    """Create or update the supplier with this code."""
    if not code.strip() or not name.strip():
        raise InvalidInput(
            "invalid supplier", fields={"code" if not code.strip() else "name": ["must not be empty"]}
        )
    if (
        external_id
        and Supplier.objects.filter(organization=organization, external_id=external_id)
        .exclude(code=code.strip())
        .exists()
    ):
        raise InvalidInput.on("external_id", "already used by another supplier")
    supplier, _ = Supplier.objects.update_or_create(
        organization=organization,
        code=code.strip(),
        defaults={"name": name.strip(), "email": email, "external_id": external_id, "is_active": is_active},
    )
    return supplier


@transaction.atomic
def set_supplier_product(
    *,
    supplier: Supplier,
    product: Product,
    supplier_sku: str = "",
    lead_time_days: int = 3,
    can_dropship: bool = False,
) -> SupplierProduct:
    """Say that the supplier sells the product (and whether it ships it straight to customers)."""
    if product.organization_id != supplier.organization_id:
        raise InvalidInput.on("product", "belongs to another organization")
    if lead_time_days < 0:
        raise InvalidInput.on("lead_time_days", "must not be negative")
    row, _ = SupplierProduct.objects.update_or_create(
        supplier=supplier,
        product=product,
        defaults={
            "supplier_sku": supplier_sku,
            "lead_time_days": lead_time_days,
            "can_dropship": can_dropship,
        },
    )
    return row


@transaction.atomic
def configure_website(
    *,
    website: Website,
    allocation_strategy: AllocationStrategy,
    default_backorder_policy: BackorderPolicy = BackorderPolicy.DENY,
) -> WebsiteInventorySettings:
    """The website's allocation strategy and the backorder policy of products without their own."""
    if allocation_strategy not in AllocationStrategy.values:
        raise InvalidInput.on("allocation_strategy", f"one of {sorted(AllocationStrategy.values)}")
    if default_backorder_policy not in BackorderPolicy.values:
        raise InvalidInput.on("default_backorder_policy", f"one of {sorted(BackorderPolicy.values)}")
    settings, _ = WebsiteInventorySettings.objects.update_or_create(
        website=website,
        defaults={
            "allocation_strategy": allocation_strategy,
            "default_backorder_policy": default_backorder_policy,
        },
    )
    return settings


@transaction.atomic
def set_product_backorder_policy(*, product: Product, policy: BackorderPolicy | None) -> None:
    """The product's own policy; None falls back to the website default."""
    if policy is None:
        ProductBackorderPolicy.objects.filter(product=product).delete()
        return
    if policy not in BackorderPolicy.values:
        raise InvalidInput.on("policy", f"one of {sorted(BackorderPolicy.values)}")
    ProductBackorderPolicy.objects.update_or_create(product=product, defaults={"policy": policy})


@transaction.atomic
def set_account_backorder_policy(*, account: Account, policy: BackorderPolicy | None) -> None:
    """An override for every product the account and its children order; None removes it."""
    if policy is None:
        AccountBackorderPolicy.objects.filter(account=account).delete()
        return
    if policy not in BackorderPolicy.values:
        raise InvalidInput.on("policy", f"one of {sorted(BackorderPolicy.values)}")
    AccountBackorderPolicy.objects.update_or_create(account=account, defaults={"policy": policy})
