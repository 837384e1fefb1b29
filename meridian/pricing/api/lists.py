"""Price lists and entries, assignments, contracts, promotions and coupons, the audit trail, and
`POST /prices/resolve` (shared/API.md).

Price lists are addressed by code (`WEB-USD`), id or `ext:<external_id>`. Price lists,
assignments, promotions and the audit are seller data: buyers get 403. Writes take a staff admin,
sales manager or inside sales role (403 `not_allowed` otherwise, checked before any lookup).
Resolution is for everyone, for an account in their scope (404 otherwise). Prices are live:
nothing is cached, a changed price is what the very next call returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import Id, Reference, error_responses, is_usable_reference
from meridian.catalog import queries as catalog
from meridian.catalog.errors import CategoryNotFound, ProductNotFound
from meridian.catalog.models import Category, Product
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput, NotFound
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound, NotAllowed
from meridian.customers.models import Account, CustomerGroup
from meridian.pricing import queries, services
from meridian.pricing.display import unit_amount
from meridian.pricing.errors import InvalidPriceRows, PriceListNotFound, RowError
from meridian.pricing.models import (
    Contract,
    Coupon,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    Promotion,
)
from meridian.pricing.schemas import (
    AssignmentFilters,
    AssignmentIn,
    AssignmentList,
    AssignmentOut,
    ContractFilters,
    ContractIn,
    ContractList,
    ContractOut,
    CouponIn,
    CouponList,
    CouponOut,
    CouponOutcomeOut,
    EntriesIn,
    EntryFilters,
    EntryIn,
    EntryList,
    EntryOut,
    PriceChangeFilters,
    PriceChangeList,
    PriceChangeOut,
    PriceListFilters,
    PriceListIn,
    PriceListList,
    PriceListOut,
    PriceListPatch,
    PromotionIn,
    PromotionList,
    PromotionOut,
    ResolveIn,
    ResolveOut,
    RowsErrorOut,
    UpsertReportOut,
    applied_out,
    priced_line_out,
)
from meridian.pricing.services import PriceLineRequest
from meridian.tenancy.models import Website
from meridian.tenancy.queries import get_website

router = Router(tags=["pricing"])


# --- references --------------------------------------------------------------------------------


def _require_staff(actor: Actor, action: str) -> None:
    """Price lists, assignments, promotions and the audit are the seller's: buyers get 403."""
    if not actor.is_staff:
        raise NotAllowed(action)


def _price_list(actor: Actor, reference: str | int) -> PriceList:
    if not is_usable_reference(reference):
        raise PriceListNotFound(reference)
    return queries.get_price_list(actor=actor, reference=reference)


def _body_price_list(actor: Actor, reference: str | int) -> PriceList:
    """A price list named in a body or a filter: an unknown one is a bad value for that field."""
    try:
        return _price_list(actor, reference)
    except PriceListNotFound:
        raise InvalidInput.on("price_list", f"no price list {reference}") from None


def _body_account(actor: Actor, reference: str | int) -> Account:
    try:
        if not is_usable_reference(reference):
            raise AccountNotFound(reference)
        return customers.get_account(actor=actor, reference=reference)
    except AccountNotFound:
        raise InvalidInput.on("account", f"no account {reference}") from None


def _body_website(actor: Actor, website_id: int) -> Website:
    try:
        if actor.organization_id is None:
            raise NotFound(f"website {website_id} not found")
        return get_website(organization_id=actor.organization_id, website_id=website_id)
    except NotFound:
        raise InvalidInput.on("website", f"no website {website_id}") from None


def _body_group(actor: Actor, reference: str | int) -> CustomerGroup:
    groups = customers.list_customer_groups(actor=actor)
    text = str(reference)
    found = groups.filter(code=text).first()
    if found is None and text.isascii() and text.isdigit() and is_usable_reference(text):
        found = groups.filter(pk=int(text)).first()
    if found is None:
        raise InvalidInput.on("customer_group", f"no customer group {reference}")
    return found


