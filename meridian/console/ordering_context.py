"""The account page's ordering section (customer 360): recent orders and open carts."""

from __future__ import annotations

from django.utils import timezone

from meridian.core.actor import Actor
from meridian.customers.models import Account
from meridian.ordering import queries

ACCOUNT_RECENT_ORDERS = 10
ACCOUNT_OPEN_CARTS = 10


def account_ordering(actor: Actor, account: Account) -> dict[str, object]:
    """Recent orders of the account (and its subtree) and its open carts, abandoned ones marked."""
    # orders+account+placing user; carts+account+owner
    return {
        "recent_orders": list(queries.list_orders(actor=actor, account=account)[:ACCOUNT_RECENT_ORDERS]),
        "open_carts": list(queries.list_open_carts(actor=actor, account=account)[:ACCOUNT_OPEN_CARTS]),
        "now": timezone.now(),
    }
