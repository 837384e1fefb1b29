from django.urls import path

from meridian.console import prices, stock, views
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
    path("prices/<int:price_list_id>/", prices.price_list_detail, name="price_list"),
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
    path("promotions/", prices.promotion_list, name="promotions"),
    path("promotions/new/", prices.create_promotion, name="create_promotion"),
    path("promotions/<int:promotion_id>/", prices.promotion_detail, name="promotion"),
    path("promotions/<int:promotion_id>/coupons/", prices.create_coupon, name="create_coupon"),
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
]
