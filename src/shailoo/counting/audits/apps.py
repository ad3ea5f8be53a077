from django.apps import AppConfig


class CountingAuditConfig(AppConfig):
    name = "shailoo.counting.audits"
    label = "counting_audit"
    verbose_name = "Risk-limiting audits"
    default_auto_field = "django.db.models.BigAutoField"
