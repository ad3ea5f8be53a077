"""Ballots in the database: the imported election definition and the cast vote records.

The definition file (``counting.definition``) stays the source of truth: it is kept whole
(``Definition.document``, with the SHA-256 of its canonical text) and mirrored into rows
(contests, options, ballot styles with their stations) so that pages and queries can join
on them. Cast vote records keep the scanner's read untouched (``ScannedSheet.read``) next
to what counts after a human decided (``ContestInterpretation.outcome``/``votes``); every
decision is an ``Adjudication`` row and a ledger entry, never an overwrite without trace.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.common.localized import localized
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


class Definition(models.Model):
    """The election definition imported for one election (one per election)."""

    election = models.OneToOneField(
        Election,
        verbose_name=_("election"),
        on_delete=models.PROTECT,
        related_name="counting_definition",
    )
    document = models.JSONField(
        _("document"), help_text=_("The definition as imported (canonical JSON)")
    )
    sha256 = models.CharField(
        "SHA-256", max_length=64, help_text=_("SHA-256 of the canonical definition text")
    )
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.CharField(_("imported by"), max_length=150)

    class Meta:
        verbose_name = _("election definition")
        verbose_name_plural = _("election definitions")

    def __str__(self) -> str:
        return f"{self.election.code} {self.sha256[:12]}"


class Contest(models.Model):
    """One question on the ballot: president, a party list, a district's members."""

    class Kind(models.TextChoices):
        PRESIDENT = "president", _("President")
        PARTY_LIST = "party_list", _("party list")
        DISTRICT = "district", _("district")
        LOCAL_LIST = "local_list", _("local kenesh party list")
        LOCAL_DISTRICT = "local_district", _("local kenesh district")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="contests"
    )
    code = models.CharField(_("code"), max_length=64, help_text=_("Contest id in the definition"))
    kind = models.CharField(_("contest kind"), max_length=20, choices=Kind.choices)
    title_ky = models.CharField(_("title in Kyrgyz"), max_length=300)
    title_ru = models.CharField(_("title in Russian"), max_length=300)
    votes_allowed = models.PositiveIntegerField(_("votes allowed"))
    seats = models.PositiveIntegerField(_("seats"))
    district = models.CharField(_("district"), max_length=64, blank=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["election", "position"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="counting_contest_code")
        ]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self) -> str:
        return f"{self.code} {self.title_ru}"

    @property
    def title(self) -> str:
        """The title in the reader's language, else Kyrgyz, Russian (as on the ballot)."""
        return localized(self, "title")


class ContestOption(models.Model):
    """One oval: a candidate, a party list or "against all"."""

    class Kind(models.TextChoices):
        CANDIDATE = "candidate", _("candidate")
        PARTY = "party", _("party")
        AGAINST_ALL = "against_all", _("against all")

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.CharField(_("code"), max_length=64, help_text=_("Option id in the definition"))
    kind = models.CharField(_("option kind"), max_length=20, choices=Kind.choices)
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=300)
    name_ru = models.CharField(_("name in Russian"), max_length=300)
    party_ky = models.CharField(_("party in Kyrgyz"), max_length=300, blank=True)
    party_ru = models.CharField(_("party in Russian"), max_length=300, blank=True)
    #: F or M for a candidate whose sex the definition gives (the 2025 seat rule needs it).
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["contest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="counting_option_code")
        ]
        verbose_name = _("contest option")
        verbose_name_plural = _("contest options")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"

    @property
    def name(self) -> str:
        """The name in the reader's language, else Kyrgyz, Russian (as on the ballot)."""
        return localized(self, "name")

    @property
    def party(self) -> str:
        """The party in the reader's language ("" for none)."""
        return localized(self, "party")


