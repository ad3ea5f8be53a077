from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountingConfig(AppConfig):
    name = "shailoo.counting"
    label = "counting"
    verbose_name = _("Ballots and counting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the scanned sheets' state check with ``shailoo ledger verify --state``."""
        from shailoo.counting.state import check_sheets
        from shailoo.integrity import state

        state.register("counting.sheets", check_sheets)
