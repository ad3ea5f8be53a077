"""Election events: the polling day and the law edition that governs them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Election(models.Model):
    """One election event. Eligibility and deadlines are computed against its polling day."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    polling_day = models.DateField()
    law_edition = models.CharField(max_length=40, help_text="Law edition id, e.g. kg-2025")
    is_current = models.BooleanField(
        default=False, help_text="The election the register is being prepared for"
    )

    class Meta:
        ordering = ["-polling_day"]
        verbose_name = _("election")

    def __str__(self) -> str:
        return f"{self.name} ({self.polling_day})"
