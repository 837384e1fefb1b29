"""Pricing settings, price lists and their entries (bulk upsert, audited)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meridian.catalog.models import Product, ProductUnit
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.money import validate_currency
from meridian.core.services import record_event
from meridian.customers.models import Account
from meridian.customers.queries import get_account
from meridian.pricing import queries
from meridian.pricing.errors import (
    InvalidPriceRows,
    PriceEntryNotFound,
    PriceListCodeTaken,
    RowError,
)
from meridian.pricing.models import (
    OPEN_START,
    AccountPricingSettings,
    PriceChange,
    PriceList,
    PriceListEntry,
    Strategy,
    WebsitePricingSettings,
)
from meridian.pricing.services._common import (
    EVENT_CHANGES,
    MAX_UPSERT_ROWS,
    PRICE_STEP,
    QUANTITY_STEP,
    audit_change,
    chunks,
    decimal_error,
    require_pricing_editor,
    window_error,
)
from meridian.tenancy.models import Website

# ---------------------------------------------------------------------------------------------
# Settings


@transaction.atomic
def set_pricing_strategy(*, actor: Actor, website: Website, strategy: Strategy) -> WebsitePricingSettings:
    organization_id = require_pricing_editor(actor)
    if website.organization_id != organization_id:
        raise InvalidInput.on("website", "not found")
    if strategy not in Strategy.values:
        raise InvalidInput.on("strategy", f"one of {sorted(Strategy.values)}")
    current = WebsitePricingSettings.objects.select_for_update(of=("self",)).filter(website=website).first()
    before = current.strategy if current is not None else Strategy.PRIORITY
    row, _ = WebsitePricingSettings.objects.update_or_create(website=website, defaults={"strategy": strategy})
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.website_strategy.changed",
        object_type="website",
        object_id=website.pk,
        before={"strategy": str(before)},
        after={"strategy": str(strategy)},
    )
    return row


@transaction.atomic
def set_assignment_inheritance(
    *, actor: Actor, account: Account, inheritance: AccountPricingSettings.Inheritance
) -> AccountPricingSettings:
    """Whether an account with its own assignments also uses its parent's (account in scope)."""
    organization_id = require_pricing_editor(actor)
    account = get_account(actor=actor, reference=account.pk)
    if inheritance not in AccountPricingSettings.Inheritance.values:
        raise InvalidInput.on("inheritance", f"one of {sorted(AccountPricingSettings.Inheritance.values)}")
    current = AccountPricingSettings.objects.select_for_update(of=("self",)).filter(account=account).first()
    before = (
        current.assignment_inheritance if current is not None else AccountPricingSettings.Inheritance.STOP
    )
    row, _ = AccountPricingSettings.objects.update_or_create(
        account=account, defaults={"assignment_inheritance": inheritance}
    )
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.assignment_inheritance.changed",
        object_type="account",
        object_id=account.pk,
        before={"assignment_inheritance": str(before)},
        after={"assignment_inheritance": str(inheritance)},
    )
    return row


# ---------------------------------------------------------------------------------------------
# Price lists and entries


@dataclass(frozen=True, slots=True)
class PriceListInput:
    """Values for a price list; on update only the names in `present` are applied."""

    code: str = ""
    name: str = ""
    currency: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    is_active: bool = True
    external_id: str = ""
    present: frozenset[str] = frozenset()


