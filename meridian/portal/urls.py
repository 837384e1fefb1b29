from django.urls import path

from meridian.portal import auth, ordering, orders, views

app_name = "portal"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("invite/<uidb64>/<token>/", auth.InviteView.as_view(), name="invite"),
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category_page, name="category"),
    path("search/", views.search, name="search"),
    path("p/<path:sku>/", views.product_page, name="product"),
    path("account/", views.my_account, name="my_account"),
    path("account/<int:account_id>/", views.account_page, name="account"),
    path("account/<int:account_id>/users/invite/", views.invite_user, name="invite_user"),
    path("account/<int:account_id>/users/<int:user_id>/", views.account_user, name="account_user"),
    path("account/<int:account_id>/users/<int:user_id>/roles/", views.change_roles, name="change_roles"),
    path("account/<int:account_id>/users/<int:user_id>/active/", views.change_active, name="change_active"),
    path("account/<int:account_id>/addresses/new/", views.add_address, name="add_address"),
    # ordering (meridian/portal/ordering.py, orders.py)
    path("cart/", ordering.cart_page, name="cart"),
    path("cart/add/", ordering.add_to_cart, name="add_to_cart"),
    path("cart/coupons/", ordering.apply_coupon, name="apply_coupon"),
    path("cart/coupons/remove/", ordering.remove_coupon, name="remove_coupon"),
    path("carts/<int:cart_id>/lines/<int:line_id>/", ordering.cart_line, name="cart_line"),
    path("quick-order/", ordering.quick_order, name="quick_order"),
    path("checkout/", ordering.checkout, name="checkout"),
    path("lists/", ordering.shopping_lists, name="lists"),
    path("lists/add/", ordering.add_to_list, name="add_to_list"),
    path("lists/<int:cart_id>/", ordering.shopping_list, name="list"),
    path("lists/<int:cart_id>/edit/", ordering.edit_list, name="edit_list"),
    path("lists/<int:cart_id>/delete/", ordering.delete_list, name="delete_list"),
    path("lists/<int:cart_id>/to-cart/", ordering.list_to_cart, name="list_to_cart"),
    path("orders/", orders.order_history, name="orders"),
    path("orders/<str:number>/", orders.order_page, name="order"),
    path("orders/<str:number>/reorder/", orders.reorder, name="reorder"),
    path("orders/<str:number>/cancel/", orders.cancel_order, name="cancel_order"),
    path("orders/<str:number>/approve/", orders.approve_order, name="approve_order"),
    path("orders/<str:number>/reject/", orders.reject_order, name="reject_order"),
    path("approvals/", orders.approvals, name="approvals"),
]
