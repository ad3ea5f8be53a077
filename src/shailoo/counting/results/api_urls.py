"""Results API routes, mounted under ``/api/results/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.counting.results.api import (
    ElectionResultsView,
    ProtocolSubmitView,
    StationResultsView,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("protocols/", ProtocolSubmitView.as_view(), name="api-results-submit"),
    path("<str:code>/", ElectionResultsView.as_view(), name="api-results-election"),
    path(
        "<str:code>/stations/<int:number>/",
        StationResultsView.as_view(),
        name="api-results-station",
    ),
]
