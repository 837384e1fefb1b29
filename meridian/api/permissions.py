"""The declared permission matrix: who may call each API operation and open each page that takes an id.

Data only, one place. The security suite (tests/security) generates its cases from this matrix
together with the OpenAPI schema (`/api/v1/openapi.json`) and the URL resolver:

* BOLA/IDOR: for every parameter an operation or page takes, `params` says what it names; the suite
  creates that object in account A of organization 1 and calls as a buyer of account B, a sales rep
  not assigned to A and staff of another organization: each must answer exactly as for an id that
  does not exist (404), change nothing, and no list may contain A's objects.
* Function-level authorization: every role of `BuyerRole` and `StaffRole` calls every write
  operation with `example` as its body: an allowed role succeeds, any other answers 403 and changes
  nothing.
* Mass assignment: read-only fields (`id`, `organization`, `account`, `path`, `created_at`, ...)
  added to `example` must not change what is stored.

An operation in the schema or a page in the URL map that is missing here fails the suite, naming
it; so does an entry here that no longer exists. Adding an endpoint means adding one entry.

`example` bodies may use placeholders, replaced by the suite for each call: `UNIQUE` (a fresh
lowercase token, e.g. for a SKU or an email's local part), `IN_SCOPE_ACCOUNT` (the id of an
account the caller may see), `IN_SCOPE_WAREHOUSE` and `IN_SCOPE_PRODUCT` (the code of a warehouse
and the SKU of a product of the caller's organization), `IN_SCOPE_PRICE_LIST` (the code of a price
list of the caller's organization that no account has yet) and `IN_SCOPE_CUSTOMER_GROUP` (the id of
a customer group of the caller's organization) and `IN_SCOPE_WEBSITE` (the id of the caller's
organization's default website).

`params` names every path parameter, and every query parameter or body field that names an object:
an IDOR can come through `?account=` or `{"account": ...}` as well as through the path.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from meridian.core.actor import BuyerRole, StaffRole


class Scope(enum.StrEnum):
    """Who may see an object of organization 1 made for account A."""

    # Customer data: a buyer of A (or of an ancestor), a rep assigned to A, other staff of the org.
    ACCOUNT = "account"
    # Seller master data (catalog, groups, API keys): every buyer and staff member of the org.
    ORGANIZATION = "organization"


class Kind(enum.StrEnum):
    """What a path parameter names."""

    ACCOUNT = "account"  # an account id or `ext:<external_id>`
    BUYER_USER = "buyer_user"  # a buyer's user id, of the account named before it
    ADDRESS = "address"  # an address id, of the account named before it
    PRODUCT = "product"  # a SKU
    CATEGORY = "category"  # a category slug
    CUSTOMER_GROUP = "customer_group"  # a customer group id
    WAREHOUSE = "warehouse"  # a warehouse code (or id, or `ext:<external_id>`)
    STOCK_MOVEMENT = "stock_movement"  # a stock ledger entry id
    PURCHASE_ORDER = "purchase_order"  # a drop-ship supplier purchase order number
    API_KEY = "api_key"  # an API key id
    PRICE_LIST = "price_list"  # a price list id (the API also takes its code or `ext:<external_id>`)
    PRICE_ENTRY = "price_entry"  # a price list entry id
    PRICE_ASSIGNMENT = "price_assignment"  # a price assignment id (the world's is to account A)
    CONTRACT = "contract"  # a contract id (on account A)
    PROMOTION = "promotion"  # a promotion id (a coupon promotion)
    COUPON = "coupon"  # a coupon id, of the promotion named before it
    PRICE_CHANGE = "price_change"  # a price audit row id
    ORDER = "order"  # an order number (the world's is account A's)
    CART = "cart"  # a cart or shopping list id (the world's is a list of account A, shared within A)
    CART_LINE = "cart_line"  # a cart line id, of the cart named before it
    # pricing
    CUSTOMER_PRICE = "customer_price"  # a customer price id (account A's)
    PRICE_RULE = "price_rule"  # a price rule id (of the world's price list)
    REBATE_PROGRAM = "rebate_program"  # a rebate program id (for account A's subtree)
    # inventory: suppliers, expected receipts, warehouse assignments
    SUPPLIER = "supplier"  # a supplier code (or `ext:<external_id>`)
    INCOMING_STOCK = "incoming_stock"  # an expected receipt id
    WAREHOUSE_ASSIGNMENT = "warehouse_assignment"  # a warehouse assignment id (to the default website)
    AUDIT_ENTRY = "audit_entry"  # a core audit log entry id (a change of the world's price list)
    # ordering: a shopping list id, for what only its owner (or a seller admin) may do: rename,
    # share, delete. The world's is member_a's list, shared within A; buyer_a's private list is the
    # OWNER_ONLY_KINDS one.
    OWNED_LIST = "owned_list"

    @property
    def scope(self) -> Scope:
        return KIND_SCOPE[self]


KIND_SCOPE: Mapping[Kind, Scope] = MappingProxyType(
    {
        Kind.ACCOUNT: Scope.ACCOUNT,
        Kind.BUYER_USER: Scope.ACCOUNT,
        Kind.ADDRESS: Scope.ACCOUNT,
        Kind.PRODUCT: Scope.ORGANIZATION,
        Kind.CATEGORY: Scope.ORGANIZATION,
        Kind.CUSTOMER_GROUP: Scope.ORGANIZATION,
        Kind.WAREHOUSE: Scope.ORGANIZATION,
        Kind.STOCK_MOVEMENT: Scope.ORGANIZATION,
        Kind.PURCHASE_ORDER: Scope.ORGANIZATION,
        Kind.API_KEY: Scope.ORGANIZATION,
        Kind.PRICE_LIST: Scope.ORGANIZATION,
        Kind.PRICE_ENTRY: Scope.ORGANIZATION,
        Kind.PRICE_ASSIGNMENT: Scope.ACCOUNT,
        Kind.CONTRACT: Scope.ACCOUNT,
        Kind.PROMOTION: Scope.ORGANIZATION,
        Kind.COUPON: Scope.ORGANIZATION,
        Kind.PRICE_CHANGE: Scope.ORGANIZATION,
        Kind.ORDER: Scope.ACCOUNT,
        Kind.CART: Scope.ACCOUNT,
        Kind.CART_LINE: Scope.ACCOUNT,
        # pricing
        Kind.CUSTOMER_PRICE: Scope.ACCOUNT,
        Kind.PRICE_RULE: Scope.ORGANIZATION,
        Kind.REBATE_PROGRAM: Scope.ORGANIZATION,
        # inventory
        Kind.SUPPLIER: Scope.ORGANIZATION,
        Kind.INCOMING_STOCK: Scope.ORGANIZATION,
        Kind.WAREHOUSE_ASSIGNMENT: Scope.ORGANIZATION,
        Kind.AUDIT_ENTRY: Scope.ORGANIZATION,
        # ordering
        Kind.OWNED_LIST: Scope.ACCOUNT,
    }
)

# Kinds of which a user may also own objects that are theirs alone (a current cart, a private list):
# besides the world's object of the kind (shared within account A, checked as every kind is), the
# BOLA suite names one of buyer_a's own and expects everyone else (a colleague in A, the rep
# assigned to A, the organization's admin) to be answered as for a missing id, and buyer_a to reach
# it. (ordering API)
OWNER_ONLY_KINDS = frozenset({Kind.CART, Kind.CART_LINE, Kind.OWNED_LIST})

UNIQUE = "<unique>"
IN_SCOPE_ACCOUNT = "<in-scope-account>"
IN_SCOPE_WAREHOUSE = "<in-scope-warehouse>"
IN_SCOPE_PRODUCT = "<in-scope-product>"
# The code of a price list of the caller's organization that is assigned to no account (pricing).
IN_SCOPE_PRICE_LIST = "<in-scope-price-list>"
# The id of a customer group of the caller's organization.
IN_SCOPE_CUSTOMER_GROUP = "<in-scope-customer-group>"
# inventory: the code of a second warehouse (a transfer's destination); pricing and inventory: the
# id of the default website of the caller's organization.
IN_SCOPE_SECOND_WAREHOUSE = "<in-scope-second-warehouse>"
IN_SCOPE_WEBSITE = "<in-scope-website>"

ALL_BUYERS = frozenset(BuyerRole)
ALL_STAFF = frozenset(StaffRole)
NO_BUYERS: frozenset[BuyerRole] = frozenset()
NO_STAFF: frozenset[StaffRole] = frozenset()

ACCOUNT_EDITORS = frozenset(
    {StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES, StaffRole.SALES_REP}
)
USER_MANAGERS = ALL_STAFF - {StaffRole.WAREHOUSE, StaffRole.FINANCE}
CATALOG_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES})
STOCK_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES})
WAREHOUSE_MANAGERS = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE})
STOCK_PARAMS = {"warehouse": Kind.WAREHOUSE, "sku": Kind.PRODUCT}
# meridian.pricing.services.PRICING_EDITORS: who changes prices, lists, contracts and promotions.
PRICING_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES})
PRICE_LIST_REF = {"code": Kind.PRICE_LIST}
# meridian.core.queries.list_audit_entries: staff who see the whole organization read the audit log.
AUDIT_READERS = ALL_STAFF - {StaffRole.SALES_REP}
# meridian.ordering.services._common: who places orders and keeps carts (buyers: buyer or admin role).
ORDERING_BUYERS = frozenset({BuyerRole.BUYER, BuyerRole.ADMIN})
ORDERING_STAFF = frozenset(
    {StaffRole.ADMIN, StaffRole.SALES_REP, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES}
)
# lifecycle.cancel_order: those who order, and the back office.
ORDER_CANCELLERS = ORDERING_STAFF | {StaffRole.FINANCE}


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call one operation (or open one page), and what its parameters name."""

    buyer_roles: frozenset[BuyerRole]
    staff_roles: frozenset[StaffRole]
    params: Mapping[str, Kind] = field(default_factory=dict)
    # A list operation: the kind of its items (none of another scope's may appear).
    lists: Kind | None = None
    # A valid body, for operations that take one (see the placeholders above).
    example: Mapping[str, object] | None = None
    # An upsert by key (PUT): a key unknown to the caller creates the object in the caller's own
    # organization, so out of scope it answers as for any new key, and changes nothing existing.
    upsert: bool = False
    # No token needed (the suite checks it answers without one).
    public: bool = False
    note: str = ""


