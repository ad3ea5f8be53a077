"""Public portal pages: home and its calendar, self-check, stations, the ledger, open data."""

from django.urls import path

from shailoo.portal import views, views_calendar, views_ledger, views_open_data

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("calendar.json", views_calendar.calendar_json, name="calendar_json"),
    path("check/", views.self_check, name="check"),
    path("stations/", views.stations, name="stations"),
    path("stations/index.json", views.stations_json, name="stations_json"),
    path("stations/<int:number>/list/", views.station_list, name="station_list"),
    path("stations/<int:number>/list.csv", views.station_list_csv, name="station_list_csv"),
    path("ledger/", views_ledger.ledger_page, name="ledger"),
    path("ledger/index.json", views_ledger.ledger_json, name="ledger_json"),
    path("ledger/entries.jsonl", views_ledger.ledger_export, name="ledger_export"),
    path("open-data/", views_open_data.open_data, name="open_data"),
    path("open-data/index.json", views_open_data.open_data_json, name="open_data_json"),
    path(
        "open-data/<str:code>/results.csv",
        views_open_data.results_csv,
        name="open_data_results_csv",
    ),
    path(
        "open-data/<str:code>/results-nist.json",
        views_open_data.results_nist,
        name="open_data_results_nist",
    ),
    path(
        "open-data/<str:code>/cvr-nist.json",
        views_open_data.cast_vote_records,
        name="open_data_cvr",
    ),
    path(
        "open-data/<str:code>/candidates.csv",
        views_open_data.candidates_csv,
        name="open_data_candidates",
    ),
]
