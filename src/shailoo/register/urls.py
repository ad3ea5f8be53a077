"""Staff pages of the voter register, under ``/staff/``."""

from django.urls import path

from shailoo.register import views

app_name = "register"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("persons/", views.person_search, name="search"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/voting-place/", views.voting_place, name="voting_place"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/answer/", views.correction_answer, name="correction_answer"),
]
