"""The government registries a candidate check asks, as tables the default adapters read.

In production each is a copy (or a cache) of another agency's register — citizenship and
residence from the population register, language tests from the state testing centre,
diplomas from the education ministry, convictions from the prosecutor's records, terms from
the CEC's own archive. ``shailoo.synth`` fills them for the demo and tests. Every row names
the document or reference it rests on and the day the registry said it, because a decision
cites its evidence.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.register.pin import mask_pin


class CitizenshipRecord(models.Model):
    """The citizenships a person holds, as the registry said on ``as_of``."""

    pin = models.CharField(_("PIN"), max_length=14, unique=True)
    #: ISO 3166-1 codes joined by ";"; empty: stateless.
    citizenships = models.CharField(_("citizenships"), max_length=80, blank=True)
    as_of = models.DateField(_("as of"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("citizenship record")
        verbose_name_plural = _("citizenship records")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: {self.citizenships or 'stateless'}"


class ResidenceStay(models.Model):
    """One period of residence in the country: ``started_on`` and ``ended_on`` are the first
    and the last day present (``ended_on`` null: still resident)."""

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        ordering = ["pin", "started_on"]
        verbose_name = _("residence stay")
        verbose_name_plural = _("residence stays")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: {self.started_on}..{self.ended_on or ''}"


class LanguageTest(models.Model):
    """A state-language test taken at the testing centre."""

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    result = models.CharField(_("test result"), max_length=8)  # passed | failed
    tested_on = models.DateField(_("tested on"))
    certificate = models.CharField(_("certificate"), max_length=80, blank=True)

    class Meta:
        ordering = ["pin", "-tested_on"]
        verbose_name = _("state language test")
        verbose_name_plural = _("state language tests")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: {self.result} {self.tested_on}"


class EducationRecord(models.Model):
    """A person's highest completed education level with its document."""

    pin = models.CharField(_("PIN"), max_length=14, unique=True)
    level = models.CharField(_("education level"), max_length=10)  # none | secondary | higher
    document = models.CharField(_("document"), max_length=80, blank=True)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("education record")
        verbose_name_plural = _("education records")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: {self.level}"


class CriminalRecord(models.Model):
    """A conviction (``expunged_on`` set once the record is expunged)."""

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    article = models.CharField(_("article"), max_length=40)
    convicted_on = models.DateField(_("convicted on"))
    expunged_on = models.DateField(_("expunged on"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("criminal record")
        verbose_name_plural = _("criminal records")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: art. {self.article}"


class RecordsChecked(models.Model):
    """That the criminal-records registry was asked about a person and found nothing.

    An absence of rows in :class:`CriminalRecord` proves nothing by itself (the person may
    never have been asked about); a certificate of no record does.
    """

    pin = models.CharField(_("PIN"), max_length=14, unique=True)
    as_of = models.DateField(_("as of"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("records check")
        verbose_name_plural = _("records checks")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: no record ({self.as_of})"


class TermRecord(models.Model):
    """A term of office served (from the CEC's archive of elected officials)."""

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    office = models.CharField(_("office"), max_length=20)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["pin", "started_on"]
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")

    def __str__(self) -> str:
        return f"{mask_pin(self.pin)}: {self.office} {self.started_on}"
