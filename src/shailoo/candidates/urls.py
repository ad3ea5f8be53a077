"""Pages of the candidates domain: staff pages under ``/staff/candidates/``, the public page
under ``/candidates/`` (mounted at the root by ``shailoo.urls``)."""

from django.urls import path

from shailoo.candidates import views, views_lists, views_participants, views_signatures

app_name = "candidates"
urlpatterns = [
    path("candidates/", views.public_list, name="public"),
    path("candidates/index.json", views.public_json, name="public_json"),
    path("staff/candidates/", views.nominations, name="nominations"),
    path("staff/candidates/nominate/", views.nominate, name="nominate"),
    path("staff/candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("staff/candidates/<int:pk>/check/", views.run_check, name="check"),
    path("staff/candidates/<int:pk>/decide/", views.decide, name="decide"),
    path("staff/candidates/<int:pk>/change/", views.change, name="change"),
    path(
        "staff/candidates/<int:pk>/documents/",
        views_signatures.file_document,
        name="document_add",
    ),
    path(
        "staff/candidates/<int:pk>/signatures/", views_signatures.upload, name="signatures_upload"
    ),
    path("staff/candidates/signatures/<int:pk>/", views_signatures.submission, name="signatures"),
    path("staff/candidates/<int:pk>/withdraw/", views_lists.withdraw, name="withdraw"),
    path("staff/candidates/<int:pk>/replace/", views_lists.replace, name="replace"),
    path("staff/candidates/lists/", views_lists.party_lists, name="lists"),
    path("staff/candidates/lists/<slug:code>/", views_lists.party_list, name="list"),
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
