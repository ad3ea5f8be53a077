from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "shailoo.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """No PIN in any log record, whichever handler writes it (see ``common.logs``)."""
        from shailoo.common import logs

        logs.install()
