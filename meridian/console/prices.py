"""Console pricing pages: price lists and their entries (inline editing with htmx, CSV import with a
dry run), assignments, contracts on the account page, promotions and coupons, the price simulator
and the audit trail of price changes.

Every staff member may read them (a sales rep simulates prices only for their own accounts);
changes take an admin, sales manager or inside sales role (`require_pricing_editor`): anyone else
gets a 403 (after the page's object is looked up, so an object out of scope is a 404 for everyone). Everything goes through the pricing queries and
services, the same ones the API calls; prices are resolved live, never cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from meridian.catalog import queries as catalog
from meridian.catalog.errors import ProductNotFound
from meridian.console.forms import SearchForm
from meridian.console.price_forms import (
    AccountAssignmentForm,
    ChangeFilterForm,
    ContractForm,
    CouponForm,
    EntryFilterForm,
    EntryForm,
    ImportForm,
    InlinePriceForm,
    ListAssignmentForm,
    PriceListEditForm,
    PriceListForm,
    PromotionForm,
    RuleForm,
    SimulatorForm,
    StrategyForm,
    parse_entries_csv,
)
from meridian.console.pricing_context import account_pricing, can_edit_prices
from meridian.console.views import account_context
from meridian.core.actor import Actor
from meridian.core.errors import Conflict, RuleViolation
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account
from meridian.portal.ui import PageWindow, actor_of, add_domain_error, page_number, staff_required
from meridian.pricing import queries, services
from meridian.pricing.display import unit_amount
from meridian.pricing.errors import InvalidPriceRows, RowError
from meridian.pricing.models import PriceList, PriceListEntry, Promotion
from meridian.pricing.services import EntryAction, PriceLineRequest, PriceListInput
from meridian.tenancy.queries import list_websites

PRICE_LISTS_PER_PAGE = 50
ENTRIES_PER_PAGE = 50
PROMOTIONS_PER_PAGE = 50
CHANGES_PER_PAGE = 50
PREVIEW_CHANGES_SHOWN = 500
ACCOUNT_SUGGESTIONS = 200


def _organization_id(actor: Actor) -> int:
    assert actor.organization_id is not None  # staff_required: staff belong to an organization
    return actor.organization_id


def _filters_query(data: QueryDict) -> str:
    """The current filters as a query string for pagination links (without `page`)."""
    return urlencode([(key, value) for key, value in data.items() if key != "page" and value])


def _is_htmx(request: HttpRequest) -> bool:
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    return bool(htmx) and not htmx.history_restore_request


def _price_list(actor: Actor, price_list_id: int) -> PriceList:
    return queries.get_price_list(actor=actor, reference=price_list_id)


# --- price lists -------------------------------------------------------------------------------


@staff_required
def price_list_index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    lists = queries.list_price_lists(actor=actor)
    if query:
        lists = lists.filter(Q(code__icontains=query) | Q(name__icontains=query))
    # count; lists with entry counts
    page = PageWindow(number=page_number(request), per_page=PRICE_LISTS_PER_PAGE, count=lists.count())
    context = {
        "form": form,
        "query": query,
        "price_lists": list(lists[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": _filters_query(request.GET),
        "can_edit_prices": can_edit_prices(actor),
        # websites+strategy (one query)
        "strategies": [
            (website, StrategyForm(initial={"website": website.pk, "strategy": strategy}))
            for website, strategy in queries.website_strategies(actor=actor)
        ],
    }
    return render(request, "console/prices/price_lists.html", context)


@staff_required
def create_price_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    form = PriceListForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            price_list = services.create_price_list(actor=actor, data=PriceListInput(**data))
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via staff_required
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Price list {price_list.code} is created. Add its prices below.")
            return redirect("console:price_list", price_list_id=price_list.pk)
    return render(request, "console/prices/price_list_form.html", {"form": form})


def _edit_form(price_list: PriceList, data: QueryDict | None = None) -> PriceListEditForm:
    initial = {
        "name": price_list.name,
        "valid_from": price_list.valid_from,
        "valid_to": price_list.valid_to,
        "is_active": price_list.is_active,
        "external_id": price_list.external_id,
    }
    return PriceListEditForm(data, initial=initial)


def _inline_form(entry: PriceListEntry, currency: str, data: QueryDict | None = None) -> InlinePriceForm:
    initial = {
        "sku": entry.product.sku,
        "uom": entry.uom,
        "min_quantity": entry.min_quantity,
        "price": unit_amount(entry.price, currency),
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
    }
    return InlinePriceForm(data, initial=initial, prefix=f"e{entry.pk}")


def _detail_page(
    request: HttpRequest,
    price_list: PriceList,
    *,
    edit_form: PriceListEditForm | None = None,
    entry_form: EntryForm | None = None,
    assignment_form: ListAssignmentForm | None = None,
    rule_form: RuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    editor = can_edit_prices(actor)
    organization_id = _organization_id(actor)
    filter_form = EntryFilterForm(request.GET)
    sku = filter_form.cleaned_data["sku"] if filter_form.is_valid() else ""
    # the list (scope); count; entries+product
    entries = queries.list_price_entries(actor=actor, price_list=price_list, sku=sku)
    page = PageWindow(number=page_number(request), per_page=ENTRIES_PER_PAGE, count=entries.count())
    rows = list(entries[page.offset : page.offset + page.per_page])
    context = {
        "price_list": price_list,
        "filter_form": filter_form,
        "rows": [(entry, _inline_form(entry, price_list.currency) if editor else None) for entry in rows],
        "page": page,
        "filters": _filters_query(request.GET),
        "assignments": list(queries.list_price_assignments(actor=actor, price_list=price_list)),
        # contracts+account, price list: only on accounts in the actor's scope
        "contracts": list(queries.list_contracts(actor=actor).filter(price_list_id=price_list.pk)),
        # rules+list, category, product, base list
        "rules": list(queries.list_price_rules(actor=actor, price_list=price_list)),
        "rule_form": (rule_form or rule_form_for(actor)) if editor else None,
        "can_edit_prices": editor,
        "edit_form": edit_form or _edit_form(price_list),
        "entry_form": entry_form or EntryForm(),
        "assignment_form": assignment_form
        or ListAssignmentForm(
            websites=list_websites(organization_id=organization_id),
            groups=customers.list_customer_groups(actor=actor),
        ),
    }
    return render(request, "console/prices/price_list.html", context, status=status)


def rule_form_for(actor: Actor, data: QueryDict | None = None) -> RuleForm:
    """The add-a-rule form, its choices (the organization's lists and categories) loaded when drawn."""
    return RuleForm(
        data,
        price_lists=queries.list_price_lists(actor=actor),
        categories=catalog.list_categories(actor=actor),
    )


def price_list_page_with(request: HttpRequest, price_list: PriceList, rule_form: RuleForm) -> HttpResponse:
    """The price list page again (422) with the rule form that failed."""
    return _detail_page(request, price_list, rule_form=rule_form, status=422)


@staff_required
def price_list_detail(request: HttpRequest, price_list_id: int) -> HttpResponse:
    return _detail_page(request, _price_list(actor_of(request), price_list_id))


@require_POST
@staff_required
def edit_price_list(request: HttpRequest, price_list_id: int) -> HttpResponse:
    actor = actor_of(request)
    price_list = _price_list(actor, price_list_id)  # out of scope: 404 before the role's 403
    services.require_pricing_editor(actor)
    form = _edit_form(price_list, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_price_list(
                actor=actor, price_list=price_list, data=PriceListInput(**data, present=frozenset(data))
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Price list {price_list.code} is saved.")
            return redirect("console:price_list", price_list_id=price_list.pk)
    return _detail_page(request, price_list, edit_form=form, status=422)


def _add_row_errors(form: EntryForm, errors: Sequence[RowError]) -> None:
    for error in errors:
        field = (
            error.field
            if error.field in form.fields and not form.fields[error.field].widget.is_hidden
            else None
        )
        form.add_error(field, error.message)


@require_POST
@staff_required
def save_price_entry(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """Create or change one entry (the same bulk upsert as the API, for one row; audited).

    From the inline editor (htmx) it answers the table row again; otherwise it redirects back."""
    actor = actor_of(request)
    price_list = _price_list(actor, price_list_id)  # out of scope: 404 before the role's 403
    services.require_pricing_editor(actor)
    inline_id = request.POST.get("entry", "")
    entry = None
    if inline_id.isdigit():
        entry = (
            queries.list_price_entries(actor=actor, price_list=price_list).filter(pk=int(inline_id)).first()
        )
    form: EntryForm = (
        _inline_form(entry, price_list.currency, request.POST)
        if entry is not None
        else EntryForm(request.POST)
    )
    saved = False
    if form.is_valid():
        try:
            report = services.upsert_price_entries(actor=actor, price_list=price_list, rows=[form.to_row()])
        except InvalidPriceRows as exc:
            _add_row_errors(form, exc.rows)
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            saved = report.created + report.updated > 0
    if entry is not None and _is_htmx(request):
        entry.refresh_from_db()
        context = {
            "price_list": price_list,
            "entry": entry,
            "form": form if form.errors else _inline_form(entry, price_list.currency),
            "saved": saved,
            "can_edit_prices": True,
        }
        return render(
            request, "console/prices/_entry_row.html", context, status=200 if not form.errors else 422
        )
    if form.is_valid() and not form.errors:
        sku = form.cleaned_data["sku"]
        messages.success(request, f"{sku}: price saved." if saved else f"{sku}: nothing changed.")
        return redirect(f"{reverse('console:price_list', args=[price_list.pk])}?{urlencode({'sku': sku})}")
    return _detail_page(request, price_list, entry_form=form if entry is None else None, status=422)


@staff_required
def import_price_entries(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """CSV import: a dry run lists every row error or every change, and applies nothing; then
    "Apply" sends the same text again, which is checked again and applied all or nothing."""
    actor = actor_of(request)
    price_list = _price_list(actor, price_list_id)  # out of scope: 404 before the role's 403
    services.require_pricing_editor(actor)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"price_list": price_list, "form": form}
    if request.method == "POST" and form.is_valid():
        text = str(form.cleaned_data["text"])
        parsed = parse_entries_csv(text)
        errors = list(parsed.errors)
        applying = request.POST.get("apply") == "1"
        if errors or not applying:
            preview = services.preview_price_entries(actor=actor, price_list=price_list, rows=parsed.rows)
            errors += [RowError(parsed.lines[e.row - 1], e.field, e.message) for e in preview.errors]
            if not errors:
                changes = [
                    (parsed.lines[change.row - 1], change)
                    for change in preview.changes
                    if change.action is not EntryAction.UNCHANGED
                ]
                context.update(
                    {
                        "preview": preview.report,
                        "changes": changes[:PREVIEW_CHANGES_SHOWN],
                        "more_changes": max(len(changes) - PREVIEW_CHANGES_SHOWN, 0),
                        "text": text,
                    }
                )
        else:
            try:
                report = services.upsert_price_entries(actor=actor, price_list=price_list, rows=parsed.rows)
            except InvalidPriceRows as exc:  # the list changed since the dry run
                errors = [RowError(parsed.lines[e.row - 1], e.field, e.message) for e in exc.rows]
            else:
                messages.success(
                    request,
                    f"Imported into {price_list.code}: {report.created} created, {report.updated} updated, "
                    f"{report.unchanged} unchanged.",
                )
                return redirect("console:price_list", price_list_id=price_list.pk)
        context["errors"] = sorted(errors, key=lambda error: (error.row, error.field))
    return render(request, "console/prices/import.html", context)


@require_POST
@staff_required
def assign_price_list(request: HttpRequest, price_list_id: int) -> HttpResponse:
    actor = actor_of(request)
    price_list = _price_list(actor, price_list_id)  # out of scope: 404 before the role's 403
    services.require_pricing_editor(actor)
    form = ListAssignmentForm(
        request.POST,
        websites=list_websites(organization_id=_organization_id(actor)),
        groups=customers.list_customer_groups(actor=actor),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_price_list(
                actor=actor,
                price_list=price_list,
                website=data["website"],
                customer_group=data["customer_group"],
                priority=data["priority"],
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{price_list.code} is assigned.")
            return redirect("console:price_list", price_list_id=price_list.pk)
    return _detail_page(request, price_list, assignment_form=form, status=422)


@require_POST
@staff_required
def delete_price_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor = actor_of(request)
    assignment = queries.get_price_assignment(actor=actor, assignment_id=assignment_id)
    services.require_pricing_editor(actor)
    services.unassign_price_list(actor=actor, assignment=assignment)
    messages.success(request, f"{assignment.price_list.code} is no longer assigned there.")
    if assignment.account_id is not None:
        return redirect(f"{reverse('console:account', args=[assignment.account_id])}#pricing")
    return redirect("console:price_list", price_list_id=assignment.price_list_id)


# --- contracts and price lists on the account page ---------------------------------------------


def _account_page(request: HttpRequest, account: Account, pricing: Mapping[str, object]) -> HttpResponse:
    """The account page again, with the pricing form that failed (and its errors)."""
    context = {**account_context(actor_of(request), account), **pricing}
    return render(request, "console/account.html", context, status=422)


def account_page_with(request: HttpRequest, account: Account, **forms: object) -> HttpResponse:
    """The account page again (422) with these failed pricing forms (`account_pricing`'s names)."""
    return _account_page(request, account, account_pricing(actor_of(request), account, **forms))  # type: ignore[arg-type]  # the forms account_pricing takes


@require_POST
@staff_required
def create_contract(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = ContractForm(request.POST, price_lists=queries.list_price_lists(actor=actor))
    if form.is_valid():
        try:
            contract = services.create_contract(
                actor=actor,
                data=form.to_input(account=account),
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Contract {contract.number} now prices {account.name}.")
            return redirect(f"{reverse('console:account', args=[account.pk])}#pricing")
    return _account_page(request, account, account_pricing(actor, account, contract_form=form))


@require_POST
@staff_required
def assign_account_price_list(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = AccountAssignmentForm(request.POST, price_lists=queries.list_price_lists(actor=actor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_price_list(
                actor=actor, price_list=data["price_list"], account=account, priority=data["priority"]
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{data['price_list'].code} is assigned to {account.name}.")
            return redirect(f"{reverse('console:account', args=[account.pk])}#pricing")
    return _account_page(request, account, account_pricing(actor, account, assignment_form=form))


# --- promotions and coupons --------------------------------------------------------------------


@staff_required
def promotion_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    promotions = queries.list_promotions(actor=actor)
    # count; promotions+product with coupon counts
    page = PageWindow(number=page_number(request), per_page=PROMOTIONS_PER_PAGE, count=promotions.count())
    context = {
        "promotions": list(promotions[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": "",
        "can_edit_prices": can_edit_prices(actor),
    }
    return render(request, "console/prices/promotions.html", context)


def promotion_form_for(
    actor: Actor, data: QueryDict | None = None, initial: Mapping[str, object] | None = None
) -> PromotionForm:
    """The promotion form, its choices (the organization's websites, groups, categories) loaded when drawn."""
    return PromotionForm(
        data,
        initial=initial,
        websites=list_websites(organization_id=_organization_id(actor)),
        groups=customers.list_customer_groups(actor=actor),
        categories=catalog.list_categories(actor=actor),
    )


def promotion_input(
    actor: Actor, form: PromotionForm, current: services.PromotionInput | None = None
) -> services.PromotionInput | None:
    """The promotion a valid form describes (None, with the errors on the form, when its account or
    product is not one of the actor's). Values the form does not show (the ERP id) stay `current`'s."""
    data = form.cleaned_data
    account = product = None
    try:
        if data["account"]:
            account = customers.get_account(actor=actor, reference=data["account"])
    except AccountNotFound:
        form.add_error("account", f"No account {data['account']} in your scope.")
    try:
        if data["product"]:
            product = catalog.get_product(actor=actor, reference=data["product"])
    except ProductNotFound:
        form.add_error("product", f"No product with SKU {data['product']}.")
    if form.errors:
        return None
    return services.PromotionInput(
        name=data["name"],
        kind=Promotion.Kind(data["kind"]),
        value=data["value"],
        stacking=Promotion.Stacking(data["stacking"]),
        priority=data["priority"],
        currency=data["currency"],
        buy_quantity=data["buy_quantity"],
        get_quantity=data["get_quantity"],
        requires_coupon=data["requires_coupon"],
        website=data["website"],
        customer_group=data["customer_group"],
        account=account,
        category=data["category"],
        product=product,
        min_quantity=data["min_quantity"],
        min_line_amount=data["min_line_amount"],
        min_order_amount=data["min_order_amount"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        is_active=data["is_active"],
        external_id=current.external_id if current is not None else "",
    )


@staff_required
def create_promotion(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    form = promotion_form_for(actor, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = promotion_input(actor, form)
        if data is not None:
            try:
                promotion = services.create_promotion(actor=actor, data=data)
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Promotion “{promotion.name}” is created.")
                return redirect("console:promotion", promotion_id=promotion.pk)
    return render(request, "console/prices/promotion_form.html", {"form": form})


def _promotion_page(
    request: HttpRequest, promotion: Promotion, *, coupon_form: CouponForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    editor = can_edit_prices(actor)
    context = {
        "promotion": promotion,
        "coupons": list(queries.list_coupons(actor=actor, promotion=promotion)),
        "can_edit_prices": editor,
        "coupon_form": (coupon_form or CouponForm()) if editor and promotion.requires_coupon else None,
    }
    return render(request, "console/prices/promotion.html", context, status=status)


@staff_required
def promotion_detail(request: HttpRequest, promotion_id: int) -> HttpResponse:
    promotion = queries.get_promotion(actor=actor_of(request), promotion_id=promotion_id)
    return _promotion_page(request, promotion)


@require_POST
@staff_required
def create_coupon(request: HttpRequest, promotion_id: int) -> HttpResponse:
    actor = actor_of(request)
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)
    services.require_pricing_editor(actor)
    form = CouponForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            coupon = services.create_coupon(
                actor=actor,
                promotion=promotion,
                code=data["code"],
                usage_limit=data["usage_limit"],
                per_account_limit=data["per_account_limit"],
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Coupon {coupon.code} is ready.")
            return redirect("console:promotion", promotion_id=promotion.pk)
    return _promotion_page(request, promotion, coupon_form=form, status=422)


# --- the price simulator -----------------------------------------------------------------------


@staff_required
def price_simulator(request: HttpRequest) -> HttpResponse:
    """Price a cart for an account in the actor's scope, with the full trace of every price.

    A GET form (a simulation changes nothing), so a simulation is a link one can share."""
    actor = actor_of(request)
    websites = list_websites(organization_id=_organization_id(actor))
    form = SimulatorForm(request.GET if "account" in request.GET else None, websites=websites)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.resolve_prices(
                actor=actor,
                account=data["account"],
                lines=[
                    PriceLineRequest(sku=sku, quantity=quantity, uom=uom)
                    for sku, quantity, uom in data["lines"]
                ],
                website_id=data["website"].pk if data["website"] else None,
                coupon_codes=data["coupons"],
            )
        except AccountNotFound:
            form.add_error("account", f"No account {data['account']} in your scope.")
        except RuleViolation as exc:
            add_domain_error(form, exc)
    context = {
        "form": form,
        "result": result,
        "website": next((w for w in websites if result is not None and w.pk == result.website_id), None),
        "account": customers.find_account(actor=actor, reference=result.account_id) if result else None,
        "accounts": list(customers.list_accounts(actor=actor)[:ACCOUNT_SUGGESTIONS]),
    }
    if _is_htmx(request):
        return render(request, "console/prices/_simulation.html", {**context, "partial": True})
    return render(request, "console/prices/simulator.html", context)


# --- the audit trail ---------------------------------------------------------------------------


@staff_required
def price_changes(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ChangeFilterForm(request.GET, price_lists=queries.list_price_lists(actor=actor))
    price_list, sku = None, ""
    if form.is_valid():
        price_list, sku = form.cleaned_data["price_list"], form.cleaned_data["sku"]
    changes = queries.list_price_changes(actor=actor, price_list=price_list)
    if sku:
        changes = changes.filter(product__sku=sku)
    # count; changes+user, list, product, account
    page = PageWindow(number=page_number(request), per_page=CHANGES_PER_PAGE, count=changes.count())
    context = {
        "form": form,
        "changes": list(changes[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": _filters_query(request.GET),
    }
    return render(request, "console/prices/changes.html", context)
