"""Pages of the candidates domain: staff pages under ``/staff/candidates/``, the public page
under ``/candidates/`` (mounted at the root by ``shailoo.urls``)."""

from django.urls import path

from shailoo.candidates import views, views_participants

app_name = "candidates"
urlpatterns = [
    path("candidates/", views.public_list, name="public"),
    path("staff/candidates/", views.nominations, name="nominations"),
    path("staff/candidates/nominate/", views.nominate, name="nominate"),
    path("staff/candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("staff/candidates/<int:pk>/check/", views.run_check, name="check"),
    path("staff/candidates/<int:pk>/decide/", views.decide, name="decide"),
    path("staff/candidates/<int:pk>/change/", views.change, name="change"),
    path(
        "staff/candidates/decisions/<int:pk>/decision.pdf",
        views.decision_document,
        name="decision_pdf",
    ),
    path("staff/candidates/decisions/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("staff/candidates/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("staff/candidates/participants/<int:pk>/badge.pdf", views.badge, name="badge"),
    path("staff/candidates/participants/", views_participants.participants, name="participants"),
    path(
        "staff/candidates/participants/register/",
        views_participants.register,
        name="participant_register",
    ),
    path(
        "staff/candidates/participants/<int:pk>/",
        views_participants.participant_detail,
        name="participant",
    ),
    path(
        "staff/candidates/participants/<int:pk>/revoke/",
        views_participants.revoke,
        name="participant_revoke",
    ),
]
