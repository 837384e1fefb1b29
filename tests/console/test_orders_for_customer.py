"""Order for customer in the console: a rep keeps a cart for an assigned account, sees what the
account's buyers see (catalog, prices with source, availability), and places it through
place_order with channel `rep`; and the account page's recent orders and open carts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from meridian.ordering.models import Cart, CartLine, Order
from meridian.ordering.services import add_to_cart, current_cart, mark_abandoned_carts
from meridian.pricing.models import PriceListEntry
from tests.catalog.factories import CustomerPartNumberFactory, VisibilityRuleFactory
from tests.console.conftest import login as _client
from tests.customers.factories import AddressFactory, BuyerUserFactory
from tests.ordering.conftest import World
from tests.ordering.factories import AccountOrderingSettingsFactory, ShippingMethodFactory, TaxRuleFactory

D = Decimal


def _url(name: str, world: World) -> str:
    return reverse(f"console:{name}", args=[world.child.pk])


def _cart_lines(world: World) -> dict[str, Decimal]:
    return {
        line.product.sku: line.quantity
        for line in CartLine.objects.filter(
            cart__owner=world.rep.user, cart__account=world.child, cart__status=Cart.Status.ACTIVE
        ).select_related("product")
    }


@pytest.mark.django_db
def test_a_rep_orders_only_for_assigned_accounts(world: World) -> None:
    rep = _client(world.rep)
    other_rep = _client(world.other_rep)

    assert rep.get(_url("customer_order", world)).status_code == 200
    assert rep.get(reverse("console:customer_order", args=[world.sibling.pk])).status_code == 404
    assert other_rep.get(_url("customer_order", world)).status_code == 404
    refused = other_rep.post(_url("add_customer_line", world), {"reference": "BOLT-M8", "quantity": "5"})
    assert refused.status_code == 404
    assert not Cart.objects.filter(owner=world.other_rep.user).exists()


@pytest.mark.django_db
def test_opening_the_page_creates_no_cart(world: World) -> None:
    response = _client(world.rep).get(_url("customer_order", world))

    assert b"The cart is empty" in response.content
    assert not Cart.objects.filter(owner=world.rep.user).exists()


@pytest.mark.django_db
def test_lines_by_sku_or_part_number_show_the_customers_prices_sources_and_availability(world: World) -> None:
    CustomerPartNumberFactory(account=world.child, product=world.hammer, part_number="ACME-HAM-1")
    rep = _client(world.rep)

    rep.post(_url("add_customer_line", world), {"reference": "bolt-m8", "quantity": "120"})
    rep.post(_url("add_customer_line", world), {"reference": "acme-ham-1", "quantity": "2"})
    response = rep.get(_url("customer_order", world))

    assert _cart_lines(world) == {"BOLT-M8": D(120), "HAMMER": D(2)}
    rows = {row.line.product.sku: row for row in response.context["rows"]}
    assert rows["BOLT-M8"].priced.priced.unit_price == D("1.80")  # the tier from 100
    assert rows["HAMMER"].priced.priced.unit_price == D("18.00")  # the account's customer price
    assert rows["HAMMER"].priced.priced.source.kind == "customer_price"
    assert rows["HAMMER"].availability.badge == "In stock"
    page = response.content.decode()
    assert "Customer price" in page and "$216.00" in page and "$36.00" in page
    assert response.context["preview"].totals.subtotal == D("252.00")


@pytest.mark.django_db
def test_a_product_hidden_from_the_account_is_refused_like_for_its_buyers(world: World) -> None:
    VisibilityRuleFactory(organization=world.organization, product=world.hammer, account=world.child)

    response = _client(world.rep).post(
        _url("add_customer_line", world), {"reference": "HAMMER", "quantity": "1"}
    )

    assert response.status_code == 422
    assert response.context["add_form"].errors["reference"] == ["HAMMER: not in Acme Ohio's catalog."]
    assert _cart_lines(world) == {}


@pytest.mark.django_db
def test_minimum_and_increment_are_enforced_with_a_clear_message(world: World) -> None:
    response = _client(world.rep).post(
        _url("add_customer_line", world), {"reference": "WASHER-8", "quantity": "15"}
    )

    assert response.status_code == 422
    assert "not a multiple of the order increment of 10 EA" in str(response.context["add_form"].errors)
    assert _cart_lines(world) == {}


@pytest.mark.django_db
def test_quick_order_reports_each_bad_line_by_number_and_adds_the_good_ones(world: World) -> None:
    response = _client(world.rep).post(
        _url("quick_order_lines", world), {"text": "BOLT-M8, 10\nNOPE-1 3\n\nHAMMER 1\nWASHER-8 20"}
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert report.added == 3
    assert [(line.line_number, line.code) for line in report.errors] == [(2, "product_not_found")]
    assert _cart_lines(world) == {"BOLT-M8": D(10), "HAMMER": D(1), "WASHER-8": D(20)}


@pytest.mark.django_db
def test_a_csv_upload_is_reported_like_a_paste_and_xlsx_is_refused_on_the_form(world: World) -> None:
    rep = _client(world.rep)
    csv_file = SimpleUploadedFile("lines.csv", b"sku,quantity\nBOLT-M8,12\nNOPE,1\nHAMMER,1\n", "text/csv")
    sheet = SimpleUploadedFile("lines.xlsx", b"PK\x03\x04", "application/octet-stream")

    uploaded = rep.post(_url("quick_order_lines", world), {"file": csv_file})
    refused = rep.post(_url("quick_order_lines", world), {"file": sheet})
    empty = rep.post(_url("quick_order_lines", world), {"text": "  "})

    report = uploaded.context["report"]
    assert (report.added, [(line.line_number, line.code) for line in report.errors]) == (
        2,
        [(3, "product_not_found")],
    )
    assert refused.status_code == 422
    assert "save the sheet as CSV" in str(refused.context["quick_form"].errors["file"])
    assert empty.context["quick_form"].errors["text"] == ["Paste some lines or choose a file."]
    assert _cart_lines(world) == {"BOLT-M8": D(12), "HAMMER": D(1)}


@pytest.mark.django_db
def test_htmx_answers_the_cart_partial(world: World) -> None:
    response = _client(world.rep).post(
        _url("add_customer_line", world),
        {"reference": "BOLT-M8", "quantity": "5"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "console/orders/_customer_cart.html"
    assert b'id="customer-cart"' in response.content
    assert b"Added BOLT-M8." in response.content


@pytest.mark.django_db
def test_quantities_are_changed_and_lines_removed(world: World) -> None:
    rep = _client(world.rep)
    rep.post(_url("quick_order_lines", world), {"text": "BOLT-M8 10\nHAMMER 1"})
    lines = {line.product.sku: line.pk for line in CartLine.objects.filter(cart__owner=world.rep.user)}

    rep.post(_url("update_customer_cart", world), {f"quantity-{lines['BOLT-M8']}": "30"})
    assert _cart_lines(world) == {"BOLT-M8": D(30), "HAMMER": D(1)}
    rep.post(_url("update_customer_cart", world), {"remove": lines["HAMMER"]})
    assert _cart_lines(world) == {"BOLT-M8": D(30)}
    refused = rep.post(_url("update_customer_cart", world), {f"quantity-{lines['BOLT-M8']}": "-1"})
    assert refused.status_code == 422
    assert _cart_lines(world) == {"BOLT-M8": D(30)}


@pytest.mark.django_db
def test_the_rep_places_the_order_through_the_pipeline_and_it_records_the_rep(world: World) -> None:
    buyers = world.order([(world.bolt, 120), (world.hammer, 2), (world.washer, 20)], po_number="PO-B")
    rep = _client(world.rep)
    rep.post(_url("quick_order_lines", world), {"text": "BOLT-M8 120\nHAMMER 2\nWASHER-8 20"})
    page = rep.get(_url("customer_order", world))
    key = page.context["checkout_form"].initial["idempotency_key"]

    response = rep.post(
        _url("place_customer_order", world),
        {"ship_to": world.address.pk, "po_number": "PO-R", "idempotency_key": key, "notes": "Call first"},
    )

    order = Order.objects.exclude(pk=buyers.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:order", args=[order.number])
    assert (order.channel, order.placed_by_id, order.placed_on_behalf) == ("rep", world.rep.user_id, True)
    assert (order.po_number, order.notes, order.account_id) == ("PO-R", "Call first", world.child.pk)
    theirs = {line.sku: (line.unit_price, line.line_total) for line in buyers.lines.all()}
    ours = {line.sku: (line.unit_price, line.line_total) for line in order.lines.all()}
    assert ours == theirs
    assert _cart_lines(world) == {}  # the cart is ordered; the next one is new


@pytest.mark.django_db
def test_choosing_ship_to_and_shipping_method_prices_the_cart_again(world: World) -> None:
    ShippingMethodFactory(
        website=world.website, code="GROUND", name="Ground", flat_amount=D("9.00"), position=1
    )
    ShippingMethodFactory(
        website=world.website, code="EXPRESS", name="Express", flat_amount=D("25.00"), position=2
    )
    TaxRuleFactory(organization=world.organization, country="US", region="TX", rate_percent=D("10"))
    texas = AddressFactory(account=world.child, city="Austin", region="TX", country="US")
    rep = _client(world.rep)
    rep.post(_url("add_customer_line", world), {"reference": "BOLT-M8", "quantity": "10"})

    default = rep.get(_url("customer_order", world)).context["preview"]
    refreshed = rep.get(
        _url("customer_order", world),
        {"ship_to": texas.pk, "shipping_method": "EXPRESS", "po_number": ""},
        headers={"HX-Request": "true"},
    )

    assert (default.totals.shipping, default.totals.tax) == (D("9.00"), 0)  # Ohio, the first method
    preview = refreshed.context["preview"]
    assert (preview.totals.subtotal, preview.totals.shipping) == (D("20.00"), D("25.00"))
    assert preview.totals.tax == D("4.50")  # 10 % of goods and shipping in Texas
    assert refreshed.templates[0].name == "console/orders/_customer_cart.html"


@pytest.mark.django_db
def test_placing_twice_makes_one_order(world: World) -> None:
    rep = _client(world.rep)
    rep.post(_url("add_customer_line", world), {"reference": "BOLT-M8", "quantity": "5"})
    form = {"ship_to": world.address.pk, "idempotency_key": "k-1"}

    first = rep.post(_url("place_customer_order", world), form)
    second = rep.post(_url("place_customer_order", world), form, follow=True)

    assert first.status_code == 302
    assert Order.objects.count() == 1
    assert b"The cart is empty" in second.content


@pytest.mark.django_db
def test_checkout_rules_show_on_the_form_and_place_nothing(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, requires_po_number=True)
    rep = _client(world.rep)
    rep.post(_url("add_customer_line", world), {"reference": "BOLT-M8", "quantity": "5"})

    response = rep.post(_url("place_customer_order", world), {"ship_to": world.address.pk, "po_number": ""})

    assert response.status_code == 422
    assert response.context["checkout_form"].errors["po_number"]
    assert Order.objects.count() == 0
    assert _cart_lines(world) == {"BOLT-M8": D(5)}


@pytest.mark.django_db
def test_an_empty_cart_is_not_placed(world: World) -> None:
    response = _client(world.rep).post(_url("place_customer_order", world), {"po_number": "x"}, follow=True)

    assert b"The cart is empty: add lines before placing the order." in response.content
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 3])
def test_the_cart_page_query_count_does_not_grow_with_the_lines(
    world: World, lines: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    rep = _client(world.rep)
    text = "\n".join(["BOLT-M8 10", "HAMMER 1", "WASHER-8 10"][:lines])
    rep.post(_url("quick_order_lines", world), {"text": text})

    # the actor (6); account; cart, lines; website, shipping methods, addresses; preview_order (cart,
    # lines, account, website+ordering stamp, ancestors, address, pricing's 7 (no account query: the
    # account is the view's own; its chain, shipping methods and tax rules cached by the post; on
    # PostgreSQL its website, visibility rules, products and part numbers are one statement: 4),
    # product facts and units, availability's 3); warehouses
    with django_assert_num_queries(27 if connection.vendor == "postgresql" else 30):
        response = rep.get(_url("customer_order", world))

    assert len(response.context["rows"]) == lines


@pytest.mark.django_db
def test_a_rep_orders_a_past_order_again_and_sees_what_changed_in_price(world: World) -> None:
    order = world.order([(world.bolt, 10), (world.hammer, 1)])
    PriceListEntry.objects.filter(price_list=world.price_list, product=world.bolt, min_quantity=1).update(
        price=D("2.20")
    )

    response = _client(world.rep).post(reverse("console:reorder", args=[order.number]), follow=True)
    outsider = _client(world.other_rep).post(reverse("console:reorder", args=[order.number]))

    assert response.redirect_chain[-1][0] == _url("customer_order", world)
    assert "2 of 2 lines of" in response.content.decode()
    assert "BOLT-M8 $2.00 → $2.20" in response.content.decode()
    assert _cart_lines(world) == {"BOLT-M8": D(10), "HAMMER": D(1)}
    assert outsider.status_code == 404
    assert not Cart.objects.filter(owner=world.other_rep.user).exists()


# --- the account page: customer 360 -----------------------------------------------------------


@pytest.mark.django_db
def test_the_account_page_shows_recent_orders_and_open_carts_with_abandoned_marked(world: World) -> None:
    order = world.order([(world.bolt, 5)], po_number="PO-360")
    buyer_cart = current_cart(actor=world.buyer_actor)
    add_to_cart(actor=world.buyer_actor, cart=buyer_cart, reference="HAMMER", quantity=D(1))
    mark_abandoned_carts(organization=world.organization, now=timezone.now() + dt.timedelta(hours=25))

    response = _client(world.rep).get(reverse("console:account", args=[world.child.pk]))

    assert [o.number for o in response.context["recent_orders"]] == [order.number]
    assert [(c.pk, c.status) for c in response.context["open_carts"]] == [(buyer_cart.pk, "abandoned")]
    page = response.content.decode()
    assert "PO-360" in page and 'data-abandoned="true"' in page
    assert reverse("console:customer_order", args=[world.child.pk]) in page


@pytest.mark.django_db
@pytest.mark.parametrize("orders", [1, 5])
def test_the_account_pages_ordering_section_costs_two_queries_whatever_it_lists(
    world: World, orders: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(orders):
        world.order([(world.bolt, 5)])
        owner = BuyerUserFactory(account=world.child, is_buyer=True).user
        Cart.objects.create(organization=world.organization, account=world.child, owner=owner)
    rep = _client(world.rep)

    # the actor (6); account, ancestors, subtree, users, addresses; the pricing section (6: contracts,
    # assignments, customer prices, inheritance, rebate statement); orders+account+placing user;
    # carts+account+owner
    with django_assert_num_queries(19):
        response = rep.get(reverse("console:account", args=[world.child.pk]))

    assert len(response.context["recent_orders"]) == len(response.context["open_carts"]) == orders
