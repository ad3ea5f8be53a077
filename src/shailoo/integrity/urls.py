"""Integrity API routes, mounted under ``/api/integrity/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.integrity.api import (
    ConsistencyProofView,
    HeadKeysView,
    InclusionProofView,
    LatestHeadView,
    SignedPingView,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("head/", LatestHeadView.as_view(), name="integrity-head"),
    path("keys/", HeadKeysView.as_view(), name="integrity-keys"),
    path("entries/<str:index>/proof/", InclusionProofView.as_view(), name="integrity-inclusion"),
    path("consistency/", ConsistencyProofView.as_view(), name="integrity-consistency"),
    path("signed/ping/", SignedPingView.as_view(), name="integrity-signed-ping"),
]
