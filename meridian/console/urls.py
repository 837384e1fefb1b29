from django.urls import path

from meridian.console import views
from meridian.portal import auth

app_name = "console"
urlpatterns = [
    path("login/", auth.ConsoleLoginView.as_view(), name="login"),
    path("", views.dashboard, name="dashboard"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:account_id>/", views.account_detail, name="account"),
    path("products/", views.product_list, name="products"),
    path("products/<path:sku>/", views.product_detail, name="product"),
]
