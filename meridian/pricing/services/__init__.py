"""Pricing use cases: resolve prices for a cart, and every write path, each one transaction.

Writes are for staff with the admin, sales_manager or inside_sales role. Every change to a stored
price writes a PriceChange row and an outbox event in the same transaction.

    resolution.py   resolve_prices (read-only; a fixed number of queries)
    price_lists.py  website strategy, account inheritance, price lists, bulk entry upsert (audited)
                    and its dry run (preview_price_entries)
    sources.py      assignments, contracts, price rules, customer prices: create, edit, remove (audited)
    promotions.py   promotions, coupons, coupon redemption (for ordering)
    rebates.py      rebate programs, accruals per order line (for ordering)
"""

from meridian.pricing.services._common import PRICING_EDITORS, require_pricing_editor
from meridian.pricing.services.price_lists import (
    EntryAction,
    EntryPreview,
    EntryRow,
    PlannedEntry,
    PriceListInput,
    UpsertReport,
    create_price_list,
    delete_price_entries,
    preview_price_entries,
    set_assignment_inheritance,
    set_pricing_strategy,
    update_price_entry,
    update_price_list,
    upsert_price_entries,
)
from meridian.pricing.services.promotions import (
    PromotionInput,
    create_coupon,
    create_promotion,
    redeem_coupons,
    update_promotion,
)
from meridian.pricing.services.rebates import (
    RebateLine,
    RebateProgramInput,
    accrue_rebates,
    create_rebate_program,
    update_rebate_program,
)
from meridian.pricing.services.resolution import PriceLineRequest, PriceResolution, resolve_prices
from meridian.pricing.services.sources import (
    ContractInput,
    RuleInput,
    assign_price_list,
    create_contract,
    create_price_rule,
    delete_customer_price,
    delete_price_rule,
    set_customer_price,
    unassign_price_list,
    update_contract,
    update_price_rule,
)

__all__ = [
    "PRICING_EDITORS",
    "ContractInput",
    "EntryAction",
    "EntryPreview",
    "EntryRow",
    "PlannedEntry",
    "PriceLineRequest",
    "PriceListInput",
    "PriceResolution",
    "PromotionInput",
    "RebateLine",
    "RebateProgramInput",
    "RuleInput",
    "UpsertReport",
    "accrue_rebates",
    "assign_price_list",
    "create_contract",
    "create_coupon",
    "create_price_list",
    "create_price_rule",
    "create_promotion",
    "create_rebate_program",
    "delete_customer_price",
    "delete_price_entries",
    "delete_price_rule",
    "preview_price_entries",
    "redeem_coupons",
    "require_pricing_editor",
    "resolve_prices",
    "set_assignment_inheritance",
    "set_customer_price",
    "set_pricing_strategy",
    "unassign_price_list",
    "update_contract",
    "update_price_entry",
    "update_price_list",
    "update_price_rule",
    "update_promotion",
    "update_rebate_program",
    "upsert_price_entries",
]
