from django.urls import path

from shailoo.register import views

app_name = "register"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
