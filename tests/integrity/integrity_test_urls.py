"""The site's URLs plus the integrity API at /api/integrity/, as the lead will wire them."""

from django.urls import include, path

from shailoo.urls import urlpatterns as site

urlpatterns = [path("api/integrity/", include("shailoo.integrity.urls")), *site]
