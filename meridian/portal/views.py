"""The buyer portal: catalog browsing and search, product pages, and "My account".

Every page needs a logged-in buyer (`buyer_required`); every object is fetched through
the actor-scoped queries, so another account's id answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from meridian.catalog import queries as catalog
from meridian.catalog.models import Category, Product
from meridian.core.actor import Actor, BuyerRole
from meridian.core.errors import Conflict, RuleViolation
from meridian.customers import queries as customers
from meridian.customers import services as customer_services
from meridian.customers.models import Account, BuyerUser
from meridian.ordering import queries as ordering
from meridian.ordering.services._common import may_order
from meridian.portal.auth import invitation_path
from meridian.portal.availability import AvailabilityText, availability_texts
from meridian.portal.forms import ActiveForm, AddressForm, InviteUserForm, RolesForm, SearchForm
from meridian.portal.ui import PageWindow, actor_of, add_domain_error, buyer_required, page_number
from meridian.pricing import queries as pricing

PRODUCTS_PER_PAGE = 24


@dataclass(slots=True)
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


def category_tree(categories: list[Category]) -> list[CategoryNode]:
    """Nest categories given in tree (path) order; a child whose parent is hidden is dropped too."""
    nodes: dict[str, CategoryNode] = {}
    roots: list[CategoryNode] = []
    for category in categories:
        node = CategoryNode(category)
        if category.depth == 1:
            roots.append(node)
        else:
            parent = nodes.get(category.path[: -category.steplen])
            if parent is None:
                continue
            parent.children.append(node)
        nodes[category.path] = node
    return roots


@buyer_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    tree = category_tree(list(catalog.list_categories(actor=actor)))
    return render(request, "portal/home.html", {"tree": tree})


# A product, the buyer's own part number for it ("" if none) and its availability.
ProductRow = tuple[Product, str, AvailabilityText | None]


def _product_page(
    actor: Actor, request: HttpRequest, *, query: str = "", category: Category | None = None
) -> tuple[list[ProductRow], PageWindow]:
    """One page of visible products (a category's or a search's) with the buyer's part numbers and
    availability (the whole page in one availability call)."""
    number = page_number(request)
    result = catalog.search_products(
        actor=actor,
        query=query,
        category=category,
        limit=PRODUCTS_PER_PAGE,
        offset=(number - 1) * PRODUCTS_PER_PAGE,
    )
    window = PageWindow(number=number, per_page=PRODUCTS_PER_PAGE, count=result.count)
    availability = availability_texts(
        actor=actor, product_ids=[product.pk for product in result.items], now=timezone.now()
    )
    rows = [
        (product, result.part_numbers.get(product.pk, ""), availability.get(product.pk))
        for product in result.items
    ]
    return rows, window


@buyer_required
def category_page(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    category = catalog.get_category(actor=actor, reference=slug)
    rows, window = _product_page(actor, request, category=category)
    context = {
        "category": category,
        "breadcrumbs": catalog.category_breadcrumbs(category),
        "subcategories": list(catalog.list_subcategories(actor=actor, category=category)),
        "rows": rows,
        "page": window,
        # the buyer's live prices for the whole page, in a fixed number of queries
        "prices": pricing.catalog_prices(actor=actor, products=[row[0] for row in rows]),
    }
    return render(request, "portal/category.html", context)


@buyer_required
def search(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    rows, window = _product_page(actor, request, query=query) if query else ([], None)
    context = {
        "form": form,
        "query": query,
        "rows": rows,
        "page": window,
        "prices": pricing.catalog_prices(actor=actor, products=[row[0] for row in rows]),
    }
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    # Search-as-you-type swaps only the results; a history restore needs the whole page.
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, "portal/_search_results.html" if partial else "portal/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@buyer_required
def product_page(request: HttpRequest, sku: str) -> HttpResponse:
    actor = actor_of(request)
    product = catalog.get_product(actor=actor, reference=sku)
    if product.sku != sku:  # found by the buyer's part number: show it under its canonical address
        return redirect("portal:product", sku=product.sku)
    context = {
        "product": product,
        "part_number": catalog.part_numbers_for(actor, [product.pk]).get(product.pk, ""),
        "units": list(product.units.all()),
        "attributes": sorted(product.attributes.items()) if isinstance(product.attributes, dict) else [],
        "breadcrumbs": catalog.category_breadcrumbs(product.category) if product.category else [],
        "price": pricing.catalog_prices(actor=actor, products=[product]).get(product.pk),
        "availability": availability_texts(actor=actor, product_ids=[product.pk], now=timezone.now()).get(
            product.pk
        ),
        "may_order": may_order(actor),
        # the buyer's lists, for "add to a shopping list"
        "lists": list(ordering.list_shopping_lists(actor=actor)) if may_order(actor) else [],
    }
    return render(request, "portal/product.html", context)


# --- My account ------------------------------------------------------------------------------


@buyer_required
def my_account(request: HttpRequest) -> HttpResponse:
    return redirect("portal:account", account_id=actor_of(request).account_id)


def _account_context(actor: Actor, account: Account) -> dict[str, object]:
    subtree = list(customers.list_subtree(actor=actor, account=account))
    return {
        "account": account,
        "ancestors": list(customers.list_ancestors(actor=actor, account=account)),
        # (child, indent below `account`) in tree order, for an indented list
        "descendants": [
            (child, child.depth - account.depth - 1) for child in subtree if child.pk != account.pk
        ],
        "users": list(customers.list_account_users(actor=actor, account=account)),
        "addresses": list(customers.list_addresses(actor=actor, account=account)),
        "can_manage_users": customers.can_manage_users(actor),
        "can_manage_addresses": actor.has_buyer_role(BuyerRole.ADMIN),
    }


@buyer_required
def account_page(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)
    return render(request, "portal/account.html", _account_context(actor, account))


def _require_user_manager(actor: Actor) -> None:
    if not customers.can_manage_users(actor):
        raise PermissionDenied("Only account admins manage users.")


@buyer_required
def invite_user(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    _require_user_manager(actor)
    account = customers.get_account(actor=actor, reference=account_id)
    form = InviteUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            buyer = customer_services.add_buyer_user(
                actor=actor,
                account=account,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
            )
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via buyer_required
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{buyer.user.email} is invited. Send them the link below.")
            return redirect("portal:account_user", account_id=account.pk, user_id=buyer.user_id)
    return render(request, "portal/invite_user.html", {"account": account, "form": form})


def _user_page(
    request: HttpRequest,
    account: Account,
    buyer: BuyerUser,
    *,
    roles_form: RolesForm | None = None,
    active_form: ActiveForm | None = None,
) -> HttpResponse:
    actor = actor_of(request)
    can_manage = customers.can_manage_users(actor)
    invitation_url = ""
    if can_manage and buyer.user.is_active and not buyer.user.has_usable_password():
        invitation_url = request.build_absolute_uri(invitation_path(buyer.user))
    context = {
        "account": account,
        "buyer": buyer,
        "can_manage_users": can_manage,
        "is_self": buyer.user_id == actor.user_id,
        "invitation_url": invitation_url,
        "roles_form": roles_form or RolesForm(initial={"roles": [role.value for role in buyer.roles]}),
        "active_form": active_form
        or ActiveForm(initial={"is_active": "false" if buyer.user.is_active else "true"}),
    }
    return render(request, "portal/account_user.html", context)


@buyer_required
def account_user(request: HttpRequest, account_id: int, user_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)
    buyer = customers.get_account_user(actor=actor, account=account, user_id=user_id)
    return _user_page(request, account, buyer)


@require_POST
@buyer_required
def change_roles(request: HttpRequest, account_id: int, user_id: int) -> HttpResponse:
    actor = actor_of(request)
    _require_user_manager(actor)
    account = customers.get_account(actor=actor, reference=account_id)
    buyer = customers.get_account_user(actor=actor, account=account, user_id=user_id)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            customer_services.set_buyer_roles(actor=actor, buyer=buyer, roles=form.cleaned_data["roles"])
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via buyer_required
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Roles of {buyer.user.email} are saved.")
            return redirect("portal:account_user", account_id=account.pk, user_id=buyer.user_id)
    return _user_page(request, account, buyer, roles_form=form)


@require_POST
@buyer_required
def change_active(request: HttpRequest, account_id: int, user_id: int) -> HttpResponse:
    actor = actor_of(request)
    _require_user_manager(actor)
    account = customers.get_account(actor=actor, reference=account_id)
    buyer = customers.get_account_user(actor=actor, account=account, user_id=user_id)
    form = ActiveForm(request.POST)
    if form.is_valid():
        try:
            buyer = customer_services.set_buyer_active(
                actor=actor, buyer=buyer, is_active=form.cleaned_data["is_active"]
            )
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via buyer_required
            add_domain_error(form, exc)
        else:
            state = "reactivated" if buyer.user.is_active else "deactivated"
            messages.success(request, f"{buyer.user.email} is {state}.")
            return redirect("portal:account_user", account_id=account.pk, user_id=buyer.user_id)
    return _user_page(request, account, buyer, active_form=form)


@buyer_required
def add_address(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    if not actor.has_buyer_role(BuyerRole.ADMIN):
        raise PermissionDenied("Only account admins manage addresses.")
    account = customers.get_account(actor=actor, reference=account_id)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.add_address(actor=actor, account=account, fields=form.to_fields())
        except (Conflict, RuleViolation) as exc:  # NotFound/Forbidden: 404/403 via buyer_required
            add_domain_error(form, exc)
        else:
            messages.success(request, "The address is added.")
            return redirect("portal:account", account_id=account.pk)
    return render(request, "portal/address_form.html", {"account": account, "form": form})
