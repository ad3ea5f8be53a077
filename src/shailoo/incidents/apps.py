from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "shailoo.incidents"
    label = "incidents"
    verbose_name = "Rapid-response groups: cases and alerts"
    default_auto_field = "django.db.models.BigAutoField"
