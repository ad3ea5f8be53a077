from django.apps import AppConfig


class CountingResultsConfig(AppConfig):
    name = "shailoo.counting.results"
    label = "counting_results"
    verbose_name = "Protocols and results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the protocols' state check with ``shailoo ledger verify --state``."""
        from shailoo.counting.results.state import check_protocols
        from shailoo.integrity import state

        state.register("counting.protocols", check_protocols)
