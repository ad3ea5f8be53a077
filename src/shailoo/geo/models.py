"""Electoral geography: regions, districts, territorial commissions, polling stations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.common.localized import localized


class Region(models.Model):
    """A first-level division (ISO 3166-2:KG), or the pseudo-region for voting abroad."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("ISO 3166-2:KG code; ABROAD for the stations abroad"),
    )
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=100)
    name_ru = models.CharField(_("name in Russian"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    is_abroad = models.BooleanField(_("abroad"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("Regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"

    @property
    def name(self) -> str:
        """The name in the reader's language, else Kyrgyz, Russian, English."""
        return localized(self, "name")


class District(models.Model):
    """A rayon or city inside a region."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="districts"
    )
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=100)
    name_ru = models.CharField(_("name in Russian"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"

    @property
    def name(self) -> str:
        """The name in the reader's language, else Kyrgyz, Russian, English."""
        return localized(self, "name")


class TerritorialCommission(models.Model):
    """A territorial election commission (TEC, ТИК/ТШК)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="tecs"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("territorial election commission")
        verbose_name_plural = _("territorial election commissions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PollingStation(models.Model):
    """A polling station and its precinct commission, identified by its official number."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="stations"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="stations",
        null=True,
        blank=True,
    )
    tec = models.ForeignKey(
        TerritorialCommission,
        verbose_name=_("TEC"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    is_abroad = models.BooleanField(_("abroad"), default=False)
    is_remote_voting = models.BooleanField(
        _("remote voting station"),
        default=False,
        help_text=_("Special station for remote voting outside the own district"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Voters the station is equipped to serve")
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("polling station")
        verbose_name_plural = _("Polling stations")

    def __str__(self) -> str:
        return f"№{self.number} {self.name}"
