from django.contrib import admin
from django.urls import include, path

from meridian.api.router import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("console/", include("meridian.console.urls")),
    path("", include("meridian.portal.urls")),
]
