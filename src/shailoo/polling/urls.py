"""Pages of election day, mounted at the root by ``shailoo.urls``: the staff dashboard, a
station's record and the home-voting requests under ``/staff/polling/``, the published
turnout and its open data under ``/turnout/``.

The API of the station devices is ``api_urls`` (signed requests, under ``/api/polling/``)."""

from django.urls import path

from shailoo.polling import views_dashboard, views_home_voting, views_public, views_station

app_name = "polling"
urlpatterns = [
    path("staff/polling/", views_dashboard.dashboard, name="dashboard"),
    path("staff/polling/publish/", views_dashboard.publish, name="publish"),
    path("staff/polling/station/<int:number>/", views_station.station, name="station"),
    path("staff/polling/home/", views_home_voting.home, name="home"),
    path("staff/polling/home/<int:pk>/cancel/", views_home_voting.home_cancel, name="home_cancel"),
    path("turnout/", views_public.public, name="public"),
    path("turnout/turnout.csv", views_public.public_csv, name="public_csv"),
    path("turnout/turnout.json", views_public.public_json, name="public_json"),
]
