"""Public portal pages."""

from django.urls import path

from shailoo.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.self_check, name="check"),
    path("stations/", views.stations, name="stations"),
    path("stations/<int:number>/list/", views.station_list, name="station_list"),
    path("stations/<int:number>/list.csv", views.station_list_csv, name="station_list_csv"),
]
