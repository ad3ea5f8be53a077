"""Incidents API routes, mounted under ``/api/incidents/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.incidents.api_alerts import AlertView

urlpatterns: list[URLPattern | URLResolver] = [
    path("alerts/", AlertView.as_view(), name="api-incidents-alerts"),
]
