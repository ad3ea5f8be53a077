from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiometricsDedupConfig(AppConfig):
    name = "shailoo.biometrics.dedup"
    label = "biometrics_dedup"
    verbose_name = _("Biometric deduplication")
    default_auto_field = "django.db.models.BigAutoField"
