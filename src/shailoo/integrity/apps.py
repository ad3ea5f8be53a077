"""The integrity app: ledger, signed tree heads, key registry, signed submissions."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "shailoo.integrity"
    label = "integrity"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Integrity: ledger and keys")

    def ready(self) -> None:
        """Refuse a production start without the PIN pepper."""
        from shailoo.integrity import ledger

        ledger.pepper()
