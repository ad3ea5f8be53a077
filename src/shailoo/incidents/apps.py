from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "shailoo.incidents"
    label = "incidents"
    verbose_name = _("Rapid-response groups: cases and alerts")
    default_auto_field = "django.db.models.BigAutoField"
