"""The pricing REST API (shared/API.md), one router:

lists.py    price lists, entries (bulk upsert), assignments, contracts, promotions and coupons,
            the audit of price changes, `POST /prices/resolve`
sources.py  customer prices and part numbers, price rules, rebate programs and statements,
            website strategy and account inheritance settings; editing and removing entries,
            contracts and promotions
"""

from meridian.pricing.api import sources  # noqa: F401  # registers its operations on the router
from meridian.pricing.api.lists import router

__all__ = ["router"]
