"""Ordering use cases, each one transaction (place_order and approve_order durable).

carts.py          current cart, shopping lists, lines (by SKU or part number, any unit), abandoned carts
quick_order.py    quick order (pasted text, CSV or XLSX upload) and reorder with a price-change report
checkout.py       pricing, validation and totals shared by preview and placement; preview_order
placement.py      place_order: the one order pipeline for every channel
approvals.py      approve_order, reject_order
lifecycle.py      cancel, ship, administrative transitions, holds, manual-intervention flag
configuration.py  account, buyer and website ordering settings, shipping rate tables, tax rules
"""

from meridian.ordering.services.approvals import approve_order, reject_order
from meridian.ordering.services.carts import (
    DEFAULT_ABANDONED_AFTER_HOURS,
    AddResult,
    LineInput,
    LineOutcome,
    add_lines,
    add_list_to_cart,
    add_to_cart,
    clear_cart,
    create_list,
    current_cart,
    delete_list,
    discard_cart,
    mark_abandoned_carts,
    remove_line,
    set_line_quantity,
    update_list,
)
from meridian.ordering.services.checkout import (
    Checkout,
    OneTimeAddress,
    OrderLineRequest,
    OrderPreview,
    Payment,
    PricedOrderLine,
    preview_order,
)
from meridian.ordering.services.configuration import (
    UNSET,
    ShippingMethodInput,
    configure_account_ordering,
    set_abandoned_cart_hours,
    set_buyer_order_limit,
    upsert_shipping_method,
    upsert_tax_rule,
)
from meridian.ordering.services.lifecycle import (
    ShipmentRequest,
    cancel_order,
    clear_manual_intervention,
    flag_manual_intervention,
    release_hold,
    set_hold,
    ship_order,
    transition_order,
)
from meridian.ordering.services.placement import (
    OrderTotalChanged,
    Placement,
    place_order,
    place_order_detailed,
)
from meridian.ordering.services.quick_order import (
    MAX_QUICK_ORDER_LINES,
    QuickOrderLine,
    QuickOrderReport,
    ReorderReport,
    UnsupportedFileType,
    quick_order,
    quick_order_upload,
    reorder,
)

__all__ = [
    "DEFAULT_ABANDONED_AFTER_HOURS",
    "MAX_QUICK_ORDER_LINES",
    "UNSET",
    "AddResult",
    "Checkout",
    "LineInput",
    "LineOutcome",
    "OneTimeAddress",
    "OrderLineRequest",
    "OrderPreview",
    "OrderTotalChanged",
    "Payment",
    "Placement",
    "PricedOrderLine",
    "QuickOrderLine",
    "QuickOrderReport",
    "ReorderReport",
    "ShipmentRequest",
    "ShippingMethodInput",
    "UnsupportedFileType",
    "add_lines",
    "add_list_to_cart",
    "add_to_cart",
    "approve_order",
    "cancel_order",
    "clear_cart",
    "clear_manual_intervention",
    "configure_account_ordering",
    "create_list",
    "current_cart",
    "delete_list",
    "discard_cart",
    "flag_manual_intervention",
    "mark_abandoned_carts",
    "place_order",
    "place_order_detailed",
    "preview_order",
    "quick_order",
    "quick_order_upload",
    "reject_order",
    "release_hold",
    "remove_line",
    "reorder",
    "set_abandoned_cart_hours",
    "set_buyer_order_limit",
    "set_hold",
    "set_line_quantity",
    "ship_order",
    "transition_order",
    "update_list",
    "upsert_shipping_method",
    "upsert_tax_rule",
]
