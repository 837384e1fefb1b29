from django.urls import path

from meridian.console import orders, price_sources, prices, stock, stock_setup, views
from meridian.portal import auth

app_name = "console"
urlpatterns = [
    path("login/", auth.ConsoleLoginView.as_view(), name="login"),
    path("", views.dashboard, name="dashboard"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:account_id>/", views.account_detail, name="account"),
    path("products/", views.product_list, name="products"),
    path("products/<path:sku>/", views.product_detail, name="product"),
    # pricing (meridian/console/prices.py)
    path("prices/", prices.price_list_index, name="price_lists"),
    path("prices/new/", prices.create_price_list, name="create_price_list"),
    path("prices/simulate/", prices.price_simulator, name="price_simulator"),
    path("prices/changes/", prices.price_changes, name="price_changes"),
    path("prices/strategy/", price_sources.set_pricing_strategy, name="set_pricing_strategy"),
    path("prices/<int:price_list_id>/", prices.price_list_detail, name="price_list"),
    path("prices/<int:price_list_id>/rules/", price_sources.create_price_rule, name="create_price_rule"),
    path("price-rules/<int:rule_id>/delete/", price_sources.delete_price_rule, name="delete_price_rule"),
    path("prices/<int:price_list_id>/edit/", prices.edit_price_list, name="edit_price_list"),
    path("prices/<int:price_list_id>/entries/", prices.save_price_entry, name="save_price_entry"),
    path("prices/<int:price_list_id>/import/", prices.import_price_entries, name="import_price_entries"),
    path("prices/<int:price_list_id>/assign/", prices.assign_price_list, name="assign_price_list"),
    path(
        "price-assignments/<int:assignment_id>/delete/",
        prices.delete_price_assignment,
        name="delete_price_assignment",
    ),
    path("accounts/<int:account_id>/contracts/", prices.create_contract, name="create_contract"),
    path(
        "accounts/<int:account_id>/price-lists/",
        prices.assign_account_price_list,
        name="assign_account_price_list",
    ),
    path(
        "accounts/<int:account_id>/customer-prices/",
        price_sources.set_customer_price,
        name="set_customer_price",
    ),
    path(
        "customer-prices/<int:customer_price_id>/delete/",
        price_sources.delete_customer_price,
        name="delete_customer_price",
    ),
    path(
        "accounts/<int:account_id>/price-inheritance/",
        price_sources.set_assignment_inheritance,
        name="set_assignment_inheritance",
    ),
    path("contracts/<int:contract_id>/active/", price_sources.toggle_contract, name="toggle_contract"),
    path("prices/rebates/", price_sources.rebate_programs, name="rebate_programs"),
    path("rebate-programs/<int:program_id>/", price_sources.rebate_program, name="rebate_program"),
    path(
        "rebate-programs/<int:program_id>/edit/",
        price_sources.edit_rebate_program,
        name="edit_rebate_program",
    ),
    path("promotions/", prices.promotion_list, name="promotions"),
    path("promotions/new/", prices.create_promotion, name="create_promotion"),
    path("promotions/<int:promotion_id>/", prices.promotion_detail, name="promotion"),
    path("promotions/<int:promotion_id>/coupons/", prices.create_coupon, name="create_coupon"),
    path("promotions/<int:promotion_id>/active/", price_sources.toggle_promotion, name="toggle_promotion"),
    # pricing editors (meridian/console/price_sources.py): edit contracts, promotions and rules, remove
    # one entry, an account's own rebate program
    path("contracts/<int:contract_id>/edit/", price_sources.edit_contract, name="edit_contract"),
    path("promotions/<int:promotion_id>/edit/", price_sources.edit_promotion, name="edit_promotion"),
    path("price-rules/<int:rule_id>/edit/", price_sources.edit_price_rule, name="edit_price_rule"),
    path(
        "prices/<int:price_list_id>/entries/<int:entry_id>/delete/",
        price_sources.delete_price_entry,
        name="delete_price_entry",
    ),
    path(
        "accounts/<int:account_id>/rebate-programs/",
        price_sources.create_account_rebate_program,
        name="create_account_rebate_program",
    ),
    path("stock/", stock.stock_list, name="stock"),
    path("stock/movements/", stock.movement_list, name="movements"),
    path("stock/receive/", stock.receive_stock, name="receive_stock"),
    path("stock/adjust/", stock.adjust_stock, name="adjust_stock"),
    path("stock/transfer/", stock.transfer_stock, name="transfer_stock"),
    path("stock/incoming/", stock.incoming_stock, name="incoming_stock"),
    path("stock/setup/", stock.inventory_setup, name="inventory_setup"),
    path("purchase-orders/", stock.purchase_order_list, name="purchase_orders"),
    path("purchase-orders/<str:number>/", stock.purchase_order_detail, name="purchase_order"),
    path(
        "purchase-orders/<str:number>/status/",
        stock.change_purchase_order_status,
        name="purchase_order_status",
    ),
    # ordering (meridian/console/orders.py): the order desk, the order page, order for customer
    path("orders/", orders.order_desk, name="orders"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/hold/", orders.change_hold, name="order_hold"),
    path("orders/<str:number>/flag/", orders.change_flag, name="order_flag"),
    path("orders/<str:number>/cancel/", orders.cancel_order, name="cancel_order"),
    path("orders/<str:number>/status/", orders.change_status, name="order_status"),
    path("orders/<str:number>/reorder/", orders.reorder, name="reorder"),
    path("accounts/<int:account_id>/order/", orders.customer_order, name="customer_order"),
    path("accounts/<int:account_id>/order/lines/", orders.add_customer_line, name="add_customer_line"),
    path("accounts/<int:account_id>/order/quick/", orders.quick_order_lines, name="quick_order_lines"),
    path("accounts/<int:account_id>/order/cart/", orders.update_customer_cart, name="update_customer_cart"),
    path("accounts/<int:account_id>/order/place/", orders.place_customer_order, name="place_customer_order"),
    # inventory set-up editors (meridian/console/stock_setup.py): warehouse managers change, staff read
    path("stock/setup/warehouses/new/", stock_setup.new_warehouse, name="new_warehouse"),
    path("stock/setup/warehouses/<str:code>/", stock_setup.edit_warehouse, name="edit_warehouse"),
    path("stock/setup/suppliers/new/", stock_setup.new_supplier, name="new_supplier"),
    path("stock/setup/suppliers/<str:code>/", stock_setup.supplier_detail, name="supplier"),
    path(
        "stock/setup/suppliers/<str:code>/products/",
        stock_setup.set_supplier_product,
        name="set_supplier_product",
    ),
    path(
        "stock/setup/suppliers/<str:code>/products/remove/",
        stock_setup.remove_supplier_product,
        name="remove_supplier_product",
    ),
    path("stock/setup/assignments/", stock_setup.assign_warehouse, name="assign_warehouse"),
    path(
        "stock/setup/assignments/<int:assignment_id>/",
        stock_setup.edit_warehouse_assignment,
        name="edit_warehouse_assignment",
    ),
    path(
        "stock/setup/assignments/<int:assignment_id>/remove/",
        stock_setup.remove_warehouse_assignment,
        name="remove_warehouse_assignment",
    ),
    path(
        "stock/setup/policies/products/",
        stock_setup.set_product_backorder_policy,
        name="set_product_backorder_policy",
    ),
    path(
        "stock/setup/policies/accounts/",
        stock_setup.set_account_backorder_policy,
        name="set_account_backorder_policy",
    ),
]