def _validate_price_list(
    organization_id: int, data: PriceListInput, names: Collection[str], current: PriceList | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if "code" in names and (not code or len(code) > 40 or any(ch.isspace() for ch in code)):
        errors["code"] = ["1 to 40 characters without spaces"]
    if "name" in names and not data.name.strip():
        errors["name"] = ["must not be empty"]
    if "currency" in names:
        try:
            currency = validate_currency(data.currency)
        except InvalidInput as exc:
            errors.update(exc.fields)
        else:
            if current is not None and currency != current.currency and current.entries.exists():
                errors["currency"] = ["cannot change on a list with entries"]
    window_from = data.valid_from if "valid_from" in names else (current.valid_from if current else None)
    window_to = data.valid_to if "valid_to" in names else (current.valid_to if current else None)
    if problem := window_error(window_from, window_to):
        errors["valid_to"] = [problem]
    if "external_id" in names and data.external_id:
        clash = PriceList.objects.filter(organization_id=organization_id, external_id=data.external_id)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["external_id"] = ["already used"]
    return errors


def _price_list_values(price_list: PriceList) -> dict[str, object]:
    """What the audit compares: every value of the list itself (its entries are PriceChange rows)."""
    return {
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "valid_from": price_list.valid_from,
        "valid_to": price_list.valid_to,
        "is_active": price_list.is_active,
        "external_id": price_list.external_id,
    }


@transaction.atomic
def create_price_list(*, actor: Actor, data: PriceListInput) -> PriceList:
    """A price list of the actor's organization; audited (`pricing.price_list.created`)."""
    organization_id = require_pricing_editor(actor)
    names = {"code", "name", "currency", "valid_from", "valid_to", "external_id"}
    errors = _validate_price_list(organization_id, data, names, None)
    if errors:
        raise InvalidInput("invalid price list", fields=errors)
    if PriceList.objects.filter(organization_id=organization_id, code=data.code.strip()).exists():
        raise PriceListCodeTaken(data.code.strip())
    price_list = PriceList.objects.create(
        organization_id=organization_id,
        code=data.code.strip(),
        name=data.name.strip(),
        currency=validate_currency(data.currency),
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        is_active=data.is_active,
        external_id=data.external_id,
    )
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.price_list.created",
        object_type="price_list",
        object_id=price_list.pk,
        before={},
        after=_price_list_values(price_list),
    )
    return price_list


