"""Coupon redemption: total and per-account limits, all or nothing, idempotent, safe under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meridian.customers.models import Account
from meridian.pricing.errors import CouponAccountLimitReached, CouponExhausted, CouponNotFound
from meridian.pricing.models import Coupon, CouponRedemption
from meridian.pricing.services import redeem_coupons
from tests.customers.factories import AccountFactory
from tests.pricing.factories import CouponFactory


def _coupon(account: Account, code: str, **limits: object) -> Coupon:
    return CouponFactory(promotion__organization=account.organization, code=code, **limits)


@pytest.mark.django_db
def test_redeeming_counts_one_use_per_order() -> None:
    account = AccountFactory()
    coupon = _coupon(account, "SAVE", usage_limit=10)

    redeem_coupons(account=account, codes=["save"], order_reference="SO-1")

    coupon.refresh_from_db()
    assert coupon.times_used == 1
    assert list(CouponRedemption.objects.values_list("account_id", "order_reference")) == [
        (account.pk, "SO-1")
    ]


@pytest.mark.parametrize(
    ("limits", "prior", "error"),
    [
        ({"usage_limit": 1}, "other", CouponExhausted),  # used once by anyone
        ({"per_account_limit": 1}, "same", CouponAccountLimitReached),
        ({"per_account_limit": 2}, "same", None),
        ({"per_account_limit": 1}, "other", None),  # another account's use does not count
        ({"usage_limit": 2, "per_account_limit": 5}, "other", None),
    ],
)
@pytest.mark.django_db
def test_coupon_limits(limits: dict[str, int], prior: str, error: type[Exception] | None) -> None:
    account = AccountFactory()
    other = AccountFactory(organization=account.organization)
    coupon = _coupon(account, "SAVE", **limits)
    redeem_coupons(account=account if prior == "same" else other, codes=["SAVE"], order_reference="SO-1")

    if error is None:
        redeem_coupons(account=account, codes=["SAVE"], order_reference="SO-2")
        expected_uses = 2
    else:
        with pytest.raises(error):
            redeem_coupons(account=account, codes=["SAVE"], order_reference="SO-2")
        expected_uses = 1

    coupon.refresh_from_db()
    assert coupon.times_used == expected_uses == CouponRedemption.objects.count()


@pytest.mark.django_db
def test_redemption_is_all_or_nothing_and_idempotent_per_order() -> None:
    account = AccountFactory()
    good = _coupon(account, "GOOD")
    _coupon(account, "GONE", usage_limit=1, times_used=1)

    with pytest.raises(CouponExhausted):
        redeem_coupons(account=account, codes=["GOOD", "GONE"], order_reference="SO-1")
    with pytest.raises(CouponNotFound):
        redeem_coupons(account=account, codes=["GOOD", "NOPE"], order_reference="SO-1")
    good.refresh_from_db()
    assert good.times_used == 0 and CouponRedemption.objects.count() == 0

    redeem_coupons(account=account, codes=["GOOD"], order_reference="SO-2")
    again = redeem_coupons(account=account, codes=["GOOD"], order_reference="SO-2")

    good.refresh_from_db()
    assert again == [] and good.times_used == 1


@pytest.mark.django_db
def test_another_organizations_coupon_is_not_found() -> None:
    account = AccountFactory()
    CouponFactory(code="SAVE")

    with pytest.raises(CouponNotFound):
        redeem_coupons(account=account, codes=["SAVE"], order_reference="SO-1")


@pytest.mark.postgres
@pytest.mark.django_db
def test_redemption_locks_the_coupon_before_counting() -> None:
    account = AccountFactory()
    _coupon(account, "SAVE", usage_limit=5)

    with CaptureQueriesContext(connection) as captured:
        redeem_coupons(account=account, codes=["SAVE"], order_reference="SO-1")

    sqls = [q["sql"] for q in captured.captured_queries]
    lock = next(i for i, sql in enumerate(sqls) if "FOR UPDATE" in sql)
    update = next(i for i, sql in enumerate(sqls) if sql.startswith("UPDATE"))
    assert 'ORDER BY "pricing_coupon"."id"' in sqls[lock] and lock < update


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_exceed_the_limit() -> None:
    account = AccountFactory()
    coupon = _coupon(account, "LAST", usage_limit=3, per_account_limit=None)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt(number: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                redeem_coupons(account=account, codes=["LAST"], order_reference=f"SO-{number}")
            outcomes.append("ok")
        except CouponExhausted:
            outcomes.append("exhausted")
        finally:
            connection.close()  # each thread has its own connection: close it for teardown

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    coupon.refresh_from_db()
    assert sorted(outcomes) == ["exhausted"] * 5 + ["ok"] * 3
    assert coupon.times_used == 3 == CouponRedemption.objects.count()
