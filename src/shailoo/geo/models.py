"""Electoral geography: regions, districts, territorial commissions, polling stations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A first-level division (ISO 3166-2:KG), or the pseudo-region for voting abroad."""

    code = models.CharField(max_length=8, unique=True, help_text="ISO 3166-2:KG code or 'ABROAD'")
    name_ky = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    is_abroad = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"


class District(models.Model):
    """A rayon or city inside a region."""

    code = models.CharField(max_length=16, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    name_ky = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"


class TerritorialCommission(models.Model):
    """A territorial election commission (TEC, ТИК/ТШК)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="tecs")

    class Meta:
        ordering = ["code"]
        verbose_name = _("territorial election commission")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PollingStation(models.Model):
    """A polling station and its precinct commission, identified by its official number."""

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stations")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="stations", null=True, blank=True
    )
    tec = models.ForeignKey(
        TerritorialCommission, on_delete=models.PROTECT, related_name="stations"
    )
    is_abroad = models.BooleanField(default=False)
    is_remote_voting = models.BooleanField(
        default=False, help_text="Special station for remote voting outside the own district"
    )
    capacity = models.PositiveIntegerField(help_text="Voters the station is equipped to serve")

    class Meta:
        ordering = ["number"]
        verbose_name = _("polling station")

    def __str__(self) -> str:
        return f"№{self.number} {self.name}"
