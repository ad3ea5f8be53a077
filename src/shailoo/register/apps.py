from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "shailoo.register"
    label = "register"
    verbose_name = _("Voter register")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the persons' state check with ``shailoo ledger verify --state``."""
        from shailoo.integrity import state
        from shailoo.register.state import check_persons

        state.register("register.persons", check_persons)
