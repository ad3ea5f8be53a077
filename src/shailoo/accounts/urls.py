"""Login steps and the access-log page, under ``/accounts/``.

``login`` and ``logout`` keep their global names (the project's ``urls.py`` mounts them).
"""

from django.urls import path

from shailoo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("verify/", views.verify_view, name="verify"),
    path("enrol/", views.enrol_view, name="enrol"),
    path("access-log/", views.access_log_view, name="access_log"),
]
