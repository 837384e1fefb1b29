"""The seller console: dashboard, accounts and products for staff.

Every page needs a staff login (`staff_required`): a buyer gets a 404 and no data.
Accounts come from the actor-scoped queries, so a sales rep sees only the accounts
assigned to them (directly or through a territory).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meridian.catalog import queries as catalog
from meridian.console.forms import SearchForm
from meridian.console.ordering_context import account_ordering
from meridian.console.pricing_context import account_pricing
from meridian.core.actor import Actor
from meridian.customers import queries as customers
from meridian.customers.models import Account
from meridian.portal.ui import PageWindow, actor_of, page_number, staff_required

ACCOUNTS_PER_PAGE = 50
PRODUCTS_PER_PAGE = 50
DASHBOARD_ACCOUNTS = 10


def _query(request: HttpRequest) -> tuple[SearchForm, str]:
    form = SearchForm(request.GET)
    return form, form.cleaned_data["q"] if form.is_valid() else ""


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    accounts = customers.list_accounts(actor=actor)
    context = {
        "account_count": accounts.count(),
        "product_count": catalog.list_products(actor=actor).count(),
        "accounts": list(accounts[:DASHBOARD_ACCOUNTS]),
    }
    return render(request, "console/dashboard.html", context)


@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form, query = _query(request)
    accounts = customers.list_accounts(actor=actor, search=query)
    page = PageWindow(number=page_number(request), per_page=ACCOUNTS_PER_PAGE, count=accounts.count())
    rows = list(accounts[page.offset : page.offset + page.per_page])
    return render(
        request, "console/accounts.html", {"form": form, "query": query, "accounts": rows, "page": page}
    )


def account_context(actor: Actor, account: Account) -> dict[str, object]:
    """What the account page shows, its pricing section included (also for a failed pricing form)."""
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
        **account_pricing(actor, account),
        **account_ordering(actor, account),
    }


@staff_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)
    return render(request, "console/account.html", account_context(actor, account))


@staff_required
def product_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form, query = _query(request)
    products = catalog.list_products(actor=actor, query=query)
    page = PageWindow(number=page_number(request), per_page=PRODUCTS_PER_PAGE, count=products.count())
    rows = list(products[page.offset : page.offset + page.per_page])
    return render(
        request, "console/products.html", {"form": form, "query": query, "products": rows, "page": page}
    )


@staff_required
def product_detail(request: HttpRequest, sku: str) -> HttpResponse:
    actor = actor_of(request)
    product = catalog.get_product(actor=actor, reference=sku)
    context = {
        "product": product,
        "units": list(product.units.all()),
        "attributes": sorted(product.attributes.items()) if isinstance(product.attributes, dict) else [],
        "breadcrumbs": catalog.category_breadcrumbs(product.category) if product.category else [],
    }
    return render(request, "console/product.html", context)
