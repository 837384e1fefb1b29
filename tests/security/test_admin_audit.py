"""Changes made in the Django admin are audited like the same changes made through the services.

The admin's own forms are submitted as a browser would: the change page is fetched, every field of
its form (inlines and their management forms included) read back, some changed, and posted. Each
audited change (a credit limit, a buyer's roles, a staff role, a price rule, a promotion's
coupon...) must leave exactly one entry naming who made it and the values before and after; an
edit of nothing audited leaves none.
"""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.core.models import AuditEntry
from meridian.customers.models import Account, BuyerUser
from meridian.pricing.models import Coupon, PriceAssignment
from meridian.staff.models import StaffMember
from tests.security.world import World
from tests.staff.factories import StaffMemberFactory


class _FormFields(HTMLParser):
    """The values a browser would submit for the page's main form (`<form id="..._form">`)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in a:
            if tag == "option" and self._select and "selected" in a:
                self.values.setdefault(self._select, []).append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                self.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None


def submit(client: Client, url: str, changes: dict[str, str | None]) -> None:
    """Post the admin form at `url` with `changes` applied (None unticks a checkbox)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    parser = _FormFields()
    parser.feed(page.content.decode())
    data: dict[str, list[str]] = {k: v for k, v in parser.values.items() if "__prefix__" not in k}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]  # saved: back to the list


@pytest.fixture
def superuser(world: World) -> Client:
    member = StaffMemberFactory(organization=world.org, role=StaffRole.ADMIN, user__is_staff=True)
    member.user.is_superuser = True
    member.user.save()
    client = Client()
    client.force_login(member.user)
    client.user_id = member.user_id  # type: ignore[attr-defined]  # for the assertions
    return client


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_a_credit_limit_changed_in_the_admin_is_audited(world: World, superuser: Client) -> None:
    account = world.account_b
    Account.objects.filter(pk=account.pk).update(credit_limit=Decimal("1000.00"))

    submit(superuser, f"/admin/customers/account/{account.pk}/change/", {"credit_limit": "2500.00"})

    (entry,) = _entries("admin.account.changed")
    assert entry.actor_user_id == superuser.user_id  # type: ignore[attr-defined]
    assert (entry.organization_id, entry.object_type, entry.object_id) == (
        world.org.pk,
        "account",
        str(account.pk),
    )
    assert entry.before == {"credit_limit": "1000.00"} and entry.after == {"credit_limit": "2500.00"}
    assert Account.objects.get(pk=account.pk).credit_limit == Decimal("2500.00")


@pytest.mark.django_db
def test_an_admin_edit_of_nothing_audited_writes_no_entry(world: World, superuser: Client) -> None:
    before = AuditEntry.objects.count()

    submit(superuser, f"/admin/customers/account/{world.account_b.pk}/change/", {"name": "Bravo Renamed"})

    assert Account.objects.get(pk=world.account_b.pk).name == "Bravo Renamed"
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_buyer_roles_changed_in_the_admin_are_audited_directly_and_in_the_account_inline(
    world: World, superuser: Client
) -> None:
    member = world.member_a  # role buyer only
    assert (member.is_buyer, member.is_approver) == (True, False)

    submit(superuser, f"/admin/customers/buyeruser/{member.pk}/change/", {"is_approver": "on"})
    account_url = f"/admin/customers/account/{world.account_a.pk}/change/"
    page = superuser.get(account_url).content.decode()
    prefix = next(  # the inline row of member_a, whatever its position
        name.removesuffix("-id")
        for name in _field_names(page)
        if name.startswith("users-") and name.endswith("-id") and _value(page, name) == str(member.pk)
    )
    submit(superuser, account_url, {f"{prefix}-is_buyer": None})

    direct, inline = _entries("admin.buyeruser.changed")
    assert direct.before == {"is_approver": False} and direct.after == {"is_approver": True}
    assert inline.before == {"is_buyer": True} and inline.after == {"is_buyer": False}
    assert {direct.object_id, inline.object_id} == {str(member.pk)}
    member.refresh_from_db()
    assert (member.is_buyer, member.is_approver) == (False, True)


@pytest.mark.django_db
def test_a_staff_role_changed_in_the_admin_is_audited(world: World, superuser: Client) -> None:
    submit(superuser, f"/admin/staff/staffmember/{world.rep_b.pk}/change/", {"role": StaffRole.ADMIN.value})

    (entry,) = _entries("admin.staffmember.changed")
    assert entry.before == {"role": StaffRole.SALES_REP.value} and entry.after == {
        "role": StaffRole.ADMIN.value
    }
    assert StaffMember.objects.get(pk=world.rep_b.pk).role == StaffRole.ADMIN


@pytest.mark.django_db
def test_price_sources_changed_in_the_admin_are_audited(world: World, superuser: Client) -> None:
    assignment = world.price_assignment
    old_priority = assignment.priority

    submit(
        superuser,
        f"/admin/pricing/priceassignment/{assignment.pk}/change/",
        {"priority": str(old_priority + 5)},
    )
    promotion_url = f"/admin/pricing/promotion/{world.promotion.pk}/change/"
    submit(superuser, promotion_url, {"coupons-0-usage_limit": "30"})
    delete = superuser.post(f"/admin/pricing/priceassignment/{assignment.pk}/delete/", {"post": "yes"})

    changed, deleted = _entries("admin.priceassignment.changed"), _entries("admin.priceassignment.deleted")
    assert changed[0].before == {"priority": old_priority} and changed[0].after == {
        "priority": old_priority + 5
    }
    assert delete.status_code == 302 and not PriceAssignment.objects.filter(pk=assignment.pk).exists()
    assert deleted[0].before["price_list"] == world.price_list.pk and deleted[0].after == {}
    (coupon_entry,) = _entries("admin.coupon.changed")
    assert coupon_entry.after == {"usage_limit": 30} and coupon_entry.object_id == str(world.coupon.pk)
    assert Coupon.objects.get(pk=world.coupon.pk).usage_limit == 30
    assert {e.organization_id for e in AuditEntry.objects.filter(action__startswith="admin.")} == {
        world.org.pk
    }


@pytest.mark.django_db
def test_a_refused_admin_form_writes_no_entry(world: World, superuser: Client) -> None:
    url = f"/admin/customers/buyeruser/{world.member_a.pk}/change/"
    before = AuditEntry.objects.count()

    response = superuser.post(url, {"user": "", "account": "", "is_approver": "on"})

    assert response.status_code == 200  # the form again, with its errors
    assert AuditEntry.objects.count() == before
    assert BuyerUser.objects.get(pk=world.member_a.pk).is_approver is False


def _field_names(page: str) -> list[str]:
    parser = _FormFields()
    parser.feed(page)
    return list(parser.values)


def _value(page: str, name: str) -> str:
    parser = _FormFields()
    parser.feed(page)
    return parser.values[name][0]


@pytest.mark.django_db
def test_admin_access_granted_to_a_user_in_the_admin_is_audited_under_their_organization(
    world: World, superuser: Client
) -> None:
    user = world.rep_b.user
    assert (user.is_staff, user.is_superuser) == (False, False)

    submit(superuser, f"/admin/core/user/{user.pk}/change/", {"is_staff": "on", "is_superuser": "on"})

    (entry,) = _entries("admin.user.changed")
    assert (entry.organization_id, entry.object_id) == (world.org.pk, str(user.pk))
    assert entry.before == {"is_staff": False, "is_superuser": False}
    assert entry.after == {"is_staff": True, "is_superuser": True}
    assert "password" not in entry.before and "password" not in entry.after
