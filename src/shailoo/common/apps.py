from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "shailoo.common"
    label = "common"
    verbose_name = _("Common")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """No PIN in any log record, whichever handler writes it (see ``common.logs``)."""
        from shailoo.common import logs

        logs.install()
