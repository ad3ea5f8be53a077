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

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


class Definition(models.Model):
    """The election definition imported for one election (one per election)."""

    election = models.OneToOneField(
        Election, on_delete=models.PROTECT, related_name="counting_definition"
    )
    document = models.JSONField(help_text="The definition as imported (canonical JSON)")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical definition text")
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("election definition")

    def __str__(self) -> str:
        return f"{self.election.code} {self.sha256[:12]}"


class Contest(models.Model):
    """One question on the ballot: president, a party list, a district's members."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="contests")
    code = models.CharField(max_length=64, help_text="Contest id in the definition")
    kind = models.CharField(max_length=20)
    title_ky = models.CharField(max_length=300)
    title_ru = models.CharField(max_length=300)
    votes_allowed = models.PositiveIntegerField()
    seats = models.PositiveIntegerField()
    district = models.CharField(max_length=64, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["election", "position"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="counting_contest_code")
        ]
        verbose_name = _("contest")

    def __str__(self) -> str:
        return f"{self.code} {self.title_ru}"


class ContestOption(models.Model):
    """One oval: a candidate, a party list or "against all"."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=64, help_text="Option id in the definition")
    kind = models.CharField(max_length=20)
    name_ky = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    party_ky = models.CharField(max_length=300, blank=True)
    party_ru = models.CharField(max_length=300, blank=True)
    #: F or M for a candidate whose sex the definition gives (the 2025 seat rule needs it).
    sex = models.CharField(max_length=1, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["contest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="counting_option_code")
        ]
        verbose_name = _("contest option")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"


class BallotStyle(models.Model):
    """One printed sheet: its contests (order in ``contest_codes``) and the stations using it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballot_styles")
    code = models.CharField(max_length=64, help_text="Ballot style id in the definition")
    contest_codes = models.JSONField(help_text="Contest ids in printed order")
    contests = models.ManyToManyField(Contest, related_name="ballot_styles")
    stations = models.ManyToManyField(PollingStation, related_name="ballot_styles")

    class Meta:
        ordering = ["election", "code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="counting_style_code")
        ]
        verbose_name = _("ballot style")

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

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="sheets")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="sheets")
    style = models.ForeignKey(
        BallotStyle, on_delete=models.PROTECT, related_name="sheets", null=True, blank=True
    )
    serial = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text="Image file name the scanner read")
    image_path = models.CharField(
        max_length=400, blank=True, help_text="Stored image, relative to the var directory"
    )
    image_sha256 = models.CharField(max_length=64, blank=True)
    read = models.JSONField(help_text="The scanner's SheetRead as JSON, thresholds included")
    read_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    reasons = models.JSONField(default=list)
    needs_adjudication = models.BooleanField()
    state = models.CharField(max_length=10, choices=State.choices)
    marginal_threshold = models.FloatField()
    definite_threshold = models.FloatField()
    device_key_id = models.CharField(
        max_length=64, blank=True, help_text="Registered key of the scanner that signed it"
    )
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()
    batch_sequence = models.BigIntegerField(help_text="Ledger entry of the batch it came in")

    class Meta:
        ordering = ["election", "station", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "station", "serial"], name="counting_sheet_serial"
            )
        ]
        indexes = [models.Index(fields=["election", "state"], name="counting_sheet_state")]
        verbose_name = _("scanned sheet")

    def __str__(self) -> str:
        return f"№{self.station.number} {self.serial}"


class ContestInterpretation(models.Model):
    """How one contest on one sheet counts: as read, or as a person decided."""

    class Outcome(models.TextChoices):
        VALID = "valid", _("valid vote")
        OVERVOTE = "overvote", _("overvote")
        UNDERVOTE = "undervote", _("blank")
        MARGINAL = "marginal", _("marginal mark")

    sheet = models.ForeignKey(ScannedSheet, on_delete=models.CASCADE, related_name="contests")
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="+")
    read_outcome = models.CharField(max_length=10, choices=Outcome.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    votes = models.JSONField(default=list, help_text="Option ids that count")
    fills = models.JSONField(default=list, help_text="[option id, fill, marked] as measured")
    needs_decision = models.BooleanField()
    decided = models.BooleanField(default=False)

    class Meta:
        ordering = ["sheet", "contest__position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "contest"], name="counting_interpretation")
        ]
        verbose_name = _("contest interpretation")

    def __str__(self) -> str:
        return f"{self.sheet} {self.contest.code}: {self.outcome}"


class Adjudication(models.Model):
    """A person's decision on a sheet or one of its contests (append-only history)."""

    class Decision(models.TextChoices):
        VOTE = "vote", _("valid vote")
        OVERVOTE = "overvote", _("overvote")
        BLANK = "blank", _("blank")
        SHEET_INVALID = "sheet-invalid", _("sheet invalid")

    sheet = models.ForeignKey(ScannedSheet, on_delete=models.PROTECT, related_name="decisions")
    contest = models.ForeignKey(
        Contest, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    votes = models.JSONField(default=list)
    style_code = models.CharField(max_length=64, blank=True, help_text="Style set by the decision")
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(max_length=150)
    decided_at = models.DateTimeField()
    ledger_sequence = models.BigIntegerField()

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("adjudication")

    def __str__(self) -> str:
        return f"{self.sheet} {self.decision}"
