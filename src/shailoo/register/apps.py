from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "shailoo.register"
    label = "register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the persons' state check with ``shailoo ledger verify --state``."""
        from shailoo.integrity import state
        from shailoo.register.state import check_persons

        state.register("register.persons", check_persons)
