"""Carts and shopping lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from meridian.catalog.errors import ProductNotFound
from meridian.catalog.models import Product
from meridian.core.errors import NotAllowed, NotFound
from meridian.core.models import OutboxEvent
from meridian.ordering import queries
from meridian.ordering.errors import (
    CartChanged,
    NotListOwner,
    ProductNotOrderable,
    QuantityRuleViolation,
    UnknownUnit,
)
from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import (
    add_list_to_cart,
    add_to_cart,
    clear_cart,
    create_list,
    current_cart,
    delete_list,
    mark_abandoned_carts,
    remove_line,
    set_line_quantity,
    update_list,
)
from tests.catalog.factories import CustomerPartNumberFactory, ProductFactory, VisibilityRuleFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.ordering.conftest import World
from tests.ordering.factories import WebsiteOrderingSettingsFactory

D = Decimal


def lines_of(cart: Cart) -> list[tuple[str, Decimal, str]]:
    return [(line.product.sku, line.quantity, line.uom) for line in queries.cart_lines(cart=cart)]


@pytest.mark.django_db
def test_one_current_cart_per_buyer_and_per_rep_and_account(world: World) -> None:
    buyer_cart = current_cart(actor=world.buyer_actor)
    rep_cart = current_cart(actor=world.rep_actor, account=world.child)

    assert current_cart(actor=world.buyer_actor).pk == buyer_cart.pk
    assert current_cart(actor=world.rep_actor, account=world.child.pk).pk == rep_cart.pk
    assert buyer_cart.pk != rep_cart.pk
    assert (buyer_cart.account_id, rep_cart.account_id) == (world.child.pk, world.child.pk)
    assert (buyer_cart.owner_id, rep_cart.owner_id) == (world.buyer.user_id, world.rep.user_id)


@pytest.mark.django_db
def test_a_rep_has_no_cart_for_an_account_outside_their_scope(world: World) -> None:
    with pytest.raises(NotFound):
        current_cart(actor=world.rep_actor, account=world.other)


@pytest.mark.django_db
def test_add_by_sku_part_number_and_unit_merges_same_product_and_unit(world: World) -> None:
    CustomerPartNumberFactory(account=world.parent, product=world.bolt, part_number="AC-77.1")
    actor = world.buyer_actor
    cart = current_cart(actor=actor)

    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(5))
    add_to_cart(actor=actor, cart=cart, reference="ac 771", quantity=D(3))  # the parent's part number
    add_to_cart(actor=actor, cart=cart, reference="bolt-m8", quantity=D(1), uom="bx")
    updated = add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(20))

    assert lines_of(cart) == [("BOLT-M8", D(8), "EA"), ("BOLT-M8", D(1), "BX"), ("WASHER-8", D(20), "EA")]
    assert updated.version == 5


@pytest.mark.django_db
def test_moq_and_increment_are_enforced_on_the_resulting_quantity(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)

    with pytest.raises(QuantityRuleViolation) as below:
        add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(5))
    add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(10))
    with pytest.raises(QuantityRuleViolation) as off_step:
        add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(5))

    assert str(below.value) == "WASHER-8: 5 EA is below the minimum order quantity of 10 EA"
    assert below.value.code == "quantity_rule_violation"
    assert off_step.value.problem == "15 EA is not a multiple of the order increment of 10 EA"
    assert lines_of(cart) == [("WASHER-8", D(10), "EA")]


@pytest.mark.django_db
def test_unknown_hidden_unorderable_and_bad_unit_are_refused(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    VisibilityRuleFactory(organization=world.organization, product=world.hammer, account=world.child)
    ProductFactory(organization=world.organization, sku="OLD", status=Product.Status.DISCONTINUED)

    with pytest.raises(ProductNotFound):
        add_to_cart(actor=actor, cart=cart, reference="NOPE", quantity=D(1))
    with pytest.raises(ProductNotFound):
        add_to_cart(actor=actor, cart=cart, reference="HAMMER", quantity=D(1))
    with pytest.raises(ProductNotOrderable):
        add_to_cart(actor=actor, cart=cart, reference="OLD", quantity=D(1))
    with pytest.raises(UnknownUnit):
        add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(1), uom="PAL")

    assert lines_of(cart) == []


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    seen = add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(1)).version
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(1), expected_version=seen)  # tab 1

    with pytest.raises(CartChanged) as excinfo:
        add_to_cart(
            actor=actor, cart=cart, reference="BOLT-M8", quantity=D(5), expected_version=seen
        )  # tab 2

    assert (excinfo.value.code, excinfo.value.expected, excinfo.value.current) == (
        "cart_changed",
        seen,
        seen + 1,
    )
    assert lines_of(cart) == [("BOLT-M8", D(2), "EA")]


@pytest.mark.django_db
def test_set_remove_and_clear_lines(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(1), uom="BX")
    add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(10))
    bolt, washer = queries.cart_lines(cart=cart)

    with pytest.raises(QuantityRuleViolation):
        set_line_quantity(actor=actor, cart=cart, line_id=washer.pk, quantity=D(25))
    set_line_quantity(actor=actor, cart=cart, line_id=bolt.pk, quantity=D(3))
    set_line_quantity(actor=actor, cart=cart, line_id=washer.pk, quantity=D(0))
    assert lines_of(cart) == [("BOLT-M8", D(3), "BX")]
    remove_line(actor=actor, cart=cart, line_id=bolt.pk)
    assert lines_of(cart) == []
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(1))
    clear_cart(actor=actor, cart=cart)
    assert lines_of(cart) == []


@pytest.mark.django_db
def test_lists_are_private_unless_shared_and_shared_with_the_subtree_by_flag(world: World) -> None:
    parent_buyer = BuyerUserFactory(account=world.parent, is_buyer=True)
    colleague = BuyerUserFactory(account=world.child, is_buyer=True)
    grandchild = AccountFactory(parent=world.child)
    plant_buyer = BuyerUserFactory(account=grandchild, is_buyer=True)
    owner = world.actor(parent_buyer)
    private = create_list(actor=owner, name="Mine")
    team = create_list(actor=owner, name="Team", is_shared=True)
    group = create_list(actor=owner, name="Group", is_shared_with_subtree=True)
    child_list = create_list(actor=world.buyer_actor, name="Ohio weekly", is_shared=True)

    def names(member: object) -> set[str]:
        return {cart.name for cart in queries.list_shopping_lists(actor=world.actor(member))}  # type: ignore[arg-type]

    assert names(parent_buyer) == {"Mine", "Team", "Group"}
    assert names(world.buyer) == {"Group", "Ohio weekly"}
    assert names(colleague) == {"Group", "Ohio weekly"}
    assert names(plant_buyer) == {"Group"}
    assert names(world.other_buyer) == set()
    with pytest.raises(NotFound):
        queries.get_cart(actor=world.buyer_actor, cart_id=private.pk)
    assert (team.is_shared, group.is_shared, group.is_shared_with_subtree) == (True, True, True)
    assert child_list.account_id == world.child.pk


@pytest.mark.django_db
def test_a_shared_list_takes_lines_from_its_users_but_only_its_owner_renames_it(world: World) -> None:
    colleague = world.actor(BuyerUserFactory(account=world.child, is_buyer=True))
    listed = create_list(actor=world.buyer_actor, name="Weekly", is_shared=True)

    add_to_cart(actor=colleague, cart=listed, reference="BOLT-M8", quantity=D(4))
    with pytest.raises(NotListOwner) as renaming:
        update_list(actor=colleague, cart=listed, name="Mine now")
    with pytest.raises(NotListOwner):
        delete_list(actor=colleague, cart=listed)
    renamed = update_list(actor=world.buyer_actor, cart=listed, name="Weekly bolts", is_shared=False)

    assert renaming.value.code == "not_allowed"
    assert lines_of(listed) == [("BOLT-M8", D(4), "EA")]
    assert (renamed.name, renamed.is_shared) == ("Weekly bolts", False)
    with pytest.raises(NotFound):
        add_to_cart(actor=colleague, cart=listed, reference="BOLT-M8", quantity=D(1))


@pytest.mark.django_db
def test_a_current_cart_is_its_owners_alone(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)
    add_to_cart(actor=world.buyer_actor, cart=cart, reference="BOLT-M8", quantity=D(1))

    with pytest.raises(NotFound):
        queries.get_cart(actor=world.actor(world.other_buyer), cart_id=cart.pk)
    with pytest.raises(NotFound):
        add_to_cart(actor=world.actor(world.other_buyer), cart=cart, reference="BOLT-M8", quantity=D(1))
    with pytest.raises(NotFound):
        queries.get_cart(actor=world.actor(world.other_rep), cart_id=cart.pk)
    with pytest.raises(NotFound):  # the account's own rep: a buyer's cart is theirs
        queries.get_cart(actor=world.rep_actor, cart_id=cart.pk)
    with pytest.raises(NotFound):
        add_to_cart(actor=world.rep_actor, cart=cart, reference="BOLT-M8", quantity=D(1))
    assert lines_of(cart) == [("BOLT-M8", D(1), "EA")]


@pytest.mark.django_db
def test_staff_in_scope_read_and_change_a_shared_list(world: World) -> None:
    shared = create_list(actor=world.buyer_actor, name="Shop floor", is_shared=True)
    private = create_list(actor=world.buyer_actor, name="Mine")

    add_to_cart(actor=world.rep_actor, cart=shared, reference="BOLT-M8", quantity=D(2))

    assert queries.get_cart(actor=world.rep_actor, cart_id=shared.pk).pk == shared.pk
    assert lines_of(shared) == [("BOLT-M8", D(2), "EA")]
    with pytest.raises(NotListOwner):  # only its owner (or a seller admin) renames it
        update_list(actor=world.rep_actor, cart=shared, name="Renamed")
    with pytest.raises(NotFound):
        queries.get_cart(actor=world.rep_actor, cart_id=private.pk)
    with pytest.raises(NotFound):
        queries.get_cart(actor=world.actor(world.other_rep), cart_id=shared.pk)


@pytest.mark.django_db
def test_a_viewer_cannot_have_a_cart(world: World) -> None:
    with pytest.raises(NotAllowed):
        current_cart(actor=world.actor(world.viewer))


@pytest.mark.django_db
def test_a_list_goes_into_the_cart(world: World) -> None:
    actor = world.buyer_actor
    listed = create_list(actor=actor, name="Monthly")
    add_to_cart(actor=actor, cart=listed, reference="WASHER-8", quantity=D(30))
    cart = current_cart(actor=actor)
    add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(10))

    result = add_list_to_cart(actor=actor, source=listed)

    assert result.added == 1
    assert lines_of(cart) == [("WASHER-8", D(40), "EA")]
    assert lines_of(listed) == [("WASHER-8", D(30), "EA")]


@pytest.mark.django_db
def test_abandoned_carts_are_marked_per_website_and_listed_for_their_reps(world: World) -> None:
    WebsiteOrderingSettingsFactory(website=world.website, abandoned_cart_hours=2)
    stale = current_cart(actor=world.buyer_actor)
    add_to_cart(actor=world.buyer_actor, cart=stale, reference="BOLT-M8", quantity=D(1))
    other_cart = current_cart(actor=world.actor(world.other_buyer))
    add_to_cart(actor=world.actor(world.other_buyer), cart=other_cart, reference="BOLT-M8", quantity=D(1))
    empty = current_cart(actor=world.rep_actor, account=world.child)
    now = timezone.now() + timedelta(hours=3)

    marked = mark_abandoned_carts(organization=world.organization, now=now)

    assert marked == 2
    assert [cart.pk for cart in queries.list_abandoned_carts(actor=world.rep_actor)] == [stale.pk]
    assert {cart.pk for cart in queries.list_abandoned_carts(actor=world.admin_actor)} == {
        stale.pk,
        other_cart.pk,
    }
    assert list(queries.list_abandoned_carts(actor=world.buyer_actor)) == []
    assert Cart.objects.get(pk=empty.pk).status == Cart.Status.ACTIVE
    event = OutboxEvent.objects.get(event_type="cart.abandoned")
    assert sorted(event.payload["cart_ids"]) == sorted([stale.pk, other_cart.pk])
    assert mark_abandoned_carts(organization=world.organization, now=now) == 0
    add_to_cart(actor=world.buyer_actor, cart=stale, reference="BOLT-M8", quantity=D(1))
    stale.refresh_from_db()
    assert (stale.status, stale.abandoned_at) == (Cart.Status.ACTIVE, None)


@pytest.mark.django_db
def test_carts_untouched_less_than_the_default_stay_active(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)
    add_to_cart(actor=world.buyer_actor, cart=cart, reference="BOLT-M8", quantity=D(1))

    assert (
        mark_abandoned_carts(organization=world.organization, now=timezone.now() + timedelta(hours=23)) == 0
    )
    assert (
        mark_abandoned_carts(organization=world.organization, now=timezone.now() + timedelta(hours=25)) == 1
    )
    assert CartLine.objects.filter(cart=cart).count() == 1
