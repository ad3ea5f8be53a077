from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollingConfig(AppConfig):
    name = "shailoo.polling"
    label = "polling"
    verbose_name = _("Election day: station devices, check-in and turnout")
    default_auto_field = "django.db.models.BigAutoField"