def read(*, params: Mapping[str, Kind] | None = None, lists: Kind | None = None) -> Rule:
    """Every buyer and staff role may read (within their scope)."""
    return Rule(ALL_BUYERS, ALL_STAFF, params=params or {}, lists=lists)


ACCOUNT_REF = {"ref": Kind.ACCOUNT}

OPERATIONS: Mapping[str, Rule] = MappingProxyType(
    {
        # --- auth and API keys (meridian/core/api.py)
        "issue_api_token": Rule(
            ALL_BUYERS,
            ALL_STAFF,
            public=True,
            example={"username": f"{UNIQUE}@example.test", "password": "wrong-password"},
            note="Throttled per address across API and login pages; see docs/security.md.",
        ),
        "list_api_keys": Rule(
            NO_BUYERS,
            ALL_STAFF,
            lists=Kind.API_KEY,
            note="Admins see the organization's keys, others their own.",
        ),
        "create_api_key": Rule(NO_BUYERS, frozenset({StaffRole.ADMIN}), example={"name": f"key {UNIQUE}"}),
        "revoke_api_key": Rule(NO_BUYERS, frozenset({StaffRole.ADMIN}), params={"key_id": Kind.API_KEY}),
        # the audit log (meridian/core/api.py; a price list's in meridian/pricing/api/sources.py)
        "list_audit_entries": Rule(
            NO_BUYERS,
            AUDIT_READERS,
            lists=Kind.AUDIT_ENTRY,
            note="Staff who see the whole organization; API key entries for admins only.",
        ),
        "list_price_list_audit": Rule(
            NO_BUYERS, AUDIT_READERS, params=PRICE_LIST_REF, lists=Kind.AUDIT_ENTRY
        ),
        # --- accounts, users, addresses, groups (meridian/customers/api.py)
        "list_accounts": read(lists=Kind.ACCOUNT),
        "create_account": Rule(
            NO_BUYERS,
            ACCOUNT_EDITORS,
            params={"parent": Kind.ACCOUNT},
            example={"name": f"Account {UNIQUE}", "parent": IN_SCOPE_ACCOUNT},
            note="A sales rep only under an account assigned to them.",
        ),
        "get_account": read(params=ACCOUNT_REF),
        "update_account": Rule(
            NO_BUYERS,
            ACCOUNT_EDITORS,
            params=ACCOUNT_REF,
            example={"name": f"Renamed {UNIQUE}"},
            note="A sales rep may not change credit limits or reassign accounts.",
        ),
        "list_account_users": read(params=ACCOUNT_REF, lists=Kind.BUYER_USER),
        "add_account_user": Rule(
            frozenset({BuyerRole.ADMIN}),
            USER_MANAGERS,
            params=ACCOUNT_REF,
            example={"email": f"{UNIQUE}@example.test", "name": "New Buyer", "roles": ["buyer"]},
        ),
        "update_account_user": Rule(
            frozenset({BuyerRole.ADMIN}),
            USER_MANAGERS,
            params={"ref": Kind.ACCOUNT, "user_id": Kind.BUYER_USER},
            example={"roles": ["viewer"]},
        ),
        "list_account_addresses": read(params=ACCOUNT_REF, lists=Kind.ADDRESS),
        "add_account_address": Rule(
            frozenset({BuyerRole.ADMIN}),
            ALL_STAFF - {StaffRole.WAREHOUSE},
            params=ACCOUNT_REF,
            example={"line1": f"1 {UNIQUE} Way", "city": "Columbus", "country": "US"},
        ),
        "list_customer_groups": read(lists=Kind.CUSTOMER_GROUP),
        "create_customer_group": Rule(
            NO_BUYERS,
            frozenset({StaffRole.ADMIN, StaffRole.SALES_MANAGER}),
            example={"code": UNIQUE, "name": f"Group {UNIQUE}"},
        ),
        # --- catalog (meridian/catalog/api.py)
        "list_categories": read(lists=Kind.CATEGORY),
        "create_category": Rule(
            NO_BUYERS,
            CATALOG_EDITORS,
            params={"parent": Kind.CATEGORY},
            example={"name": f"Category {UNIQUE}"},
        ),
        "list_products": read(params={"category": Kind.CATEGORY}, lists=Kind.PRODUCT),
        "upsert_product": Rule(
            NO_BUYERS, CATALOG_EDITORS, example={"sku": f"SKU-{UNIQUE}", "name": f"Product {UNIQUE}"}
        ),
        "get_product": read(params={"sku": Kind.PRODUCT}),
        "replace_product": Rule(
            NO_BUYERS,
            CATALOG_EDITORS,
            params={"sku": Kind.PRODUCT},
            example={"name": f"Product {UNIQUE}"},
            upsert=True,
        ),
        "update_product": Rule(
            NO_BUYERS, CATALOG_EDITORS, params={"sku": Kind.PRODUCT}, example={"name": f"Renamed {UNIQUE}"}
        ),
        # --- inventory (meridian/inventory/api.py; meridian/inventory/access.py has the role rules)
        "list_warehouses": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.WAREHOUSE),
        "upsert_warehouse": Rule(
            NO_BUYERS, WAREHOUSE_MANAGERS, example={"code": f"WH-{UNIQUE}", "name": f"Warehouse {UNIQUE}"}
        ),
        "list_stock_movements": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.STOCK_MOVEMENT),
        "record_stock_movement": Rule(
            NO_BUYERS,
            STOCK_EDITORS,
            example={
                "kind": "receipt",
                "warehouse": IN_SCOPE_WAREHOUSE,
                "sku": IN_SCOPE_PRODUCT,
                "quantity": "5",
            },
        ),
        "set_stock_levels": Rule(
            NO_BUYERS,
            STOCK_EDITORS,
            example={"rows": [{"warehouse": IN_SCOPE_WAREHOUSE, "sku": IN_SCOPE_PRODUCT, "on_hand": "40"}]},
        ),
        "get_stock_level": Rule(NO_BUYERS, ALL_STAFF, params=STOCK_PARAMS),
        "set_stock_level": Rule(NO_BUYERS, STOCK_EDITORS, params=STOCK_PARAMS, example={"on_hand": "7"}),
        "get_availability": read(params={"account": Kind.ACCOUNT}),
        # inventory, the rest (meridian/inventory/api_setup.py)
        "transfer_stock": Rule(
            NO_BUYERS,
            STOCK_EDITORS,
            example={
                "source": IN_SCOPE_WAREHOUSE,
                "destination": IN_SCOPE_SECOND_WAREHOUSE,
                "sku": IN_SCOPE_PRODUCT,
                "quantity": "1",
            },
        ),
        "list_incoming_stock": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.INCOMING_STOCK),
        "expect_stock": Rule(
            NO_BUYERS,
            STOCK_EDITORS,
            example={
                "warehouse": IN_SCOPE_WAREHOUSE,
                "sku": IN_SCOPE_PRODUCT,
                "quantity": "5",
                "expected_date": "2030-01-15",
            },
        ),
        "list_suppliers": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.SUPPLIER),
        "upsert_supplier": Rule(
            NO_BUYERS, WAREHOUSE_MANAGERS, example={"code": f"S-{UNIQUE}", "name": f"Supplier {UNIQUE}"}
        ),
        "set_supplier_product": Rule(
            NO_BUYERS,
            WAREHOUSE_MANAGERS,
            params={"code": Kind.SUPPLIER, "sku": Kind.PRODUCT},
            example={"lead_time_days": 4, "can_dropship": True},
        ),
        "list_warehouse_assignments": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.WAREHOUSE_ASSIGNMENT),
        "assign_warehouse": Rule(
            NO_BUYERS,
            WAREHOUSE_MANAGERS,
            example={"warehouse": IN_SCOPE_WAREHOUSE, "website": IN_SCOPE_WEBSITE, "priority": 1},
        ),
        "set_product_backorder_policy": Rule(
            NO_BUYERS, WAREHOUSE_MANAGERS, params={"sku": Kind.PRODUCT}, example={"policy": "allow"}
        ),
        "set_account_backorder_policy": Rule(
            NO_BUYERS, WAREHOUSE_MANAGERS, params=ACCOUNT_REF, example={"policy": "partial"}
        ),
        # --- pricing (meridian/pricing/api/lists.py): seller data for staff; buyers only resolve prices
        "list_price_lists": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.PRICE_LIST),
        "create_price_list": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            example={"code": f"PL-{UNIQUE}", "name": f"List {UNIQUE}", "currency": "USD"},
        ),
        "get_price_list": Rule(NO_BUYERS, ALL_STAFF, params=PRICE_LIST_REF),
        "update_price_list": Rule(
            NO_BUYERS, PRICING_EDITORS, params=PRICE_LIST_REF, example={"name": f"Renamed {UNIQUE}"}
        ),
        "list_price_entries": Rule(
            NO_BUYERS, ALL_STAFF, params={**PRICE_LIST_REF, "sku": Kind.PRODUCT}, lists=Kind.PRICE_ENTRY
        ),
        "upsert_price_entries": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params=PRICE_LIST_REF,
            example={"rows": [{"sku": IN_SCOPE_PRODUCT, "price": "9.99", "min_quantity": "1"}]},
            note="A PUT of rows into an existing list: an unknown list is 404, never created.",
        ),
        "list_price_assignments": Rule(
            NO_BUYERS,
            ALL_STAFF,
            params={"price_list": Kind.PRICE_LIST, "account": Kind.ACCOUNT},
            lists=Kind.PRICE_ASSIGNMENT,
            note="A sales rep sees assignments to websites, groups and their own accounts.",
        ),
        "create_price_assignment": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            # `price_list` names an object too, but the world's list is already A's: the example's
            # (unassigned) list keeps the in-scope control a fresh assignment.
            params={"account": Kind.ACCOUNT},
            example={"price_list": IN_SCOPE_PRICE_LIST, "account": IN_SCOPE_ACCOUNT, "priority": 50},
        ),
        "delete_price_assignment": Rule(
            NO_BUYERS, PRICING_EDITORS, params={"assignment_id": Kind.PRICE_ASSIGNMENT}
        ),
        "list_contracts": read(params={"account": Kind.ACCOUNT}, lists=Kind.CONTRACT),
        "create_contract": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"account": Kind.ACCOUNT, "price_list": Kind.PRICE_LIST},
            example={"number": f"K-{UNIQUE}", "account": IN_SCOPE_ACCOUNT, "price_list": IN_SCOPE_PRICE_LIST},
        ),
        "list_promotions": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.PROMOTION),
        "create_promotion": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"account": Kind.ACCOUNT, "product": Kind.PRODUCT},
            example={"name": f"Promotion {UNIQUE}", "kind": "percent_off_line", "value": "5"},
        ),
        "get_promotion": Rule(NO_BUYERS, ALL_STAFF, params={"promotion_id": Kind.PROMOTION}),
        "list_coupons": Rule(
            NO_BUYERS, ALL_STAFF, params={"promotion_id": Kind.PROMOTION}, lists=Kind.COUPON
        ),
        "create_coupon": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"promotion_id": Kind.PROMOTION},
            example={"code": f"C-{UNIQUE}"},
        ),
        "list_price_changes": Rule(
            NO_BUYERS,
            ALL_STAFF,
            params={"price_list": Kind.PRICE_LIST, "sku": Kind.PRODUCT},
            lists=Kind.PRICE_CHANGE,
        ),
        "resolve_prices": Rule(
            ALL_BUYERS,
            ALL_STAFF,
            params={"account": Kind.ACCOUNT},
            example={"account": IN_SCOPE_ACCOUNT, "lines": [{"sku": IN_SCOPE_PRODUCT, "quantity": "2"}]},
            note="A read that takes a body: a buyer prices their account subtree, a rep their accounts.",
        ),
        # --- pricing (meridian/pricing/api/sources.py): customer prices, rules, rebates, settings, edits
        "update_price_entry": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={**PRICE_LIST_REF, "entry_id": Kind.PRICE_ENTRY},
            example={"price": "8.75"},
        ),
        "delete_price_entry": Rule(
            NO_BUYERS, PRICING_EDITORS, params={**PRICE_LIST_REF, "entry_id": Kind.PRICE_ENTRY}
        ),
        "list_customer_prices": read(
            params={"account": Kind.ACCOUNT, "sku": Kind.PRODUCT}, lists=Kind.CUSTOMER_PRICE
        ),
        "upsert_customer_price": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"account": Kind.ACCOUNT, "sku": Kind.PRODUCT},
            example={
                "account": IN_SCOPE_ACCOUNT,
                "sku": IN_SCOPE_PRODUCT,
                "price": "7.50",
                "currency": "USD",
            },
            note="An upsert by (account, sku, uom, min_quantity, currency, valid_from) named in the body.",
        ),
        "delete_customer_price": Rule(
            NO_BUYERS, PRICING_EDITORS, params={"customer_price_id": Kind.CUSTOMER_PRICE}
        ),
        "list_price_rules": Rule(NO_BUYERS, ALL_STAFF, params=PRICE_LIST_REF, lists=Kind.PRICE_RULE),
        "create_price_rule": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={**PRICE_LIST_REF, "product": Kind.PRODUCT},
            example={"base": "cost", "multiplier": "1.25", "rounding": "ends_99"},
        ),
        "update_price_rule": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"rule_id": Kind.PRICE_RULE, "product": Kind.PRODUCT},
            example={"percent": "-8"},
        ),
        "delete_price_rule": Rule(NO_BUYERS, PRICING_EDITORS, params={"rule_id": Kind.PRICE_RULE}),
        "get_contract": read(params={"contract_id": Kind.CONTRACT}),
        "update_contract": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"contract_id": Kind.CONTRACT},
            example={"terms": f"Terms {UNIQUE}", "prices_are_final": True},
        ),
        "update_promotion": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"promotion_id": Kind.PROMOTION, "account": Kind.ACCOUNT, "product": Kind.PRODUCT},
            example={"name": f"Renamed {UNIQUE}", "value": "7"},
        ),
        "list_rebate_programs": Rule(NO_BUYERS, ALL_STAFF, lists=Kind.REBATE_PROGRAM),
        "create_rebate_program": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"account": Kind.ACCOUNT},
            example={
                "code": f"R-{UNIQUE}",
                "name": f"Rebate {UNIQUE}",
                "basis": "spend",
                "currency": "USD",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "tiers": [
                    {"threshold": "0", "rate_percent": "1"},
                    {"threshold": "5000", "rate_percent": "2"},
                ],
            },
        ),
        "get_rebate_program": Rule(NO_BUYERS, ALL_STAFF, params={"program_id": Kind.REBATE_PROGRAM}),
        "update_rebate_program": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            params={"program_id": Kind.REBATE_PROGRAM, "account": Kind.ACCOUNT},
            example={"name": f"Renamed {UNIQUE}"},
        ),
        "get_rebate_statement": read(params=ACCOUNT_REF),
        "list_pricing_strategies": Rule(NO_BUYERS, ALL_STAFF),
        "set_pricing_strategy": Rule(
            NO_BUYERS,
            PRICING_EDITORS,
            example={"website": IN_SCOPE_WEBSITE, "strategy": "best_price"},
            note="The website is the organization's own (another organization's id is 422).",
        ),
        "get_account_pricing": Rule(NO_BUYERS, ALL_STAFF, params=ACCOUNT_REF),
        "set_account_pricing": Rule(
            NO_BUYERS, PRICING_EDITORS, params=ACCOUNT_REF, example={"assignment_inheritance": "inherit"}
        ),
        # --- orders and carts (meridian/ordering/api.py; roles in meridian/ordering/services/_common.py)
        "place_order": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"account": Kind.ACCOUNT},
            example={"account": IN_SCOPE_ACCOUNT, "lines": [{"sku": IN_SCOPE_PRODUCT, "quantity": "1"}]},
            note="A buyer orders for their account subtree, a rep for their accounts (channel rep).",
        ),
        "list_orders": read(lists=Kind.ORDER),
        "get_order": read(params={"number": Kind.ORDER}),
        "cancel_order": Rule(
            ORDERING_BUYERS,
            ORDER_CANCELLERS,
            params={"number": Kind.ORDER},
            example={"reason": f"cancelled {UNIQUE}"},
        ),
        "list_carts": read(lists=Kind.CART),
        "create_cart": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"account": Kind.ACCOUNT},
            example={"name": f"List {UNIQUE}", "account": IN_SCOPE_ACCOUNT},
        ),
        "get_cart": read(params={"cart_id": Kind.CART}),
        # --- ordering API: cart lines, the current cart, reorder (meridian/ordering/api.py). A current
        # cart and a private list are their owner's (anyone else: 404, tests/api/test_cart_lines.py);
        # the world's cart is a list shared within account A, so the account's ordering buyers and
        # ordering staff in scope change its lines and everyone else in scope only reads it.
        "get_current_cart": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"account": Kind.ACCOUNT},
            note="A read that creates the caller's empty current cart when there is none.",
        ),
        "list_cart_lines": read(params={"cart_id": Kind.CART}, lists=Kind.CART_LINE),
        "add_cart_line": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"cart_id": Kind.CART},
            example={"sku": IN_SCOPE_PRODUCT, "quantity": "1"},
        ),
        "update_cart_line": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"cart_id": Kind.CART, "line_id": Kind.CART_LINE},
            example={"quantity": "3"},
        ),
        "remove_cart_line": Rule(
            ORDERING_BUYERS, ORDERING_STAFF, params={"cart_id": Kind.CART, "line_id": Kind.CART_LINE}
        ),
        "reorder": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"number": Kind.ORDER},
            example={},
            note="Into the caller's own current cart for the order's account.",
        ),
        "quick_order": Rule(
            ORDERING_BUYERS,
            ORDERING_STAFF,
            params={"cart_id": Kind.CART},
            example={"text": "NO-SUCH-SKU, 1"},  # reported, not added: a placeholder cannot sit in text
            note="Whoever may change the cart's lines; bad lines are reported, good ones added.",
        ),
        # Only a list's owner renames, (un)shares or deletes it, and for a shared list also a seller
        # admin: the roles below are that admin right; every other non-owner in scope gets 403
        # `not_allowed`. The world's OWNED_LIST is member_a's, shared within A; OWNER_ONLY_KINDS
        # checks the owner (buyer_a, with a private list) and that others get 404.
        "update_cart": Rule(
            NO_BUYERS,
            frozenset({StaffRole.ADMIN}),
            params={"cart_id": Kind.OWNED_LIST},
            example={"name": f"Renamed {UNIQUE}", "is_shared": True},
            note="Its owner (any role that may order) or a seller admin; a current cart has no name.",
        ),
        "delete_cart": Rule(
            NO_BUYERS,
            frozenset({StaffRole.ADMIN}),
            params={"cart_id": Kind.OWNED_LIST},
            note="Its owner or a seller admin; a current cart is emptied, not deleted.",
        ),
    }
)

