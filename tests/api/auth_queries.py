"""What authenticating an API request costs, for the query-count tests (meridian.api.auth.BearerToken)."""

from __future__ import annotations

from django.db import connection


def auth_queries(*, staff: bool = False, ancestors: bool = False, last_use: bool = True) -> int:
    """The statements `BearerToken.authenticate` runs.

    PostgreSQL: one (`customers.queries.find_token_holder`: the token, its user, the actor and the
    website). Elsewhere: the token+user, then `build_actor`'s: buyer+account, the account's ancestors
    (if it has any), websites for a buyer; buyer (none), staff, websites, territories for staff.
    Plus the UPDATE of the token's last use when it is written (a fresh token's first request).
    """
    if connection.vendor == "postgresql":
        resolve = 1
    elif staff:
        resolve = 5
    else:
        resolve = 4 if ancestors else 3
    return resolve + (1 if last_use else 0)