def _body_category(actor: Actor, reference: str | int) -> Category:
    try:
        if not is_usable_reference(reference):
            raise CategoryNotFound(reference)
        return catalog.get_category(actor=actor, reference=reference)
    except CategoryNotFound:
        raise InvalidInput.on("category", f"no category {reference}") from None


def _body_product(actor: Actor, sku: str) -> Product:
    try:
        return catalog.get_product(actor=actor, reference=sku)
    except ProductNotFound:
        raise InvalidInput.on("product", f"no product {sku}") from None


# --- price lists -------------------------------------------------------------------------------


def _price_list_out(price_list: PriceList, entry_count: int) -> PriceListOut:
    return PriceListOut(
        id=price_list.pk,
        code=price_list.code,
        name=price_list.name,
        currency=price_list.currency,
        valid_from=price_list.valid_from,
        valid_to=price_list.valid_to,
        is_active=price_list.is_active,
        external_id=price_list.external_id,
        entry_count=entry_count,
        created_at=price_list.created_at,
        updated_at=price_list.updated_at,
    )


def _one_price_list_out(actor: Actor, price_list: PriceList) -> PriceListOut:
    # Re-read with its entry count (one query), as stored.
    row = queries.list_price_lists(actor=actor).get(pk=price_list.pk)
    return _price_list_out(row, row.entry_count)  # type: ignore[attr-defined]  # annotated by list_price_lists


