from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "shailoo.finance"
    label = "finance"
    verbose_name = "Campaign finance: funds, statements, donors and the screen"
    default_auto_field = "django.db.models.BigAutoField"
