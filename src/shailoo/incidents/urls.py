"""Pages of the rapid-response groups: the public complaint form, status look-up and register
(``/report/``, ``/cases/``), and the staff workspace under ``/staff/incidents/`` (mounted at the
root by ``shailoo.urls``), with the observers' and agents' "My reports" at
``/staff/incidents/mine/`` (before ``<reference>``, which it would otherwise match)."""

from django.urls import path

from shailoo.incidents import views_public, views_staff

app_name = "incidents"
urlpatterns = [
    path("report/", views_public.report, name="report"),
    path("report/status/", views_public.status_lookup, name="status_lookup"),
    path("report/<str:reference>/", views_public.status, name="status"),
    path("cases/", views_public.register, name="register"),
    path("cases/index.json", views_public.register_json, name="register_json"),
    path("staff/incidents/", views_staff.cases, name="cases"),
    path("staff/incidents/new/", views_staff.new_case, name="new"),
    path("staff/incidents/mine/", views_staff.mine, name="mine"),
    path("staff/incidents/routes/", views_staff.routes, name="routes"),
    path("staff/incidents/<str:reference>/", views_staff.case_detail, name="case"),
    path("staff/incidents/<str:reference>/note/", views_staff.add_note, name="note"),
    path(
        "staff/incidents/<str:reference>/evidence/", views_staff.add_evidence, name="evidence_add"
    ),
    path(
        "staff/incidents/<str:reference>/evidence/<int:pk>/",
        views_staff.evidence_file,
        name="evidence",
    ),
    path("staff/incidents/<str:reference>/route/", views_staff.route_case, name="route"),
    path("staff/incidents/<str:reference>/decide/", views_staff.decide, name="decide"),
    path("staff/incidents/<str:reference>/appeal/", views_staff.appeal, name="appeal"),
    path(
        "staff/incidents/<str:reference>/appeal/<int:pk>/decide/",
        views_staff.appeal_decide,
        name="appeal_decide",
    ),
]
