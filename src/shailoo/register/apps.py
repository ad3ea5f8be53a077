from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "shailoo.register"
    label = "register"
    default_auto_field = "django.db.models.BigAutoField"
