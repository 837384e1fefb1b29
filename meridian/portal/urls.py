from django.urls import path

from meridian.portal import auth, views

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
]
