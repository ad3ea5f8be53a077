"""Public results pages, mounted under ``/results/``."""

from django.urls import path

from shailoo.counting.results import public_views

app_name = "results"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("<str:code>/", public_views.election, name="election"),
    path("<str:code>/stations/<int:number>/", public_views.station, name="station"),
]
