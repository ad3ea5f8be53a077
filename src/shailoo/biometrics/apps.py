from django.apps import AppConfig


class BiometricsConfig(AppConfig):
    name = "shailoo.biometrics"
    label = "biometrics"
    default_auto_field = "django.db.models.BigAutoField"
