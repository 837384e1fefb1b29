"""Setting inventory up: warehouses and who ships from them, suppliers, strategies and backorder policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.forms.models import model_to_dict

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.core.geo import coordinate_errors
from meridian.core.services import record_audit, record_event
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

Values = dict[str, object]


def _values(row: object | None, fields: tuple[str, ...]) -> Values:
    """The audited fields of a row as JSON-friendly values (Decimals, times and dates as text)."""
    if row is None:
        return {}
    values = model_to_dict(row, fields=list(fields))  # type: ignore[arg-type]  # any model row
    return {
        name: value if isinstance(value, bool | int | str) or value is None else str(value)
        for name, value in values.items()
    }


def _record_change(
    *,
    organization_id: int,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    before: Mapping[str, object],
    after: Mapping[str, object],
    event_payload: Mapping[str, object] | None = None,
) -> bool:
    """Audit what changed (only the values that differ) and, for `event_payload`, write the outbox
    event `action` beside it; nothing when nothing changed. Returns whether anything changed."""
    changed = [name for name in after if before.get(name, None) != after[name] or name not in before]
    removed = [name for name in before if name not in after]
    if not changed and not removed:
        return False
    record_audit(
        organization_id=organization_id,
        actor_user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before={name: before[name] for name in [*changed, *removed] if name in before},
        after={name: after[name] for name in changed},
    )
    if event_payload is not None:
        record_event(
            organization_id=organization_id,
            aggregate_type=object_type,
            aggregate_id=object_id,
            event_type=action,
            payload={**event_payload, "changed": sorted({*changed, *removed})},
        )
    return True


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


WAREHOUSE_FIELDS = (
    "name",
    "kind",
    "supplier",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "timezone",
    "cutoff_time",
    "shipping_weekdays",
    "is_active",
    "external_id",
)


@transaction.atomic
def upsert_warehouse(
    *, organization: Organization, data: WarehouseInput, user_id: int | None = None
) -> tuple[Warehouse, bool]:
    """Create or update the warehouse with this code; returns (warehouse, created). Raises InvalidInput.

    Audits what changed and writes `inventory.warehouse_saved` (none when nothing changed); locks
    the warehouse row while comparing, so two editors queue.
    """
    errors = _validate_warehouse(organization, data)
    if errors:
        raise InvalidInput("invalid warehouse", fields=errors)
    code = data.code.strip()
    before = _values(
        Warehouse.objects.select_for_update().filter(organization=organization, code=code).first(),
        WAREHOUSE_FIELDS,
    )
    warehouse, created = Warehouse.objects.update_or_create(
        organization=organization,
        code=code,
        defaults={
            "name": data.name.strip(),
            "kind": data.kind,
            "supplier_id": data.supplier_id,
            "address_line1": data.address_line1.strip(),
            "address_line2": data.address_line2.strip(),
            "city": data.city.strip(),
            "region": data.region.strip(),
            "postal_code": data.postal_code.strip(),
            "country": data.country.strip().upper(),
            "latitude": data.latitude,
            "longitude": data.longitude,
            "timezone": data.timezone,
            "cutoff_time": data.cutoff_time,
            "shipping_weekdays": "".join(sorted(set(data.shipping_weekdays))),
            "is_active": data.is_active,
            "external_id": data.external_id,
        },
    )
    warehouse.refresh_from_db(fields=["latitude", "longitude"])  # as stored: six decimals
    _record_change(
        organization_id=organization.pk,
        user_id=user_id,
        action="inventory.warehouse_saved",
        object_type="warehouse",
        object_id=warehouse.pk,
        before=before,
        after=_values(warehouse, WAREHOUSE_FIELDS),
        event_payload={"code": warehouse.code, "created": created},
    )
    return warehouse, created


def _assignment_payload(assignment: WarehouseAssignment) -> Values:
    return {
        "warehouse_id": assignment.warehouse_id,
        "website_id": assignment.website_id,
        "branch_id": assignment.branch_id,
    }


@transaction.atomic
def assign_warehouse(
    *,
    warehouse: Warehouse,
    website: Website | None = None,
    branch: Branch | None = None,
    priority: int = 100,
    user_id: int | None = None,
) -> WarehouseAssignment:
    """Let a website or a branch ship from the warehouse (lower priority is tried first), or change
    the priority of that assignment. Audited; `inventory.warehouse_assignment_saved` (allocation sees
    the change with its next order through the routing stamp)."""
    if (website is None) == (branch is None):
        raise InvalidInput.on("scope", "choose a website or a branch")
    scope = website or branch
    if scope is not None and scope.organization_id != warehouse.organization_id:
        raise InvalidInput.on("scope", "belongs to another organization")
    if priority < 0:
        raise InvalidInput.on("priority", "must not be negative")
    if priority > MAX_PRIORITY:
        raise InvalidInput.on("priority", f"at most {MAX_PRIORITY}")
    existing = (
        WarehouseAssignment.objects.select_for_update()
        .filter(warehouse=warehouse, website=website, branch=branch)
        .first()
    )
    assignment, _ = WarehouseAssignment.objects.update_or_create(
        warehouse=warehouse, website=website, branch=branch, defaults={"priority": priority}
    )
    _record_change(
        organization_id=warehouse.organization_id,
        user_id=user_id,
        action="inventory.warehouse_assignment_saved",
        object_type="warehouse_assignment",
        object_id=assignment.pk,
        before={**_assignment_payload(assignment), "priority": existing.priority} if existing else {},
        after={**_assignment_payload(assignment), "priority": assignment.priority},
        event_payload=_assignment_payload(assignment),
    )
    return assignment


@transaction.atomic
def unassign_warehouse(
    *, organization: Organization, assignment: WarehouseAssignment, user_id: int | None = None
) -> None:
    """Stop the assignment's website or branch shipping from its warehouse. Audited;
    `inventory.warehouse_assignment_removed`. Removing one already gone does nothing."""
    row = (
        WarehouseAssignment.objects.select_for_update()
        .filter(pk=assignment.pk, warehouse__organization=organization)
        .first()
    )
    if row is None:
        return
    before = {**_assignment_payload(row), "priority": row.priority}
    row.delete()
    _record_change(
        organization_id=organization.pk,
        user_id=user_id,
        action="inventory.warehouse_assignment_removed",
        object_type="warehouse_assignment",
        object_id=assignment.pk,
        before=before,
        after={},
        event_payload=_assignment_payload(assignment),
    )


SUPPLIER_FIELDS = ("name", "email", "external_id", "is_active")
MAX_PRIORITY = 1_000_000
MAX_LEAD_TIME_DAYS = 3650


@transaction.atomic
def upsert_supplier(
    *,
    organization: Organization,
    code: str,
    name: str,
    email: str = "",
    external_id: str = "",
    is_active: bool = True,
    user_id: int | None = None,
) -> Supplier:
    """Create or update the supplier with this code. Raises InvalidInput naming every bad field;
    audited; `inventory.supplier_saved`."""
    code, name, email, external_id = code.strip(), name.strip(), email.strip(), external_id.strip()
    errors: dict[str, list[str]] = {}
    if not code or len(code) > 32 or any(ch.isspace() for ch in code) or code.startswith("ext:"):
        errors["code"] = ["1 to 32 characters without spaces, not starting with ext:"]
    if not name:
        errors["name"] = ["must not be empty"]
    elif len(name) > 200:
        errors["name"] = ["at most 200 characters"]
    if email and not _is_email(email):
        errors["email"] = ["not an e-mail address"]
    if len(external_id) > 100:
        errors["external_id"] = ["at most 100 characters"]
    elif (
        external_id
        and Supplier.objects.filter(organization=organization, external_id=external_id)
        .exclude(code=code)
        .exists()
    ):
        errors["external_id"] = ["already used by another supplier"]
    if errors:
        raise InvalidInput("invalid supplier", fields=errors)
    before = _values(
        Supplier.objects.select_for_update().filter(organization=organization, code=code).first(),
        SUPPLIER_FIELDS,
    )
    supplier, created = Supplier.objects.update_or_create(
        organization=organization,
        code=code,
        defaults={"name": name, "email": email, "external_id": external_id, "is_active": is_active},
    )
    _record_change(
        organization_id=organization.pk,
        user_id=user_id,
        action="inventory.supplier_saved",
        object_type="supplier",
        object_id=supplier.pk,
        before=before,
        after=_values(supplier, SUPPLIER_FIELDS),
        event_payload={"code": supplier.code, "created": created},
    )
    return supplier


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


SUPPLIER_PRODUCT_FIELDS = ("supplier_sku", "lead_time_days", "can_dropship")


@transaction.atomic
def set_supplier_product(
    *,
    supplier: Supplier,
    product: Product,
    supplier_sku: str = "",
    lead_time_days: int = 3,
    can_dropship: bool = False,
    user_id: int | None = None,
) -> SupplierProduct:
    """Say that the supplier sells the product (and whether it ships it straight to customers, in
    how many days). Audited; `inventory.supplier_product_saved` (drop-ship routing and availability
    use it with the next order)."""
    if product.organization_id != supplier.organization_id:
        raise InvalidInput.on("product", "belongs to another organization")
    errors: dict[str, list[str]] = {}
    if lead_time_days < 0:
        errors["lead_time_days"] = ["must not be negative"]
    elif lead_time_days > MAX_LEAD_TIME_DAYS:
        errors["lead_time_days"] = [f"at most {MAX_LEAD_TIME_DAYS}"]
    if len(supplier_sku.strip()) > 64:
        errors["supplier_sku"] = ["at most 64 characters"]
    if errors:
        raise InvalidInput("invalid supplier product", fields=errors)
    before = _values(
        SupplierProduct.objects.select_for_update().filter(supplier=supplier, product=product).first(),
        SUPPLIER_PRODUCT_FIELDS,
    )
    row, _ = SupplierProduct.objects.update_or_create(
        supplier=supplier,
        product=product,
        defaults={
            "supplier_sku": supplier_sku.strip(),
            "lead_time_days": lead_time_days,
            "can_dropship": can_dropship,
        },
    )
    _record_change(
        organization_id=supplier.organization_id,
        user_id=user_id,
        action="inventory.supplier_product_saved",
        object_type="supplier_product",
        object_id=row.pk,
        before=before,
        after=_values(row, SUPPLIER_PRODUCT_FIELDS),
        event_payload={"supplier_id": supplier.pk, "product_id": product.pk},
    )
    return row


@transaction.atomic
def remove_supplier_product(*, supplier: Supplier, product: Product, user_id: int | None = None) -> bool:
    """The supplier no longer sells the product (nor drop-ships it); returns whether it did.
    Audited; `inventory.supplier_product_removed`."""
    row = SupplierProduct.objects.select_for_update().filter(supplier=supplier, product=product).first()
    if row is None:
        return False
    before, pk = _values(row, SUPPLIER_PRODUCT_FIELDS), row.pk
    row.delete()
    _record_change(
        organization_id=supplier.organization_id,
        user_id=user_id,
        action="inventory.supplier_product_removed",
        object_type="supplier_product",
        object_id=pk,
        before=before,
        after={},
        event_payload={"supplier_id": supplier.pk, "product_id": product.pk},
    )
    return True


@transaction.atomic
@transaction.atomic
def configure_website(
    *,
    website: Website,
    allocation_strategy: AllocationStrategy,
    default_backorder_policy: BackorderPolicy = BackorderPolicy.DENY,
    user_id: int | None = None,
) -> WebsiteInventorySettings:
    """The website's allocation strategy and the backorder policy of products without their own.
    Locks the settings row; audited, and `inventory.website_configured` when something changed."""
    if allocation_strategy not in AllocationStrategy.values:
        raise InvalidInput.on("allocation_strategy", f"one of {sorted(AllocationStrategy.values)}")
    if default_backorder_policy not in BackorderPolicy.values:
        raise InvalidInput.on("default_backorder_policy", f"one of {sorted(BackorderPolicy.values)}")
    row = WebsiteInventorySettings.objects.select_for_update().filter(website=website).first()
    before = (
        {
            "allocation_strategy": row.allocation_strategy,
            "default_backorder_policy": row.default_backorder_policy,
        }
        if row
        else {}
    )
    settings, _ = WebsiteInventorySettings.objects.update_or_create(
        website=website,
        defaults={
            "allocation_strategy": allocation_strategy,
            "default_backorder_policy": default_backorder_policy,
        },
    )
    after = {
        "allocation_strategy": str(allocation_strategy),
        "default_backorder_policy": str(default_backorder_policy),
    }
    _record_change(
        organization_id=website.organization_id,
        user_id=user_id,
        action="inventory.website_configured",
        object_type="website",
        object_id=website.pk,
        before=before,
        after=after,
        event_payload={"website_id": website.pk, **after},
    )
    return settings


def _check_policy(policy: BackorderPolicy | None) -> None:
    if policy is not None and policy not in BackorderPolicy.values:
        raise InvalidInput.on("policy", f"one of {sorted(BackorderPolicy.values)}")


@transaction.atomic
def set_product_backorder_policy(
    *, product: Product, policy: BackorderPolicy | None, user_id: int | None = None
) -> None:
    """The product's own policy; None falls back to the website default. Audited;
    `inventory.backorder_policy_changed` when it changes."""
    _check_policy(policy)
    row = ProductBackorderPolicy.objects.select_for_update().filter(product=product).first()
    before = {"policy": row.policy} if row else {}
    if policy is None:
        ProductBackorderPolicy.objects.filter(product=product).delete()
    else:
        ProductBackorderPolicy.objects.update_or_create(product=product, defaults={"policy": policy})
    _record_change(
        organization_id=product.organization_id,
        user_id=user_id,
        action="inventory.backorder_policy_changed",
        object_type="product",
        object_id=product.pk,
        before=before,
        after={"policy": str(policy)} if policy is not None else {},
        event_payload={"product_id": product.pk, "policy": str(policy) if policy is not None else None},
    )


@transaction.atomic
def set_account_backorder_policy(
    *, account: Account, policy: BackorderPolicy | None, user_id: int | None = None
) -> None:
    """An override for every product the account and its children order; None removes it.
    Audited; `inventory.backorder_policy_changed` when it changes."""
    _check_policy(policy)
    row = AccountBackorderPolicy.objects.select_for_update().filter(account=account).first()
    before = {"policy": row.policy} if row else {}
    if policy is None:
        AccountBackorderPolicy.objects.filter(account=account).delete()
    else:
        AccountBackorderPolicy.objects.update_or_create(account=account, defaults={"policy": policy})
    _record_change(
        organization_id=account.organization_id,
        user_id=user_id,
        action="inventory.backorder_policy_changed",
        object_type="account",
        object_id=account.pk,
        before=before,
        after={"policy": str(policy)} if policy is not None else {},
        event_payload={"account_id": account.pk, "policy": str(policy) if policy is not None else None},
    )
