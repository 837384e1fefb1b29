"""Carts and shopping lists: the current cart, named lists, adding lines by SKU or part number in any
sold unit (MOQ and increment enforced), and marking abandoned carts.

Concurrency: every edit locks the cart row and bumps `version`; an edit that names the version it
last saw (`expected_version`) and finds another raises CartChanged (`cart_changed`), so two browser
tabs cannot silently overwrite each other. The lock alone makes concurrent adds of the same product
merge correctly (no lost update).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from meridian.catalog.errors import ProductNotFound
from meridian.core.actor import Actor, StaffRole
from meridian.core.errors import InvalidInput
from meridian.core.services import record_event
from meridian.customers.models import Account
from meridian.ordering import engine, queries
from meridian.ordering.errors import (
    CartChanged,
    CartLineNotFound,
    CartNotFound,
    CartReadOnly,
    NotListOwner,
    ProductNotOrderable,
    QuantityRuleViolation,
    UnknownUnit,
)
from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services._common import require_orderer, user_id_of
from meridian.tenancy.models import Organization, Website

DEFAULT_ABANDONED_AFTER_HOURS = 24
LIST_NAME_LENGTH = 100
EVENT_CARTS = 1_000  # cart ids per `cart.abandoned` outbox event


# --- current cart and lists -------------------------------------------------------------------


def _account_for(actor: Actor, account: Account | int | str | None) -> Account:
    if account is None:
        if actor.account_id is None:
            raise InvalidInput.on("account", "required when ordering for a customer")
        account = actor.account_id
    return queries.get_orderable_account(actor=actor, reference=account)


@transaction.atomic
def current_cart(*, actor: Actor, account: Account | int | str | None = None) -> Cart:
    """The actor's current cart for the account (a buyer's own account by default), created when there
    is none. One per user and account, backed by a unique constraint (a concurrent create finds the
    other's cart)."""
    organization_id = require_orderer(actor)
    ordering_for = _account_for(actor, account)
    found = queries.find_current_cart(actor=actor, account=ordering_for)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Cart.objects.create(
                organization_id=organization_id,
                account=ordering_for,
                website_id=actor.website_id,
                owner_id=user_id_of(actor),
                kind=Cart.Kind.CART,
            )
    except IntegrityError:
        created = queries.find_current_cart(actor=actor, account=ordering_for)
        if created is None:
            raise
        return created


def _check_list_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > LIST_NAME_LENGTH:
        raise InvalidInput.on("name", f"1 to {LIST_NAME_LENGTH} characters")
    return cleaned


@transaction.atomic
def create_list(
    *,
    actor: Actor,
    name: str,
    account: Account | int | str | None = None,
    is_shared: bool = False,
    is_shared_with_subtree: bool = False,
) -> Cart:
    """A named shopping list; shared lists are visible to (and editable by) the account's buyers, and
    with `is_shared_with_subtree` to the buyers of its child accounts too."""
    organization_id = require_orderer(actor)
    ordering_for = _account_for(actor, account)
    return Cart.objects.create(
        organization_id=organization_id,
        account=ordering_for,
        website_id=actor.website_id,
        owner_id=user_id_of(actor),
        kind=Cart.Kind.LIST,
        name=_check_list_name(name),
        is_shared=is_shared or is_shared_with_subtree,
        is_shared_with_subtree=is_shared_with_subtree,
    )


def _lock_for_edit(
    actor: Actor, cart_id: int, expected_version: int | None, *, owner_only: bool = False
) -> Cart:
    """Lock a visible cart and check the actor may change it and saw its current version."""
    if actor.user_id is None:
        raise CartNotFound(cart_id)
    found = (
        Cart.objects.visible_to(actor)
        .filter(pk=cart_id)
        .select_related("account")
        .select_for_update(of=("self",))
        .first()
    )
    if found is None or found.status == Cart.Status.ORDERED:
        raise CartNotFound(cart_id)
    is_owner = found.owner_id == actor.user_id
    # Visible and not the actor's: a shared list (the account's buyers, staff in scope).
    shared_list = found.kind == Cart.Kind.LIST and found.is_shared
    # Renaming, (un)sharing, deleting: the owner, and for a shared list also the seller's admins
    # (they keep what an account's buyers share tidy); anyone else who sees it, `not_allowed`.
    if not is_owner and owner_only and not (shared_list and actor.staff_role == StaffRole.ADMIN):
        raise NotListOwner(found.pk)
    if not is_owner and not shared_list:
        raise CartReadOnly(found.pk)
    require_orderer(actor)
    if expected_version is not None and expected_version != found.version:
        raise CartChanged(expected=expected_version, current=found.version)
    return found


def _touch(cart: Cart, *, now: dt.datetime | None = None) -> None:
    """A change: next version, fresh `updated_at`, no longer abandoned (1 query)."""
    moment = now or timezone.now()
    Cart.objects.filter(pk=cart.pk).update(
        version=F("version") + 1, updated_at=moment, status=Cart.Status.ACTIVE, abandoned_at=None
    )
    cart.version += 1
    cart.updated_at = moment
    cart.status = Cart.Status.ACTIVE
    cart.abandoned_at = None


@transaction.atomic
def update_list(
    *,
    actor: Actor,
    cart: Cart | int,
    name: str | None = None,
    is_shared: bool | None = None,
    is_shared_with_subtree: bool | None = None,
    expected_version: int | None = None,
) -> Cart:
    """Rename or (un)share a list: its owner, or a seller admin for a shared list (NotListOwner,
    `not_allowed`, for anyone else who sees it). A current cart has neither: InvalidInput on `cart`."""
    found = _lock_for_edit(
        actor, cart.pk if isinstance(cart, Cart) else cart, expected_version, owner_only=True
    )
    if found.kind != Cart.Kind.LIST:
        raise InvalidInput.on("cart", "only shopping lists have a name and sharing")
    if name is not None:
        found.name = _check_list_name(name)
    if is_shared_with_subtree is not None:
        found.is_shared_with_subtree = is_shared_with_subtree
    if is_shared is not None:
        found.is_shared = is_shared
    if found.is_shared_with_subtree:
        found.is_shared = True
    found.save(update_fields=["name", "is_shared", "is_shared_with_subtree"])
    _touch(found)
    return found


@transaction.atomic
def delete_list(*, actor: Actor, cart: Cart | int, expected_version: int | None = None) -> None:
    """Delete a shopping list with its lines: its owner, or a seller admin for a shared list
    (NotListOwner otherwise)."""
    found = _lock_for_edit(
        actor, cart.pk if isinstance(cart, Cart) else cart, expected_version, owner_only=True
    )
    if found.kind != Cart.Kind.LIST:
        raise InvalidInput.on("cart", "a cart is emptied, not deleted")
    found.delete()


@transaction.atomic
def discard_cart(*, actor: Actor, cart: Cart | int, expected_version: int | None = None) -> None:
    """Delete a shopping list, or empty a current cart (the current cart always exists: it keeps its
    id and moves to its next version). Its owner, or a seller admin for a shared list: NotListOwner for
    anyone else who sees it; CartChanged for a stale `expected_version`."""
    found = _lock_for_edit(
        actor, cart.pk if isinstance(cart, Cart) else cart, expected_version, owner_only=True
    )
    if found.kind == Cart.Kind.LIST:
        found.delete()
        return
    CartLine.objects.filter(cart_id=found.pk).delete()
    _touch(found)


# --- lines ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineInput:
    """A line to add: a SKU or the account's part number, a quantity, a unit (the base unit if empty)."""

    reference: str
    quantity: Decimal
    uom: str = ""


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What became of one input line: added (as `sku`, `quantity`, `uom`), or an error code and reason."""

    index: int
    reference: str
    is_added: bool
    sku: str = ""
    quantity: Decimal | None = None
    uom: str = ""
    code: str = ""
    reason: str = ""
    product_id: int | None = None


@dataclass(frozen=True, slots=True)
class AddResult:
    cart: Cart
    outcomes: tuple[LineOutcome, ...]

    @property
    def added(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.is_added)


def _add_lines(cart: Cart, lines: Sequence[LineInput]) -> tuple[LineOutcome, ...]:
    """Resolve, check and write lines in a fixed number of queries: the account's ancestors, part
    numbers, visibility rules, products, units, the cart's lines, one insert, one update, the version.

    A line is checked on the quantity it leaves in the cart (what was there plus what it adds)."""
    ancestors = queries.account_ancestors(account=cart.account)
    view = queries.account_view(account=cart.account, ancestors=ancestors, website_id=cart.website_id)
    resolved = queries.resolve_references(view=view, references=[line.reference for line in lines])
    existing = {(line.product_id, line.uom): line for line in CartLine.objects.filter(cart_id=cart.pk)}
    originals = {key: line.quantity for key, line in existing.items()}
    new: dict[tuple[int, str], CartLine] = {}
    outcomes: list[LineOutcome] = []
    now = timezone.now()
    for index, line in enumerate(lines):
        outcome = _check_line(index, line, resolved, existing, new)
        outcomes.append(outcome)
        if not outcome.is_added:
            continue
        assert outcome.product_id is not None  # an added line names its product
        key = (outcome.product_id, outcome.uom)
        if key in existing:
            existing[key].quantity += line.quantity
        elif key in new:
            new[key].quantity += line.quantity
        else:
            new[key] = CartLine(
                cart_id=cart.pk, product_id=key[0], uom=outcome.uom, quantity=line.quantity, added_at=now
            )
    if new:
        CartLine.objects.bulk_create(list(new.values()))
    updated = [line for key, line in existing.items() if line.quantity != originals[key]]
    if updated:
        CartLine.objects.bulk_update(updated, ["quantity"])
    if new or updated:
        _touch(cart, now=now)
    return tuple(outcomes)


def _check_line(
    index: int,
    line: LineInput,
    resolved: queries.ResolvedReferences,
    existing: dict[tuple[int, str], CartLine],
    new: dict[tuple[int, str], CartLine],
) -> LineOutcome:
    reference = line.reference.strip()
    facts = resolved.find(reference)
    if facts is None:
        return LineOutcome(
            index, reference, False, code=ProductNotFound.code, reason="unknown SKU or part number"
        )
    if not facts.is_orderable:
        return LineOutcome(
            index,
            reference,
            False,
            sku=facts.sku,
            code=ProductNotOrderable.code,
            reason=f"{facts.sku} is {facts.status}",
        )
    uom = (line.uom or facts.base_uom).strip().upper()
    factor = facts.factor(uom)
    if factor is None:
        return LineOutcome(
            index,
            reference,
            False,
            sku=facts.sku,
            uom=uom,
            code=UnknownUnit.code,
            reason=f"{facts.sku} is not sold in {uom}",
        )
    key = (facts.product_id, uom)
    there = existing[key].quantity if key in existing else new[key].quantity if key in new else Decimal(0)
    problem = engine.quantity_input_problem(line.quantity)
    if problem is not None:
        problem = f"quantity {problem}"
    else:
        problem = engine.quantity_problem(
            quantity=there + line.quantity,
            factor=factor,
            minimum=facts.min_order_quantity,
            increment=facts.order_increment,
            base_uom=facts.base_uom,
        )
    if problem is not None:
        return LineOutcome(
            index,
            reference,
            False,
            sku=facts.sku,
            quantity=line.quantity,
            uom=uom,
            code=QuantityRuleViolation.code,
            reason=problem,
        )
    return LineOutcome(
        index, reference, True, sku=facts.sku, quantity=line.quantity, uom=uom, product_id=facts.product_id
    )


def _raise_for(outcome: LineOutcome) -> None:
    """A single add refused: the outcome as the matching domain error."""
    if outcome.code == ProductNotFound.code:
        raise ProductNotFound(outcome.reference)
    if outcome.code == ProductNotOrderable.code:
        raise ProductNotOrderable(sku=outcome.sku, status=outcome.reason.removeprefix(f"{outcome.sku} is "))
    if outcome.code == UnknownUnit.code:
        raise UnknownUnit(sku=outcome.sku, uom=outcome.uom)
    raise QuantityRuleViolation(sku=outcome.sku or outcome.reference, problem=outcome.reason)


@transaction.atomic
def add_to_cart(
    *,
    actor: Actor,
    cart: Cart | int,
    reference: str,
    quantity: Decimal,
    uom: str = "",
    expected_version: int | None = None,
) -> Cart:
    """Add a product by SKU or the account's part number, in any of its units; the same product and
    unit merge into one line. Raises ProductNotFound (unknown or hidden), ProductNotOrderable,
    UnknownUnit, QuantityRuleViolation (the line's resulting quantity breaks the minimum or the
    increment, in base units), CartChanged, CartReadOnly. Returns the cart at its new version."""
    found = _lock_for_edit(actor, cart.pk if isinstance(cart, Cart) else cart, expected_version)
    (outcome,) = _add_lines(found, [LineInput(reference, quantity, uom)])
    if not outcome.is_added:
        _raise_for(outcome)
    return found


@transaction.atomic
def add_lines(
    *, actor: Actor, cart: Cart | int, lines: Sequence[LineInput], expected_version: int | None = None
) -> AddResult:
    """Add many lines at once (quick order, reorder, a list into the cart): good lines are added,
    each bad one is reported with its reason; a fixed number of queries whatever the number of lines."""
    found = _lock_for_edit(actor, cart.pk if isinstance(cart, Cart) else cart, expected_version)
    return AddResult(cart=found, outcomes=_add_lines(found, lines) if lines else ())


def _locked_line(cart: Cart, line_id: int) -> CartLine:
    line = CartLine.objects.filter(cart_id=cart.pk, pk=line_id).select_related("product").first()
    if line is None:
        raise CartLineNotFound(line_id)
    return line


@transaction.atomic
def set_line_quantity(
    *, actor: Actor, cart: Cart | int, line_id: int, quantity: Decimal, expected_version: int | None = None
) -> Cart:
    """Set a line's quantity (0 removes it); the minimum and increment are checked as when adding."""
    found = _lock_for_edit(actor, cart.pk if isinstance(cart, Cart) else cart, expected_version)
    line = _locked_line(found, line_id)
    if quantity == 0:
        line.delete()
        _touch(found)
        return found
    product = line.product
    factor = Decimal(1)
    if line.uom != product.base_uom.upper():
        facts = queries.product_facts(organization_id=found.organization_id, product_ids=[product.pk])[
            product.pk
        ]
        factor = facts.factor(line.uom) or Decimal(1)
    problem = engine.quantity_problem(
        quantity=quantity,
        factor=factor,
        minimum=product.min_order_quantity,
        increment=product.order_increment,
        base_uom=product.base_uom.upper(),
    )
    if problem is not None:
        raise QuantityRuleViolation(sku=product.sku, problem=problem)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    _touch(found)
    return found


@transaction.atomic
def remove_line(*, actor: Actor, cart: Cart | int, line_id: int, expected_version: int | None = None) -> Cart:
    found = _lock_for_edit(actor, cart.pk if isinstance(cart, Cart) else cart, expected_version)
    _locked_line(found, line_id).delete()
    _touch(found)
    return found


@transaction.atomic
def clear_cart(*, actor: Actor, cart: Cart | int, expected_version: int | None = None) -> Cart:
    found = _lock_for_edit(actor, cart.pk if isinstance(cart, Cart) else cart, expected_version)
    CartLine.objects.filter(cart_id=found.pk).delete()
    _touch(found)
    return found


@transaction.atomic
def add_list_to_cart(*, actor: Actor, source: Cart | int, cart: Cart | int | None = None) -> AddResult:
    """Copy a shopping list (or another cart) into the actor's current cart for the list's account."""
    listed = queries.get_cart(actor=actor, cart_id=source.pk if isinstance(source, Cart) else source)
    target = cart if cart is not None else current_cart(actor=actor, account=listed.account_id)
    lines = [LineInput(line.product.sku, line.quantity, line.uom) for line in queries.cart_lines(cart=listed)]
    return add_lines(actor=actor, cart=target, lines=lines)


# --- abandoned carts --------------------------------------------------------------------------


@transaction.atomic
def mark_abandoned_carts(*, organization: Organization, now: dt.datetime | None = None) -> int:
    """Mark carts with lines untouched for the website's `abandoned_cart_hours` (default 24) as
    abandoned; returns how many. Writes `cart.abandoned` outbox events (up to 1,000 carts each).
    A later change to the cart makes it active again. For a periodic job."""
    moment = now or timezone.now()
    hours_by_website = {
        website.pk: _abandoned_hours(website)
        for website in Website.objects.filter(organization=organization).select_related("ordering_settings")
    }
    groups: dict[int, list[int | None]] = {}
    for website_id, hours in hours_by_website.items():
        groups.setdefault(hours, []).append(website_id)
    groups.setdefault(DEFAULT_ABANDONED_AFTER_HOURS, []).append(None)
    has_lines = Exists(CartLine.objects.filter(cart_id=OuterRef("pk")))
    marked: list[int] = []
    for hours, website_ids in sorted(groups.items()):
        candidates = Cart.objects.filter(
            organization=organization,
            kind=Cart.Kind.CART,
            status=Cart.Status.ACTIVE,
            updated_at__lt=moment - timedelta(hours=hours),
        ).filter(has_lines)
        ids = [website_id for website_id in website_ids if website_id is not None]
        scope = candidates.filter(website_id__in=ids) if ids else candidates.none()
        if None in website_ids:
            scope = scope | candidates.filter(website__isnull=True)
        batch = list(scope.values_list("pk", flat=True).order_by("pk"))
        if batch:
            Cart.objects.filter(pk__in=batch, status=Cart.Status.ACTIVE).update(
                status=Cart.Status.ABANDONED, abandoned_at=moment
            )
            marked.extend(batch)
    for start in range(0, len(marked), EVENT_CARTS):
        record_event(
            organization_id=organization.pk,
            aggregate_type="cart",
            aggregate_id="abandoned",
            event_type="cart.abandoned",
            payload={"cart_ids": marked[start : start + EVENT_CARTS], "at": moment.isoformat()},
        )
    return len(marked)


def _abandoned_hours(website: Website) -> int:
    settings = getattr(website, "ordering_settings", None)
    return settings.abandoned_cart_hours if settings is not None else DEFAULT_ABANDONED_AFTER_HOURS
