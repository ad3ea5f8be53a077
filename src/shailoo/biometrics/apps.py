from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiometricsConfig(AppConfig):
    name = "shailoo.biometrics"
    label = "biometrics"
    verbose_name = _("Biometrics")
    default_auto_field = "django.db.models.BigAutoField"
