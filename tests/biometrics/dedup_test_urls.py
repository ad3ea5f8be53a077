"""The site's URLs plus the deduplication pages at /staff/dedup/, as the lead will wire them."""

from django.urls import include, path

from shailoo.urls import urlpatterns as site

_wired = any(getattr(p, "namespace", None) == "biometrics_dedup" for p in site)
urlpatterns = (
    site if _wired else [path("staff/dedup/", include("shailoo.biometrics.dedup.urls")), *site]
)
