"""Public results pages, mounted under ``/results/``; each page's JSON is its path without
the last slash plus ``.json`` (``public_views``)."""

from django.urls import path

from shailoo.counting.results import public_views as v

app_name = "results"
urlpatterns = [
    path("", v.index, name="index"),
    path("index.json", v.index_json, name="index_json"),
    path("<str:code>/", v.election, name="election"),
    path("<str:code>.json", v.election_json, name="election_json"),
    path("<str:code>/contests/<str:contest_id>/", v.contest, name="contest"),
    path("<str:code>/contests/<str:contest_id>.json", v.contest_json, name="contest_json"),
    path("<str:code>/regions/<str:region_code>/", v.region, name="region"),
    path("<str:code>/regions/<str:region_code>.json", v.region_json, name="region_json"),
    path("<str:code>/tecs/<str:tec_code>/", v.tec, name="tec"),
    path("<str:code>/tecs/<str:tec_code>.json", v.tec_json, name="tec_json"),
    path("<str:code>/stations/<int:number>/", v.station, name="station"),
    path("<str:code>/stations/<int:number>.json", v.station_json, name="station_json"),
    path(
        "<str:code>/stations/<int:number>/protocols/<str:contest_id>.pdf",
        v.protocol_pdf,
        name="protocol_pdf",
    ),
]
