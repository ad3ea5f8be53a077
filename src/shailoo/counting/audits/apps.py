from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountingAuditConfig(AppConfig):
    name = "shailoo.counting.audits"
    label = "counting_audit"
    verbose_name = _("Risk-limiting audits")
    default_auto_field = "django.db.models.BigAutoField"