class BallotStyle(models.Model):
    """One printed sheet: its contests (order in ``contest_codes``) and the stations using it."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.CASCADE, related_name="ballot_styles"
    )
    code = models.CharField(
        _("code"), max_length=64, help_text=_("Ballot style id in the definition")
    )
    contest_codes = models.JSONField(
        _("contest codes"), help_text=_("Contest ids in printed order")
    )
    contests = models.ManyToManyField(
        Contest, verbose_name=_("contests"), related_name="ballot_styles"
    )
    stations = models.ManyToManyField(
        PollingStation, verbose_name=_("stations"), related_name="ballot_styles"
    )

    class Meta:
        ordering = ["election", "code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="counting_style_code")
        ]
        verbose_name = _("ballot style")
        verbose_name_plural = _("ballot styles")

    def __str__(self) -> str:
        return self.code


class ScannedSheet(models.Model):
    """A cast vote record: what the scanner read from one sheet, and where it stands now.

    ``serial`` is the sheet serial from the QR code; a sheet whose QR could not be read gets
    ``~`` plus its image file name, so a rescan of the same file is still recognised.
    """

    class Status(models.TextChoices):
        READABLE = "readable", _("readable")
        WRONG_STYLE = "wrong-style", _("wrong ballot style")
        WRONG_STATION = "wrong-station", _("another station's ballot")
        UNREADABLE = "unreadable", _("unreadable")

    class State(models.TextChoices):
        COUNTED = "counted", _("counted as read")
        PENDING = "pending", _("waiting for adjudication")
        DECIDED = "decided", _("decided by a person")
        INVALID = "invalid", _("sheet declared invalid")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="sheets"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="sheets"
    )
    style = models.ForeignKey(
        BallotStyle,
        verbose_name=_("ballot style"),
        on_delete=models.PROTECT,
        related_name="sheets",
        null=True,
        blank=True,
    )
    serial = models.CharField(_("serial"), max_length=200)
    source = models.CharField(
        _("image file"), max_length=300, help_text=_("Image file name the scanner read")
    )
    image_path = models.CharField(
        _("image path"),
        max_length=400,
        blank=True,
        help_text=_("Stored image, relative to the var directory"),
    )
    image_sha256 = models.CharField(_("image SHA-256"), max_length=64, blank=True)
    read = models.JSONField(
        _("scanner read"), help_text=_("The scanner's SheetRead as JSON, thresholds included")
    )
    read_sha256 = models.CharField(_("read SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    needs_adjudication = models.BooleanField(_("needs adjudication"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    marginal_threshold = models.FloatField(_("marginal threshold"))
    definite_threshold = models.FloatField(_("definite threshold"))
    device_key_id = models.CharField(
        _("device key id"),
        max_length=64,
        blank=True,
        help_text=_("Registered key of the scanner that signed it"),
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"))
    batch_sequence = models.BigIntegerField(
        _("batch sequence"), help_text=_("Ledger entry of the batch it came in")
    )

    class Meta:
        ordering = ["election", "station", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "station", "serial"], name="counting_sheet_serial"
            )
        ]
        indexes = [models.Index(fields=["election", "state"], name="counting_sheet_state")]
        verbose_name = _("scanned sheet")
        verbose_name_plural = _("scanned sheets")

    def __str__(self) -> str:
        return f"№{self.station.number} {self.serial}"


class ContestInterpretation(models.Model):
    """How one contest on one sheet counts: as read, or as a person decided."""

    class Outcome(models.TextChoices):
        VALID = "valid", _("valid vote")
        OVERVOTE = "overvote", _("overvote")
        UNDERVOTE = "undervote", _("blank")
        MARGINAL = "marginal", _("marginal mark")

    sheet = models.ForeignKey(
        ScannedSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="contests"
    )
    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="+"
    )
    read_outcome = models.CharField(_("read outcome"), max_length=10, choices=Outcome.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    votes = models.JSONField(
        _("options that count"), default=list, help_text=_("Option ids that count")
    )
    fills = models.JSONField(
        _("fills"), default=list, help_text=_("[option id, fill, marked] as measured")
    )
    needs_decision = models.BooleanField(_("needs decision"))
    decided = models.BooleanField(_("decided"), default=False)

    class Meta:
        ordering = ["sheet", "contest__position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "contest"], name="counting_interpretation")
        ]
        verbose_name = _("contest interpretation")
        verbose_name_plural = _("contest interpretations")

    def __str__(self) -> str:
        return (
            f"{self.sheet} {self.contest.code} · {self.contest.title}: {self.get_outcome_display()}"
        )


class Adjudication(models.Model):
    """A person's decision on a sheet or one of its contests (append-only history)."""

    class Decision(models.TextChoices):
        VOTE = "vote", _("valid vote")
        OVERVOTE = "overvote", _("overvote")
        BLANK = "blank", _("blank")
        SHEET_INVALID = "sheet-invalid", _("sheet invalid")

    sheet = models.ForeignKey(
        ScannedSheet, verbose_name=_("sheet"), on_delete=models.PROTECT, related_name="decisions"
    )
    contest = models.ForeignKey(
        Contest,
        verbose_name=_("contest"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    votes = models.JSONField(_("options voted"), default=list)
    style_code = models.CharField(
        _("style code"), max_length=64, blank=True, help_text=_("Style set by the decision")
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"))
    ledger_sequence = models.BigIntegerField(_("ledger sequence"))

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("adjudication")
        verbose_name_plural = _("adjudications")

    def __str__(self) -> str:
        return f"{self.sheet} {self.get_decision_display()}"


def contest_label(election_id: int, code: str) -> str:
    """A contest as staff read it: its code and its title in the reader's language."""
    contest = Contest.objects.filter(election_id=election_id, code=code).first()
    return f"{code} · {contest.title}" if contest is not None and contest.title else code
