from django.apps import AppConfig


class CountingConfig(AppConfig):
    name = "shailoo.counting"
    label = "counting"
    default_auto_field = "django.db.models.BigAutoField"
