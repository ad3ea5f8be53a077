"""Subscriptions to results and turnout, mounted under ``/subscribe/``.

The results and turnout pages link to ``/subscribe/?station=N``, ``?region=CODE`` or
``?topic=turnout`` (with ``&region=CODE`` for a region's turnout).
"""

from django.urls import path

from shailoo.portal import views_subscriptions as views

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", views.sent, name="sent"),
    path("code/<str:ref>/", views.code, name="code"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
