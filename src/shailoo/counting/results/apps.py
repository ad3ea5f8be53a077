from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountingResultsConfig(AppConfig):
    name = "shailoo.counting.results"
    label = "counting_results"
    verbose_name = _("Protocols and results")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the protocols' state check with ``shailoo ledger verify --state``."""
        from shailoo.counting.results.state import check_protocols
        from shailoo.integrity import state

        state.register("counting.protocols", check_protocols)
