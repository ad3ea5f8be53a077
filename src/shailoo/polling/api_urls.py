"""Station devices' API routes, mounted under ``/api/polling/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.polling import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("package/", api.PackageView.as_view(), name="api-polling-package"),
    path("open/", api.OpenView.as_view(), name="api-polling-open"),
    path("checkins/", api.CheckInView.as_view(), name="api-polling-checkins"),
    path("sync/", api.SyncView.as_view(), name="api-polling-sync"),
    path("close/", api.CloseView.as_view(), name="api-polling-close"),
]
