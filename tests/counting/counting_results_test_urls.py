"""The site's URLs plus the results pages and API, mounted as the lead will wire them."""

from django.urls import include, path

from shailoo.urls import urlpatterns as site

urlpatterns = [
    path("staff/results/", include("shailoo.counting.results.urls")),
    path("results/", include("shailoo.counting.results.public_urls")),
    path("api/results/", include("shailoo.counting.results.api_urls")),
    *site,
]
