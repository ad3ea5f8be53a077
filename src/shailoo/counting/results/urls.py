"""Staff pages for protocols and results, mounted under ``/staff/results/``."""

from django.urls import path

from shailoo.counting.results import entry_views, views

app_name = "staff_results"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("contests/<str:code>/", views.contest, name="contest"),
    path("stations/<int:number>/", entry_views.station, name="station"),
    path("stations/<int:number>/enter/", entry_views.enter, name="enter"),
    path("stations/<int:number>/automatic/", entry_views.automatic, name="automatic"),
    path("protocols/<int:pk>/", views.protocol, name="protocol"),
    path("protocols/<int:pk>/pdf/", views.protocol_pdf, name="protocol_pdf"),
    path("protocols/<int:pk>/accept/", views.accept, name="accept"),
    path("protocols/<int:pk>/dispute/", views.dispute, name="dispute"),
]
