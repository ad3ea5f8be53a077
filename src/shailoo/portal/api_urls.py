"""HTTP API routes (``/api/``); the OpenAPI description is at ``/api/schema/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.portal.api import SelfCheckView, StationDetailView, StationListView
from shailoo.register.api import PersonEligibilityView

urlpatterns: list[URLPattern | URLResolver] = [
    path("selfcheck/", SelfCheckView.as_view(), name="api-selfcheck"),
    path("stations/", StationListView.as_view(), name="api-stations"),
    path("stations/<int:number>/", StationDetailView.as_view(), name="api-station"),
    # POST, the PIN in the JSON body: a PIN never goes into a URL (URLs are logged).
    path("persons/eligibility/", PersonEligibilityView.as_view(), name="api-person-eligibility"),
]
