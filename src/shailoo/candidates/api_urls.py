"""Candidates API routes, mounted under ``/api/candidates/``."""

from django.urls import URLPattern, URLResolver, path

from shailoo.candidates.api import CandidateListView, PartyListView

urlpatterns: list[URLPattern | URLResolver] = [
    path("", CandidateListView.as_view(), name="api-candidates"),
    path("parties/", PartyListView.as_view(), name="api-candidates-parties"),
]
