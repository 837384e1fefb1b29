"""Pricing read paths, scoped to the actor; they never write.

loading.py  the engine's input for a cart: scope, promotions and coupons
products.py a cart's products (with the scope: load_cart), their units and part numbers
chain.py    the chain of sources: assignments, contracts, rules, entries, customer prices
prices.py   prices for channels: a catalog page (with tiers), one product's tier table
lists.py    price lists, entries, assignments, contracts, promotions, the audit trail
rebates.py  rebate statements
sources.py  rules, customer prices, rebate programs, contracts and settings, one by one and listed
locks.py    lock_* helpers for the services
"""

from meridian.pricing.queries.chain import load_sources
from meridian.pricing.queries.lists import (
    get_price_assignment,
    get_price_list,
    get_promotion,
    list_contracts,
    list_coupons,
    list_price_assignments,
    list_price_changes,
    list_price_entries,
    list_price_lists,
    list_promotions,
)
from meridian.pricing.queries.loading import (
    CouponOutcome,
    LoadedSources,
    PricedAccount,
    PricingScope,
    build_request,
    coupon_status,
    load_promotions,
    load_scope,
)
from meridian.pricing.queries.locks import (
    lock_coupons,
    lock_price_entries,
    lock_price_list,
    lock_rebate_bases,
)
from meridian.pricing.queries.prices import ProductPrice, catalog_prices, prices_for_products, tier_table
from meridian.pricing.queries.products import (
    ProductInfo,
    engine_line,
    load_cart,
    load_products,
    part_numbers_for_chain,
)
from meridian.pricing.queries.rebates import (
    RebateStatement,
    programs_for_account,
    rebate_programs_holding,
    rebate_statement,
)
from meridian.pricing.queries.sources import (
    assignment_inheritance,
    get_contract,
    get_customer_price,
    get_price_entry,
    get_price_rule,
    get_rebate_program,
    list_customer_prices,
    list_price_rules,
    list_rebate_programs,
    website_strategies,
)

__all__ = [
    "CouponOutcome",
    "LoadedSources",
    "PricedAccount",
    "PricingScope",
    "ProductInfo",
    "ProductPrice",
    "RebateStatement",
    "assignment_inheritance",
    "build_request",
    "catalog_prices",
    "coupon_status",
    "engine_line",
    "get_contract",
    "get_customer_price",
    "get_price_assignment",
    "get_price_entry",
    "get_price_list",
    "get_price_rule",
    "get_promotion",
    "get_rebate_program",
    "list_contracts",
    "list_coupons",
    "list_customer_prices",
    "list_price_assignments",
    "list_price_changes",
    "list_price_entries",
    "list_price_lists",
    "list_price_rules",
    "list_promotions",
    "list_rebate_programs",
    "load_cart",
    "load_products",
    "load_promotions",
    "load_scope",
    "load_sources",
    "lock_coupons",
    "lock_price_entries",
    "lock_price_list",
    "lock_rebate_bases",
    "part_numbers_for_chain",
    "prices_for_products",
    "programs_for_account",
    "rebate_programs_holding",
    "rebate_statement",
    "tier_table",
    "website_strategies",
]
