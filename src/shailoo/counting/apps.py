from django.apps import AppConfig


class CountingConfig(AppConfig):
    name = "shailoo.counting"
    label = "counting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the scanned sheets' state check with ``shailoo ledger verify --state``."""
        from shailoo.counting.state import check_sheets
        from shailoo.integrity import state

        state.register("counting.sheets", check_sheets)
