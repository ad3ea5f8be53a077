"""Staff pages of the deduplication queue (the lead includes them under ``/staff/dedup/``)."""

from django.urls import path

from shailoo.biometrics.dedup import views

app_name = "biometrics_dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.candidate, name="candidate"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
