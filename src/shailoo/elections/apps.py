from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "shailoo.elections"
    label = "elections"
    default_auto_field = "django.db.models.BigAutoField"
