"""Open311 GeoReport v2 routes, mounted under ``/open311/v2/`` (see ``incidents.api_open311``).

Each resource answers by its suffix (``.json``, ``.xml``); the same path without a suffix
answers JSON and shares the resource's name. Anything else under the endpoint is GeoReport's
404, in JSON or XML as its suffix asks.
"""

from django.urls import URLPattern, URLResolver, path

from shailoo.incidents import api_open311 as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("discovery.<str:fmt>", views.discovery, name="open311-discovery"),
    path("discovery", views.discovery, name="open311-discovery"),
    path("services.<str:fmt>", views.services, name="open311-services"),
    path("services", views.services, name="open311-services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="open311-service"),
    path("services/<str:code>", views.service_definition, name="open311-service"),
    path("requests.<str:fmt>", views.requests, name="open311-requests"),
    path("requests", views.requests, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", views.service_request, name="open311-request"),
    path("requests/<str:request_id>", views.service_request, name="open311-request"),
    path("tokens/<str:token>.<str:fmt>", views.token_request, name="open311-token"),
    path("tokens/<str:token>", views.token_request, name="open311-token"),
    path("<path:rest>", views.unknown, name="open311-unknown"),
]