# Portal and console pages whose URL takes a parameter, by URL name. `methods`: what the page
# answers (POST pages change something). Pages are checked as for operations: out of scope, 404.
PORTAL = "portal"
CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Page:
    channel: str  # PORTAL (buyers) or CONSOLE (staff)
    params: Mapping[str, Kind]
    methods: frozenset[str] = frozenset({"GET"})
    buyer_roles: frozenset[BuyerRole] = ALL_BUYERS
    staff_roles: frozenset[StaffRole] = ALL_STAFF
    # A form body for POST (the suite fills UNIQUE).
    form: Mapping[str, object] | None = None


ACCOUNT_PAGE = {"account_id": Kind.ACCOUNT}
ACCOUNT_USER_PAGE = {"account_id": Kind.ACCOUNT, "user_id": Kind.BUYER_USER}
PRICE_LIST_PAGE = {"price_list_id": Kind.PRICE_LIST}
PROMOTION_PAGE = {"promotion_id": Kind.PROMOTION}
# portal ordering
CART_PAGE = {"cart_id": Kind.CART}
CART_LINE_PAGE = {"cart_id": Kind.CART, "line_id": Kind.CART_LINE}
ORDER_PAGE = {"number": Kind.ORDER}
# console ordering: who changes orders after placement (meridian/ordering/services/_common.py)
ORDER_BACK_OFFICE = frozenset(
    {StaffRole.ADMIN, StaffRole.FINANCE, StaffRole.INSIDE_SALES, StaffRole.SALES_MANAGER}
)
ORDER_FULFILLMENT = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES})