@router.get("/price-lists", response={200: PriceListList, **error_responses(403, 422)})
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilters]) -> PriceListList:
    """The organization's price lists by code, with their entry counts (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read price lists")
    lists = queries.list_price_lists(actor=actor)
    if q := filters.q.strip():
        lists = lists.filter(Q(code__icontains=q) | Q(name__icontains=q))
    # count; lists with entry counts
    count, rows = paginate(lists, filters)
    return PriceListList(
        count=count,
        items=[_price_list_out(row, row.entry_count) for row in rows],  # type: ignore[attr-defined]  # annotated
    )


@router.post("/price-lists", response={201: PriceListOut, **error_responses(403, 409, 422)})
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Status[PriceListOut]:
    """Create a price list (admins, sales managers, inside sales); `code` is unique per organization."""
    actor = actor_of(request)
    price_list = services.create_price_list(actor=actor, data=payload.to_input())
    return Status(201, _price_list_out(price_list, 0))


@router.get("/price-lists/{code}", response={200: PriceListOut, **error_responses(403, 404, 422)})
def get_price_list(request: HttpRequest, code: Reference) -> PriceListOut:
    """One price list by code, id or `ext:<external_id>` (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read price lists")
    return _one_price_list_out(actor, _price_list(actor, code))


@router.patch("/price-lists/{code}", response={200: PriceListOut, **error_responses(403, 404, 409, 422)})
def update_price_list(request: HttpRequest, code: Reference, payload: PriceListPatch) -> PriceListOut:
    """Change only the fields sent; the currency stays while the list has entries."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    price_list = services.update_price_list(
        actor=actor, price_list=_price_list(actor, code), data=payload.to_input()
    )
    return _one_price_list_out(actor, price_list)


# --- entries -----------------------------------------------------------------------------------


def _entry_out(entry: PriceListEntry, currency: str) -> EntryOut:
    return EntryOut(
        id=entry.pk,
        sku=entry.product.sku,
        uom=entry.uom,
        min_quantity=entry.min_quantity,
        price=unit_amount(entry.price, currency),
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        updated_at=entry.updated_at,
    )


@router.get("/price-lists/{code}/entries", response={200: EntryList, **error_responses(403, 404, 422)})
def list_price_entries(request: HttpRequest, code: Reference, filters: Query[EntryFilters]) -> EntryList:
    """A list's entries by SKU, unit and tier (staff); several per product and unit make volume tiers."""
    actor = actor_of(request)
    _require_staff(actor, "read price lists")
    price_list = _price_list(actor, code)
    # the list (scope); count; entries+product
    count, entries = paginate(
        queries.list_price_entries(actor=actor, price_list=price_list, sku=filters.sku.strip()), filters
    )
    return EntryList(
        count=count, currency=price_list.currency, items=[_entry_out(e, price_list.currency) for e in entries]
    )


def _rows_error(errors: list[RowError]) -> RowsErrorOut:
    """The error body, with every problem also as `{row, field, message}` (0-based rows)."""
    ordered = sorted(errors, key=lambda error: (error.row, error.field))
    fields: dict[str, list[str]] = {}
    for error in ordered:
        fields.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
    return RowsErrorOut.model_validate(
        {
            "error": {
                "code": InvalidPriceRows.code,
                "message": f"{len(ordered)} row error(s); nothing was applied",
                "fields": fields,
                "rows": [{"row": e.row, "field": e.field, "message": e.message} for e in ordered],
            }
        }
    )


def _as_indexed(errors: list[RowError], indexes: list[int]) -> list[RowError]:
    """The domain numbers rows from 1 among those it was given: back to 0-based indexes of the body."""
    return [RowError(indexes[error.row - 1], error.field, error.message) for error in errors]


@router.put(
    "/price-lists/{code}/entries",
    response={200: UpsertReportOut, 422: RowsErrorOut, **error_responses(403, 404, 409)},
)
def upsert_price_entries(request: HttpRequest, code: Reference, payload: EntriesIn) -> Status[object]:
    """Bulk upsert entries by (sku, uom, min_quantity, valid_from), all or nothing (price editors).

    Every row is checked first; on any problem the answer is 422 `invalid_price_rows` with one
    `{row, field, message}` per problem in `error.rows` (rows are 0-based indexes of the array sent,
    also as `rows.<row>.<field>` in `fields`), and nothing is applied. Answers how many entries
    were created, updated and left unchanged; every price change is audited.
    """
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    price_list = _price_list(actor, code)
    parsed: list[services.EntryRow] = []
    indexes: list[int] = []
    rejected: list[RowError] = []
    for index, raw in enumerate(payload.rows):
        try:
            row = EntryIn.model_validate(raw)
        except PydanticValidationError as exc:
            for problem in exc.errors():
                field = ".".join(str(part) for part in problem["loc"]) or "row"
                rejected.append(RowError(index, field, problem["msg"]))
            continue
        parsed.append(row.to_row())
        indexes.append(index)
    try:
        if rejected:
            # Report the other rows' problems too: a dry run of the rows that did parse.
            preview = services.preview_price_entries(actor=actor, price_list=price_list, rows=parsed)
            return Status(422, _rows_error(rejected + _as_indexed(list(preview.errors), indexes)))
        report = services.upsert_price_entries(actor=actor, price_list=price_list, rows=parsed)
    except InvalidPriceRows as exc:
        return Status(422, _rows_error(_as_indexed(exc.rows, indexes)))
    return Status(
        200, UpsertReportOut(created=report.created, updated=report.updated, unchanged=report.unchanged)
    )


# --- assignments -------------------------------------------------------------------------------


def _assignment_out(assignment: PriceAssignment) -> AssignmentOut:
    target = (
        "website"
        if assignment.website_id
        else "customer_group"
        if assignment.customer_group_id
        else "account"
    )
    return AssignmentOut(
        id=assignment.pk,
        price_list=assignment.price_list.code,
        target=target,
        website=assignment.website_id,
        customer_group=assignment.customer_group_id,
        account=assignment.account_id,
        priority=assignment.priority,
        created_at=assignment.created_at,
    )


@router.get("/price-assignments", response={200: AssignmentList, **error_responses(403, 422)})
def list_price_assignments(request: HttpRequest, filters: Query[AssignmentFilters]) -> AssignmentList:
    """Which lists price which website, customer group or account, by list and priority (staff).

    A sales rep sees assignments to websites and groups, and to their own accounts."""
    actor = actor_of(request)
    _require_staff(actor, "read price assignments")
    price_list = _body_price_list(actor, filters.price_list) if filters.price_list else None
    account = _body_account(actor, filters.account) if filters.account else None
    # count; assignments+list, website, group, account
    count, rows = paginate(
        queries.list_price_assignments(actor=actor, price_list=price_list, account=account), filters
    )
    return AssignmentList(count=count, items=[_assignment_out(row) for row in rows])


@router.post("/price-assignments", response={201: AssignmentOut, **error_responses(403, 409, 422)})
def create_price_assignment(request: HttpRequest, payload: AssignmentIn) -> Status[AssignmentOut]:
    """Assign a list to exactly one of a website, a customer group or an account (price editors)."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    targets = [
        name for name in ("website", "customer_group", "account") if getattr(payload, name) is not None
    ]
    if len(targets) != 1:
        raise InvalidInput.on("target", "give exactly one of website, customer_group or account")
    assignment = services.assign_price_list(
        actor=actor,
        price_list=_body_price_list(actor, payload.price_list),
        website=_body_website(actor, payload.website) if payload.website is not None else None,
        customer_group=_body_group(actor, payload.customer_group)
        if payload.customer_group is not None
        else None,
        account=_body_account(actor, payload.account) if payload.account is not None else None,
        priority=payload.priority,
    )
    return Status(201, _assignment_out(assignment))


@router.delete("/price-assignments/{assignment_id}", response={204: None, **error_responses(403, 404, 422)})
def delete_price_assignment(request: HttpRequest, assignment_id: Id) -> Status[None]:
    """Remove an assignment (price editors); prices follow at once."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    assignment = queries.get_price_assignment(actor=actor, assignment_id=assignment_id)
    services.unassign_price_list(actor=actor, assignment=assignment)
    return Status(204, None)


# --- contracts ---------------------------------------------------------------------------------


def _contract_out(contract: Contract) -> ContractOut:
    return ContractOut(
        id=contract.pk,
        number=contract.number,
        account=contract.account_id,
        price_list=contract.price_list.code,
        applies_to_children=contract.applies_to_children,
        prices_are_final=contract.prices_are_final,
        valid_from=contract.valid_from,
        valid_to=contract.valid_to,
        priority=contract.priority,
        is_active=contract.is_active,
        external_id=contract.external_id,
        terms=contract.terms,
        created_at=contract.created_at,
    )


@router.get("/contracts", response={200: ContractList, **error_responses(404, 422)})
def list_contracts(request: HttpRequest, filters: Query[ContractFilters]) -> ContractList:
    """Contracts on the accounts in your scope (a buyer: their account subtree's), by account."""
    actor = actor_of(request)
    account = None
    if filters.account:
        if not is_usable_reference(filters.account):
            raise AccountNotFound(filters.account)
        account = customers.get_account(actor=actor, reference=filters.account)
    # count; contracts+account, price list
    count, rows = paginate(queries.list_contracts(actor=actor, account=account), filters)
    return ContractList(count=count, items=[_contract_out(row) for row in rows])


@router.post("/contracts", response={201: ContractOut, **error_responses(403, 409, 422)})
def create_contract(request: HttpRequest, payload: ContractIn) -> Status[ContractOut]:
    """Bind an account (optionally its children) to a price list for a period (price editors)."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    contract = services.create_contract(
        actor=actor,
        data=services.ContractInput(
            number=payload.number,
            account=_body_account(actor, payload.account),
            price_list=_body_price_list(actor, payload.price_list),
            applies_to_children=payload.applies_to_children,
            prices_are_final=payload.prices_are_final,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            priority=payload.priority,
            external_id=payload.external_id,
            terms=payload.terms,
        ),
    )
    return Status(201, _contract_out(contract))


# --- promotions and coupons --------------------------------------------------------------------


def _promotion_out(promotion: Promotion, coupon_count: int) -> PromotionOut:
    return PromotionOut(
        id=promotion.pk,
        name=promotion.name,
        kind=promotion.kind,
        value=promotion.value,
        stacking=promotion.stacking,
        priority=promotion.priority,
        currency=promotion.currency,
        buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity,
        requires_coupon=promotion.requires_coupon,
        website=promotion.website_id,
        customer_group=promotion.customer_group_id,
        account=promotion.account_id,
        category=promotion.category_id,
        product=promotion.product.sku if promotion.product is not None else None,
        min_quantity=promotion.min_quantity,
        min_line_amount=promotion.min_line_amount,
        min_order_amount=promotion.min_order_amount,
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        is_active=promotion.is_active,
        external_id=promotion.external_id,
        coupon_count=coupon_count,
        created_at=promotion.created_at,
    )


@router.get("/promotions", response={200: PromotionList, **error_responses(403, 422)})
def list_promotions(request: HttpRequest, page: Query[PageParams]) -> PromotionList:
    """Promotions, active first, by priority, with their coupon counts (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read promotions")
    # count; promotions+product with coupon counts
    count, rows = paginate(queries.list_promotions(actor=actor), page)
    return PromotionList(
        count=count,
        items=[_promotion_out(row, row.coupon_count) for row in rows],  # type: ignore[attr-defined]  # annotated
    )


_PROMOTION_REFERENCES: dict[str, Callable[[Actor, Any], object]] = {
    "website": _body_website,
    "customer_group": _body_group,
    "account": _body_account,
    "category": _body_category,
    "product": _body_product,
}


def promotion_input(
    actor: Actor, sent: dict[str, Any], start: Callable[..., services.PromotionInput]
) -> services.PromotionInput:
    """`start(**values)` with the values sent: condition references resolved (an unknown one is a
    bad value for its field), times read as UTC without an offset. `start` is PromotionInput for a
    new promotion, or `partial(dataclasses.replace, current)` for a change."""
    values = dict(sent)
    for name, resolve in _PROMOTION_REFERENCES.items():
        if values.get(name) is not None:
            values[name] = resolve(actor, values[name])
    for name in ("starts_at", "ends_at"):
        if name in values:
            values[name] = _aware(values[name])
    return start(**values)


@router.post("/promotions", response={201: PromotionOut, **error_responses(403, 409, 422)})
def create_promotion(request: HttpRequest, payload: PromotionIn) -> Status[PromotionOut]:
    """Create a promotion with its conditions (price editors); `requires_coupon` ones apply only
    with one of their coupons (`POST /promotions/{id}/coupons`)."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    promotion = services.create_promotion(
        actor=actor, data=promotion_input(actor, payload.model_dump(), services.PromotionInput)
    )
    return Status(201, _promotion_out(promotion, 0))


@router.get("/promotions/{promotion_id}", response={200: PromotionOut, **error_responses(403, 404, 422)})
def get_promotion(request: HttpRequest, promotion_id: Id) -> PromotionOut:
    """One promotion with its conditions (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read promotions")
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)
    return _promotion_out(promotion, promotion.coupon_count)  # type: ignore[attr-defined]  # annotated


def _aware(moment: datetime | None) -> datetime | None:
    """A datetime without an offset is read as UTC (times are timezone-aware everywhere)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _coupon_out(coupon: Coupon) -> CouponOut:
    return CouponOut(
        id=coupon.pk,
        code=coupon.code,
        usage_limit=coupon.usage_limit,
        per_account_limit=coupon.per_account_limit,
        times_used=coupon.times_used,
        is_active=coupon.is_active,
        created_at=coupon.created_at,
    )


@router.get(
    "/promotions/{promotion_id}/coupons", response={200: CouponList, **error_responses(403, 404, 422)}
)
def list_coupons(request: HttpRequest, promotion_id: Id, page: Query[PageParams]) -> CouponList:
    """A coupon promotion's codes with their limits and uses (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read promotions")
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)
    # the promotion (scope); count; coupons
    count, rows = paginate(queries.list_coupons(actor=actor, promotion=promotion), page)
    return CouponList(count=count, items=[_coupon_out(row) for row in rows])


@router.post(
    "/promotions/{promotion_id}/coupons",
    response={201: CouponOut, **error_responses(403, 404, 409, 422)},
)
def create_coupon(request: HttpRequest, promotion_id: Id, payload: CouponIn) -> Status[CouponOut]:
    """Add a code to a coupon promotion (price editors); codes are unique per organization."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    coupon = services.create_coupon(
        actor=actor,
        promotion=queries.get_promotion(actor=actor, promotion_id=promotion_id),
        code=payload.code,
        usage_limit=payload.usage_limit,
        per_account_limit=payload.per_account_limit,
    )
    return Status(201, _coupon_out(coupon))


# --- the audit trail ---------------------------------------------------------------------------


def _change_out(change: PriceChange) -> PriceChangeOut:
    return PriceChangeOut(
        id=change.pk,
        kind=change.kind,
        changed_at=change.changed_at,
        changed_by=change.changed_by.email if change.changed_by is not None else None,
        price_list=change.price_list.code if change.price_list is not None else None,
        account=change.account_id,
        sku=change.product.sku if change.product is not None else None,
        uom=change.uom,
        min_quantity=change.min_quantity,
        currency=change.currency,
        old_price=change.old_price,
        new_price=change.new_price,
    )


@router.get("/price-changes", response={200: PriceChangeList, **error_responses(403, 422)})
def list_price_changes(request: HttpRequest, filters: Query[PriceChangeFilters]) -> PriceChangeList:
    """Who changed which stored price, when, from what to what; newest first (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read the price audit")
    price_list = _body_price_list(actor, filters.price_list) if filters.price_list else None
    changes = queries.list_price_changes(actor=actor, price_list=price_list)
    if sku := filters.sku.strip():
        changes = changes.filter(product__sku=sku)
    # count; changes+user, list, product, account
    count, rows = paginate(changes, filters)
    return PriceChangeList(count=count, items=[_change_out(row) for row in rows])


# --- resolution --------------------------------------------------------------------------------


@router.post("/prices/resolve", response={200: ResolveOut, **error_responses(404, 422)})
def resolve_prices(request: HttpRequest, payload: ResolveIn) -> ResolveOut:
    """Price a cart for an account in your scope, live: each line's unit price, list price,
    discounts, total and the `source` that made it (list, entry or rule, tier, contract,
    promotions). A line that cannot be priced carries `error` (`product_not_found`, `unknown_uom`,
    `no_price`) and stays out of the totals. A buyer prices their own account subtree, a sales
    rep their accounts, other staff any account of the organization; any other account is 404."""
    actor = actor_of(request)
    if not is_usable_reference(payload.account):
        raise AccountNotFound(payload.account)
    website = _body_website(actor, payload.website) if payload.website is not None else None
    result = services.resolve_prices(
        actor=actor,
        account=payload.account,
        lines=[
            PriceLineRequest(sku=line.sku, quantity=line.quantity, uom=line.uom) for line in payload.lines
        ],
        website_id=website.pk if website is not None else None,
        currency=payload.currency,
        coupon_codes=payload.coupons,
    )
    currency = result.currency
    return ResolveOut(
        account=result.account_id,
        website=result.website_id,
        currency=currency,
        strategy=result.strategy.value,
        lines=[priced_line_out(line, currency) for line in result.lines],
        subtotal=unit_amount(result.subtotal, currency),
        order_adjustments=[applied_out(applied, currency) for applied in result.order_adjustments],
        total=unit_amount(result.total, currency),
        coupons=[CouponOutcomeOut(code=outcome.code, status=outcome.status) for outcome in result.coupons],
        is_complete=result.is_complete,
    )
