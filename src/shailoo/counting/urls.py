"""Staff pages of ballot adjudication, under ``/staff/counting/``."""

from django.urls import path

from shailoo.counting import views

app_name = "counting"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet"),
    path("sheets/<int:pk>/decide/", views.decide, name="decide"),
    path("sheets/<int:pk>/image/", views.sheet_image, name="sheet_image"),
]
