from django.apps import AppConfig


class BiometricsDedupConfig(AppConfig):
    name = "shailoo.biometrics.dedup"
    label = "biometrics_dedup"
    verbose_name = "Biometric deduplication"
    default_auto_field = "django.db.models.BigAutoField"