PAGES: Mapping[str, Page] = MappingProxyType(
    {
        "portal:category": Page(PORTAL, {"slug": Kind.CATEGORY}),
        "portal:product": Page(PORTAL, {"sku": Kind.PRODUCT}),
        "portal:account": Page(PORTAL, ACCOUNT_PAGE),
        "portal:invite_user": Page(
            PORTAL,
            ACCOUNT_PAGE,
            methods=frozenset({"GET", "POST"}),
            buyer_roles=frozenset({BuyerRole.ADMIN}),
            form={"email": f"{UNIQUE}@example.test", "full_name": "New Buyer", "roles": ["buyer"]},
        ),
        "portal:account_user": Page(PORTAL, ACCOUNT_USER_PAGE),
        "portal:change_roles": Page(
            PORTAL,
            ACCOUNT_USER_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=frozenset({BuyerRole.ADMIN}),
            form={"roles": ["viewer"]},
        ),
        "portal:change_active": Page(
            PORTAL,
            ACCOUNT_USER_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=frozenset({BuyerRole.ADMIN}),
            form={"is_active": "false"},
        ),
        "portal:add_address": Page(
            PORTAL,
            ACCOUNT_PAGE,
            methods=frozenset({"GET", "POST"}),
            buyer_roles=frozenset({BuyerRole.ADMIN}),
            form={"line1": f"1 {UNIQUE} Way", "city": "Columbus", "country": "US", "is_shipping": "on"},
        ),
        # --- portal ordering (meridian/portal/ordering.py, orders.py): a cart, list or order out of
        # scope is a 404 before anything else; refusals of the state show on the page (302)
        "portal:cart_line": Page(
            PORTAL,
            CART_LINE_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=ORDERING_BUYERS,
            form={"quantity": "2"},
        ),
        "portal:list": Page(PORTAL, CART_PAGE),
        "portal:edit_list": Page(
            PORTAL,
            CART_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=ORDERING_BUYERS,
            form={"name": f"Renamed {UNIQUE}", "is_shared": "on"},
        ),
        "portal:delete_list": Page(
            PORTAL, CART_PAGE, methods=frozenset({"POST"}), buyer_roles=ORDERING_BUYERS, form={}
        ),
        "portal:list_to_cart": Page(
            PORTAL, CART_PAGE, methods=frozenset({"POST"}), buyer_roles=ORDERING_BUYERS, form={}
        ),
        "portal:order": Page(PORTAL, ORDER_PAGE),
        "portal:reorder": Page(
            PORTAL, ORDER_PAGE, methods=frozenset({"POST"}), buyer_roles=ORDERING_BUYERS, form={}
        ),
        "portal:cancel_order": Page(
            PORTAL,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=ORDERING_BUYERS,
            form={"reason": f"cancelled {UNIQUE}"},
        ),
        "portal:approve_order": Page(
            PORTAL,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=frozenset({BuyerRole.APPROVER}),
            form={"reason": f"approved {UNIQUE}"},
        ),
        "portal:reject_order": Page(
            PORTAL,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            buyer_roles=frozenset({BuyerRole.APPROVER}),
            form={"reason": f"rejected {UNIQUE}"},
        ),
        "console:account": Page(CONSOLE, ACCOUNT_PAGE),
        "console:product": Page(CONSOLE, {"sku": Kind.PRODUCT}),
        "console:purchase_order": Page(CONSOLE, {"number": Kind.PURCHASE_ORDER}),
        "console:purchase_order_status": Page(
            CONSOLE,
            {"number": Kind.PURCHASE_ORDER},
            methods=frozenset({"POST"}),
            staff_roles=STOCK_EDITORS,
            form={"status": "sent"},
        ),
        # pricing (meridian/console/prices.py): an object out of scope is a 404 before any role check
        "console:price_list": Page(CONSOLE, PRICE_LIST_PAGE),
        "console:edit_price_list": Page(
            CONSOLE,
            PRICE_LIST_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"name": f"Renamed {UNIQUE}"},
        ),
        "console:save_price_entry": Page(
            CONSOLE,
            PRICE_LIST_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"sku": IN_SCOPE_PRODUCT, "min_quantity": "1", "price": "9.99"},
        ),
        "console:import_price_entries": Page(
            CONSOLE,
            PRICE_LIST_PAGE,
            methods=frozenset({"GET", "POST"}),
            staff_roles=PRICING_EDITORS,
            form={"text": "sku,price\n"},  # a dry run of nothing: it changes nothing
        ),
        "console:assign_price_list": Page(
            CONSOLE,
            PRICE_LIST_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"customer_group": IN_SCOPE_CUSTOMER_GROUP, "priority": "100"},
        ),
        "console:delete_price_assignment": Page(
            CONSOLE,
            {"assignment_id": Kind.PRICE_ASSIGNMENT},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={},
        ),
        "console:create_contract": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "contract-number": f"K-{UNIQUE}",
                "contract-price_list": IN_SCOPE_PRICE_LIST,
                "contract-priority": "100",
            },
        ),
        "console:assign_account_price_list": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"assign-price_list": IN_SCOPE_PRICE_LIST, "assign-priority": "100"},
        ),
        # pricing (meridian/console/price_sources.py): own prices, inheritance, ending contracts/promotions
        "console:set_customer_price": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "cprice-sku": IN_SCOPE_PRODUCT,
                "cprice-price": "7.25",
                "cprice-currency": "USD",
                "cprice-min_quantity": "1",
            },
        ),
        "console:delete_customer_price": Page(
            CONSOLE,
            {"customer_price_id": Kind.CUSTOMER_PRICE},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={},
        ),
        "console:set_assignment_inheritance": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"inherit-assignment_inheritance": "inherit"},
        ),
        "console:toggle_contract": Page(
            CONSOLE,
            {"contract_id": Kind.CONTRACT},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={},
        ),
        "console:toggle_promotion": Page(
            CONSOLE, PROMOTION_PAGE, methods=frozenset({"POST"}), staff_roles=PRICING_EDITORS, form={}
        ),
        "console:create_price_rule": Page(
            CONSOLE,
            PRICE_LIST_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "rule-base": "cost",
                "rule-multiplier": "1.25",
                "rule-percent": "0",
                "rule-rounding": "ends_99",
                "rule-priority": "100",
            },
        ),
        "console:delete_price_rule": Page(
            CONSOLE,
            {"rule_id": Kind.PRICE_RULE},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={},
        ),
        "console:rebate_program": Page(CONSOLE, {"program_id": Kind.REBATE_PROGRAM}),
        "console:edit_rebate_program": Page(
            CONSOLE,
            {"program_id": Kind.REBATE_PROGRAM},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "code": f"R-{UNIQUE}",
                "name": f"Rebate {UNIQUE}",
                "basis": "spend",
                "currency": "USD",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "tiers": "0 1",
                "is_active": "on",
            },
        ),
        "console:promotion": Page(CONSOLE, PROMOTION_PAGE),
        "console:create_coupon": Page(
            CONSOLE,
            PROMOTION_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={"code": f"C-{UNIQUE}"},
        ),
        # pricing editors (meridian/console/price_sources.py): edit forms (GET draws, POST saves)
        "console:edit_contract": Page(
            CONSOLE,
            {"contract_id": Kind.CONTRACT},
            methods=frozenset({"GET", "POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "contract-number": f"K-{UNIQUE}",
                "contract-price_list": IN_SCOPE_PRICE_LIST,
                "contract-priority": "100",
                "contract-prices_are_final": "on",
                "contract-is_active": "on",
            },
        ),
        "console:edit_promotion": Page(
            CONSOLE,
            PROMOTION_PAGE,
            methods=frozenset({"GET", "POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "name": f"Promotion {UNIQUE}",
                "kind": "percent_off_line",
                "value": "7",
                "stacking": "stackable",
                "priority": "100",
                "requires_coupon": "on",
                "is_active": "on",
            },
        ),
        "console:edit_price_rule": Page(
            CONSOLE,
            {"rule_id": Kind.PRICE_RULE},
            methods=frozenset({"GET", "POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "rule-base": "cost",
                "rule-multiplier": "1.4",
                "rule-percent": "0",
                "rule-rounding": "none",
                "rule-priority": "100",
                "rule-is_active": "on",
            },
        ),
        "console:delete_price_entry": Page(
            CONSOLE,
            {"price_list_id": Kind.PRICE_LIST, "entry_id": Kind.PRICE_ENTRY},
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={},
        ),
        "console:create_account_rebate_program": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=PRICING_EDITORS,
            form={
                "rebate-code": f"R-{UNIQUE}",
                "rebate-name": f"Rebate {UNIQUE}",
                "rebate-basis": "spend",
                "rebate-currency": "USD",
                "rebate-period_start": "2026-01-01",
                "rebate-period_end": "2026-12-31",
                "rebate-tiers": "0 1",
            },
        ),
        # console ordering (meridian/console/orders.py): the order page and its actions, order for
        # customer; roles as in meridian/ordering/services/_common.py
        "console:order": Page(CONSOLE, ORDER_PAGE),
        "console:order_hold": Page(
            CONSOLE,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDER_BACK_OFFICE | ORDERING_STAFF,
            form={"action": "set", "hold": "manual_review", "reason": f"check {UNIQUE}"},
        ),
        "console:order_flag": Page(
            CONSOLE,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDER_BACK_OFFICE | ORDERING_STAFF | ORDER_FULFILLMENT,
            form={"action": "set", "reason": f"called {UNIQUE}"},
        ),
        "console:cancel_order": Page(
            CONSOLE,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDER_CANCELLERS,
            form={"reason": f"cancelled {UNIQUE}"},
        ),
        "console:order_status": Page(
            CONSOLE,
            ORDER_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDER_BACK_OFFICE | ORDER_FULFILLMENT,
            form={"to_status": "shipped"},
        ),
        "console:reorder": Page(
            CONSOLE, ORDER_PAGE, methods=frozenset({"POST"}), staff_roles=ORDERING_STAFF, form={}
        ),
        "console:customer_order": Page(CONSOLE, ACCOUNT_PAGE),
        "console:add_customer_line": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDERING_STAFF,
            form={"reference": IN_SCOPE_PRODUCT, "quantity": "1"},
        ),
        "console:quick_order_lines": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDERING_STAFF,
            form={"text": IN_SCOPE_PRODUCT},  # reported as unreadable (no quantity): nothing added
        ),
        "console:update_customer_cart": Page(
            CONSOLE, ACCOUNT_PAGE, methods=frozenset({"POST"}), staff_roles=ORDERING_STAFF, form={}
        ),
        "console:place_customer_order": Page(
            CONSOLE,
            ACCOUNT_PAGE,
            methods=frozenset({"POST"}),
            staff_roles=ORDERING_STAFF,
            form={"po_number": f"PO-{UNIQUE}"},  # the caller's cart is empty: back to the cart, no order
        ),
        # inventory set-up editors (meridian/console/stock_setup.py): the object is looked up (404)
        # before the role is checked (403 for staff who are not warehouse managers)
        "console:edit_warehouse": Page(
            CONSOLE,
            {"code": Kind.WAREHOUSE},
            methods=frozenset({"GET", "POST"}),
            staff_roles=WAREHOUSE_MANAGERS,
            form={
                "name": f"Warehouse {UNIQUE}",
                "kind": "own",
                "timezone": "America/Chicago",
                "cutoff_time": "15:00",
                "shipping_weekdays": ["1", "2", "3", "4", "5"],
                "is_active": "on",
            },
        ),
        "console:supplier": Page(  # GET: every staff member; POST: warehouse managers
            CONSOLE,
            {"code": Kind.SUPPLIER},
            methods=frozenset({"GET", "POST"}),
            form={"name": f"Supplier {UNIQUE}", "is_active": "on"},
        ),
        "console:set_supplier_product": Page(
            CONSOLE,
            {"code": Kind.SUPPLIER},
            methods=frozenset({"POST"}),
            staff_roles=WAREHOUSE_MANAGERS,
            form={"sku": IN_SCOPE_PRODUCT, "lead_time_days": "4", "can_dropship": "on"},
        ),
        "console:remove_supplier_product": Page(
            CONSOLE,
            {"code": Kind.SUPPLIER},
            methods=frozenset({"POST"}),
            staff_roles=WAREHOUSE_MANAGERS,
            form={"sku": IN_SCOPE_PRODUCT},
        ),
        "console:edit_warehouse_assignment": Page(
            CONSOLE,
            {"assignment_id": Kind.WAREHOUSE_ASSIGNMENT},
            methods=frozenset({"POST"}),
            staff_roles=WAREHOUSE_MANAGERS,
            form={"priority": "7"},
        ),
        "console:remove_warehouse_assignment": Page(
            CONSOLE,
            {"assignment_id": Kind.WAREHOUSE_ASSIGNMENT},
            methods=frozenset({"POST"}),
            staff_roles=WAREHOUSE_MANAGERS,
            form={},
        ),
    }
)

# URL namespaces whose patterns are checked elsewhere, with the reason.
PAGES_CHECKED_ELSEWHERE: Mapping[str, str] = MappingProxyType(
    {
        "api": "every operation is in OPERATIONS, checked from the OpenAPI schema",
        "admin": "Django admin: is_staff plus model permissions (tests/security/test_pages.py checks a "
        "buyer and a non-admin staff member are turned away)",
    }
)
# Pages whose parameter is a capability (a signed token), not an object id.
CAPABILITY_PAGES: Mapping[str, str] = MappingProxyType(
    {"portal:invite": "uidb64 + a signed one-time token; a forged or reused token shows no form"}
)
