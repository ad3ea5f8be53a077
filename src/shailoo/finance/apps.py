from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "shailoo.finance"
    label = "finance"
    verbose_name = _("Campaign finance: funds, statements, donors and the screen")
    default_auto_field = "django.db.models.BigAutoField"