@transaction.atomic
def update_price_list(*, actor: Actor, price_list: PriceList, data: PriceListInput) -> PriceList:
    """Apply the present fields; the currency stays while the list has entries. Locks the list;
    audited (`pricing.price_list.changed`, old and new values)."""
    organization_id = require_pricing_editor(actor)
    price_list = queries.lock_price_list(
        price_list_id=queries.get_price_list(actor=actor, reference=price_list.pk).pk
    )
    errors = _validate_price_list(organization_id, data, data.present, price_list)
    if errors:
        raise InvalidInput("invalid price list", fields=errors)
    if (
        "code" in data.present
        and PriceList.objects.filter(organization_id=organization_id, code=data.code.strip())
        .exclude(pk=price_list.pk)
        .exists()
    ):
        raise PriceListCodeTaken(data.code.strip())
    before = _price_list_values(price_list)
    for name in data.present:
        value = getattr(data, name)
        if name == "currency":
            value = validate_currency(value)
        elif name in {"code", "name"}:
            value = value.strip()
        setattr(price_list, name, value)
    price_list.save()
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.price_list.changed",
        object_type="price_list",
        object_id=price_list.pk,
        before=before,
        after=_price_list_values(price_list),
    )
    return price_list


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One row of a bulk upsert; the key is (sku, uom, min_quantity, valid_from)."""

    sku: str
    price: Decimal
    min_quantity: Decimal = Decimal(1)
    uom: str = ""  # empty: the product's base unit
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class UpsertReport:
    created: int
    updated: int
    unchanged: int


_EntryKey = tuple[int, str, Decimal, dt.date]


def _product_units(organization_id: int, skus: Sequence[str]) -> dict[str, tuple[int, set[str]]]:
    """sku -> (product id, accepted unit codes), in chunks (2 queries per chunk)."""
    found: dict[str, tuple[int, set[str]]] = {}
    for chunk in chunks(skus):
        rows = Product.objects.filter(organization_id=organization_id, sku__in=list(chunk)).values_list(
            "pk", "sku", "base_uom"
        )
        by_pk = {pk: (sku, {base_uom.upper()}) for pk, sku, base_uom in rows}
        for product_id, code in ProductUnit.objects.filter(product_id__in=list(by_pk)).values_list(
            "product_id", "code"
        ):
            by_pk[product_id][1].add(code.upper())
        found.update({sku: (pk, units) for pk, (sku, units) in by_pk.items()})
    return found


def _validate_rows(
    rows: Sequence[EntryRow], products: Mapping[str, tuple[int, set[str]]], base_units: Mapping[int, str]
) -> tuple[list[RowError], list[tuple[_EntryKey, EntryRow]]]:
    errors: list[RowError] = []
    keyed: list[tuple[_EntryKey, EntryRow]] = []
    seen: dict[_EntryKey, int] = {}
    for number, row in enumerate(rows, start=1):
        before = len(errors)
        product = products.get(row.sku.strip())
        if product is None:
            errors.append(RowError(number, "sku", f"unknown SKU {row.sku!r}"))
        uom = (row.uom or "").strip().upper()
        if product is not None:
            uom = uom or base_units[product[0]]
            if uom not in product[1]:
                errors.append(RowError(number, "uom", f"{row.sku} has no unit {uom}"))
        if problem := decimal_error(row.price, places=4):
            errors.append(RowError(number, "price", problem))
        if problem := decimal_error(row.min_quantity, places=3, positive=True, limit=Decimal(10) ** 9):
            errors.append(RowError(number, "min_quantity", problem))
        if problem := window_error(row.valid_from, row.valid_to):
            errors.append(RowError(number, "valid_to", problem))
        if len(errors) > before or product is None:
            continue
        key = (product[0], uom, row.min_quantity.quantize(QUANTITY_STEP), row.valid_from or OPEN_START)
        if key in seen:
            errors.append(
                RowError(number, "sku", f"same sku, uom, min_quantity and valid_from as row {seen[key]}")
            )
            continue
        seen[key] = number
        keyed.append((key, row))
    return errors, keyed


class EntryAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """What an upsert does (or would do) with one row; `row` counts from 1."""

    row: int
    sku: str
    uom: str
    min_quantity: Decimal
    valid_from: dt.date | None
    action: EntryAction
    old_price: Decimal | None
    new_price: Decimal
    old_valid_to: dt.date | None
    new_valid_to: dt.date | None


@dataclass(frozen=True, slots=True)
class EntryPreview:
    """A dry run of `upsert_price_entries`: every row error, or (none) what each row would change."""

    errors: tuple[RowError, ...]
    changes: tuple[PlannedEntry, ...]

    def count(self, action: EntryAction) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def report(self) -> UpsertReport:
        return UpsertReport(
            created=self.count(EntryAction.CREATE),
            updated=self.count(EntryAction.UPDATE),
            unchanged=self.count(EntryAction.UNCHANGED),
        )


def _validated(
    actor: Actor, price_list: PriceList, rows: Sequence[EntryRow]
) -> tuple[PriceList, list[RowError], list[tuple[_EntryKey, EntryRow]]]:
    organization_id = require_pricing_editor(actor)
    price_list = queries.get_price_list(actor=actor, reference=price_list.pk)
    if len(rows) > MAX_UPSERT_ROWS:
        raise InvalidInput.on("rows", f"at most {MAX_UPSERT_ROWS} rows per call")
    skus = sorted({row.sku.strip() for row in rows})
    products = _product_units(organization_id, skus)
    base_units = _base_units(organization_id, [pk for pk, _ in products.values()])
    errors, keyed = _validate_rows(rows, products, base_units)
    return price_list, errors, keyed


def _key_of(entry: PriceListEntry) -> _EntryKey:
    return (entry.product_id, entry.uom, entry.min_quantity, entry.valid_from or OPEN_START)


def _plan(
    keyed: Sequence[tuple[_EntryKey, EntryRow]], existing: Mapping[_EntryKey, PriceListEntry]
) -> list[tuple[_EntryKey, EntryRow, PriceListEntry | None, EntryAction]]:
    planned: list[tuple[_EntryKey, EntryRow, PriceListEntry | None, EntryAction]] = []
    for key, row in keyed:
        found = existing.get(key)
        if found is None:
            action = EntryAction.CREATE
        elif found.price != row.price.quantize(PRICE_STEP) or found.valid_to != row.valid_to:
            action = EntryAction.UPDATE
        else:
            action = EntryAction.UNCHANGED
        planned.append((key, row, found, action))
    return planned


def preview_price_entries(*, actor: Actor, price_list: PriceList, rows: Sequence[EntryRow]) -> EntryPreview:
    """What `upsert_price_entries` would do with these rows (same validation), writing nothing.

    Row numbers count from 1 in the order given; with any row error, `changes` is empty.
    """
    price_list, errors, keyed = _validated(actor, price_list, rows)
    if errors:
        return EntryPreview(errors=tuple(errors), changes=())
    product_ids = sorted({key[0] for key, _ in keyed})
    existing: dict[_EntryKey, PriceListEntry] = {}
    for chunk in chunks(product_ids):
        for entry in PriceListEntry.objects.filter(price_list=price_list, product_id__in=list(chunk)):
            existing[_key_of(entry)] = entry
    numbers = {id(row): number for number, row in enumerate(rows, start=1)}
    return EntryPreview(
        errors=(),
        changes=tuple(
            PlannedEntry(
                row=numbers[id(row)],
                sku=row.sku.strip(),
                uom=key[1],
                min_quantity=key[2],
                valid_from=row.valid_from,
                action=action,
                old_price=found.price if found is not None else None,
                new_price=row.price.quantize(PRICE_STEP),
                old_valid_to=found.valid_to if found is not None else None,
                new_valid_to=row.valid_to,
            )
            for key, row, found, action in _plan(keyed, existing)
        ),
    )


@transaction.atomic
def upsert_price_entries(*, actor: Actor, price_list: PriceList, rows: Sequence[EntryRow]) -> UpsertReport:
    """Create or update entries by (sku, uom, min_quantity, valid_from), all or nothing.

    Any bad row raises InvalidPriceRows listing every row error, and nothing is applied. Locks the
    list (concurrent upserts into one list run one after the other); audits every price change and
    records `pricing.price_list.entries_changed` outbox events.
    """
    price_list, errors, keyed = _validated(actor, price_list, rows)
    if errors:
        raise InvalidPriceRows(errors)

    price_list = queries.lock_price_list(price_list_id=price_list.pk)
    product_ids = sorted({key[0] for key, _ in keyed})
    existing: dict[_EntryKey, PriceListEntry] = {}
    for chunk in chunks(product_ids):
        for entry in queries.lock_price_entries(price_list=price_list, product_ids=chunk):
            existing[_key_of(entry)] = entry
    now = timezone.now()
    to_create: list[PriceListEntry] = []
    to_update: list[PriceListEntry] = []
    changes: list[tuple[PriceListEntry, Decimal | None, Decimal | None]] = []
    unchanged = 0
    for key, row, found, action in _plan(keyed, existing):
        price = row.price.quantize(PRICE_STEP)
        if found is None:
            entry = PriceListEntry(
                price_list=price_list,
                product_id=key[0],
                uom=key[1],
                min_quantity=key[2],
                price=price,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                updated_at=now,
            )
            to_create.append(entry)
            changes.append((entry, None, price))
        elif action is EntryAction.UPDATE:
            if found.price != price:
                changes.append((found, found.price, price))
            found.price, found.valid_to, found.updated_at = price, row.valid_to, now
            to_update.append(found)
        else:
            unchanged += 1
    PriceListEntry.objects.bulk_create(to_create, batch_size=1_000)
    PriceListEntry.objects.bulk_update(to_update, ["price", "valid_to", "updated_at"], batch_size=1_000)
    _record_entry_changes(actor=actor, price_list=price_list, changes=changes, now=now)
    return UpsertReport(created=len(to_create), updated=len(to_update), unchanged=unchanged)


@transaction.atomic
def update_price_entry(
    *, actor: Actor, entry: PriceListEntry, price: Decimal, valid_to: dt.date | None
) -> PriceListEntry:
    """Change one entry's price and end date (its key stays): the bulk upsert of that one row, so it
    is locked, validated, audited and evented the same way. Bad values raise InvalidInput naming the
    field."""
    require_pricing_editor(actor)
    current = queries.get_price_entry(actor=actor, price_list=entry.price_list, entry_id=entry.pk)
    row = EntryRow(
        sku=current.product.sku,
        price=price,
        min_quantity=current.min_quantity,
        uom=current.uom,
        valid_from=current.valid_from,
        valid_to=valid_to,
    )
    try:
        upsert_price_entries(actor=actor, price_list=current.price_list, rows=[row])
    except InvalidPriceRows as exc:
        fields: dict[str, list[str]] = {}
        for error in exc.rows:
            fields.setdefault(error.field, []).append(error.message)
        raise InvalidInput("invalid price entry", fields=fields) from None
    return PriceListEntry.objects.select_related("product", "price_list").get(pk=current.pk)


@transaction.atomic
def delete_price_entries(*, actor: Actor, price_list: PriceList, entry_ids: Collection[int]) -> int:
    """Remove entries of one list (the chain moves on at the next request), all or nothing: an id
    that is not the list's raises PriceEntryNotFound and removes nothing. Locks the list and the
    entries; audited as changes from their price to none, with the list's outbox event."""
    require_pricing_editor(actor)
    price_list = queries.get_price_list(actor=actor, reference=price_list.pk)
    price_list = queries.lock_price_list(price_list_id=price_list.pk)
    wanted = sorted(set(entry_ids))
    rows = list(
        PriceListEntry.objects.filter(price_list=price_list, pk__in=wanted)
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    missing = set(wanted) - {row.pk for row in rows}
    if missing:
        raise PriceEntryNotFound(min(missing))
    PriceListEntry.objects.filter(pk__in=wanted).delete()
    _record_entry_changes(
        actor=actor,
        price_list=price_list,
        changes=[(row, row.price, None) for row in rows],
        now=timezone.now(),
    )
    return len(rows)


def _base_units(organization_id: int, product_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(product_ids):
        rows = Product.objects.filter(organization_id=organization_id, pk__in=list(chunk))
        found.update((pk, base_uom.upper()) for pk, base_uom in rows.values_list("pk", "base_uom"))
    return found


def _record_entry_changes(
    *,
    actor: Actor,
    price_list: PriceList,
    changes: Sequence[tuple[PriceListEntry, Decimal | None, Decimal | None]],
    now: dt.datetime,
) -> None:
    if not changes:
        return
    PriceChange.objects.bulk_create(
        [
            PriceChange(
                organization_id=price_list.organization_id,
                kind=PriceChange.Kind.ENTRY,
                changed_by_id=actor.user_id,
                changed_at=now,
                price_list=price_list,
                entry_id=entry.pk,
                product_id=entry.product_id,
                uom=entry.uom,
                min_quantity=entry.min_quantity,
                currency=price_list.currency,
                old_price=old,
                new_price=new,
            )
            for entry, old, new in changes
        ],
        batch_size=1_000,
    )
    skus = _skus_by_id(sorted({entry.product_id for entry, _, _ in changes}))
    for chunk in chunks(changes, EVENT_CHANGES):
        record_event(
            organization_id=price_list.organization_id,
            aggregate_type="price_list",
            aggregate_id=price_list.pk,
            event_type="pricing.price_list.entries_changed",
            payload={
                "price_list": price_list.code,
                "currency": price_list.currency,
                "changed_by": actor.user_id,
                "changes": [
                    {
                        "entry_id": entry.pk,
                        "sku": skus.get(entry.product_id, ""),
                        "uom": entry.uom,
                        "min_quantity": str(entry.min_quantity),
                        "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
                        "old_price": str(old) if old is not None else None,
                        "new_price": str(new) if new is not None else None,
                    }
                    for entry, old, new in chunk
                ],
            },
        )


def _skus_by_id(product_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunks(product_ids):
        found.update(Product.objects.filter(pk__in=list(chunk)).values_list("pk", "sku"))
    return found
