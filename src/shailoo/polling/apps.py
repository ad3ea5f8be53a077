from django.apps import AppConfig


class PollingConfig(AppConfig):
    name = "shailoo.polling"
    label = "polling"
    verbose_name = "Election day: station devices, check-in and turnout"
    default_auto_field = "django.db.models.BigAutoField"
