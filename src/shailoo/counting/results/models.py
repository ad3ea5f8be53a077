"""Station protocols with every version kept, automatic counts, decisions and counting alerts.

A protocol is one contest's result at one station. What the commission wrote is a
:class:`ProtocolVersion`: never edited, never deleted; writing the protocol again (a
correction after a dispute) adds a version, because rewritten protocols were a real problem
in 2021 and the old figures must stay on record. :class:`Protocol` holds the status and
points at the current version. Rows are written only by ``counting.results.services``,
each change with its ledger entry in the same transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.counting.models import contest_label
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


class Protocol(models.Model):
    """One contest's protocol at one station: status and the current version."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        ACCEPTED = "accepted", _("accepted")
        DISPUTED = "disputed", _("disputed")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="protocols"
    )
    station = models.ForeignKey(
        PollingStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="protocols",
    )
    contest_id = models.CharField(_("contest id"), max_length=64)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.REPORTED
    )
    current = models.OneToOneField(
        "ProtocolVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_of",
    )
    #: The latest evaluation of the current version (it changes when an automatic count
    #: arrives later); each version keeps its own evaluation at entry as history.
    acceptable = models.BooleanField(_("passes the checks"), default=False)
    verdict = models.JSONField(_("verdict"), default=dict)
    automatic = models.JSONField(
        _("automatic count"), null=True, blank=True, help_text=_("Automatic count compared")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["station__number", "contest_id"]
        verbose_name = _("protocol")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "station", "contest_id"], name="protocol_per_contest"
            )
        ]
        indexes = [models.Index(fields=["election", "status"])]
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        contest = contest_label(self.election_id, self.contest_id)
        return f"№{self.station.number} {contest} ({self.get_status_display()})"


class ProtocolVersion(models.Model):
    """What was written, as written: lines, votes, the comparison and how it was signed."""

    class Source(models.TextChoices):
        STAFF = "staff", _("entered by commission staff")
        SIGNED = "signed", _("signed submission")

    protocol = models.ForeignKey(
        Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    lines = models.JSONField(
        _("protocol lines"), help_text=_("The base lines: voters on the list ... ballots invalid")
    )
    votes = models.JSONField(
        _("votes per option"), help_text=_("Votes per option id, against-all included")
    )
    automatic = models.JSONField(
        _("automatic count"), null=True, blank=True, help_text=_("Automatic count compared")
    )
    verdict = models.JSONField(_("verdict"), help_text=_("Control failures and count differences"))
    acceptable = models.BooleanField(_("passes the checks"))
    tolerance_votes = models.PositiveIntegerField(_("tolerance votes"))
    source = models.CharField(_("entered from"), max_length=8, choices=Source.choices)
    entered_by = models.CharField(_("entered by"), max_length=150)
    #: For signed submissions: the key, the body's SHA-256 and the request signature.
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64, blank=True)
    request_signature = models.CharField(_("request signature"), max_length=100, blank=True)
    content_sha256 = models.CharField(
        _("content SHA-256"), max_length=64, help_text=_("SHA-256 of the canonical content")
    )
    ledger_sequence = models.BigIntegerField(_("ledger sequence"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["protocol", "number"]
        verbose_name = _("protocol version")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_number")
        ]
        verbose_name_plural = _("protocol versions")

    def __str__(self) -> str:
        return f"{self.protocol} v{self.number}"

    @property
    def votes_valid(self) -> int:
        return sum(int(v) for v in self.votes.values())


class ProtocolDecision(models.Model):
    """An acceptance or a dispute, by whom and why; an acceptance carries the commission's
    signature over the accepted version's canonical content."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", _("accepted")
        DISPUTE = "dispute", _("disputed")

    protocol = models.ForeignKey(
        Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="decisions"
    )
    version = models.ForeignKey(
        ProtocolVersion,
        verbose_name=_("protocol version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    actor = models.CharField(_("actor"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    signature = models.CharField(
        _("signature"), max_length=100, blank=True, help_text="base64 Ed25519"
    )
    signed_message_sha256 = models.CharField(_("signed message SHA-256"), max_length=64, blank=True)
    ledger_sequence = models.BigIntegerField(_("ledger sequence"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("protocol decision")
        verbose_name_plural = _("protocol decisions")

    def __str__(self) -> str:
        return f"{self.protocol} {self.get_kind_display()}: {self.actor}"


class AutomaticCount(models.Model):
    """The scanners' count for one contest at one station; the newest row is the one used."""

    class Source(models.TextChoices):
        SCANNER = "scanner", _("tallied from scanned sheets")
        SIGNED = "signed", _("signed device submission")
        STAFF = "staff", _("entered by staff")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    contest_id = models.CharField(_("contest id"), max_length=64)
    counts = models.JSONField(_("counts"), help_text=_("Votes per option id"))
    source = models.CharField(_("counted from"), max_length=8, choices=Source.choices)
    submitted_by = models.CharField(_("submitted by"), max_length=150)
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    ledger_sequence = models.BigIntegerField(_("ledger sequence"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("automatic count")
        indexes = [models.Index(fields=["election", "station", "contest_id"])]
        verbose_name_plural = _("automatic counts")

    def __str__(self) -> str:
        contest = contest_label(self.election_id, self.contest_id)
        return f"№{self.station.number} {contest} ({self.get_source_display()})"


class CountingAlert(models.Model):
    """A protocol that cannot be accepted as written: the results dashboard lists these, and
    the incidents capability will take them in."""

    class Kind(models.TextChoices):
        DISCREPANCY = "discrepancy", _("automatic and manual counts differ")
        CONTROL = "control", _("control relation fails")
        NO_AUTOMATIC = "no_automatic", _("no automatic count")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    protocol = models.ForeignKey(
        Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="alerts"
    )
    version = models.ForeignKey(
        ProtocolVersion,
        verbose_name=_("protocol version"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reasons = models.JSONField(_("reasons"), help_text=_("The located reasons, in English"))
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("counting alert")
        indexes = [models.Index(fields=["election", "resolved"])]
        verbose_name_plural = _("counting alerts")

    def __str__(self) -> str:
        contest = contest_label(self.protocol.election_id, self.protocol.contest_id)
        return f"{self.get_kind_display()}: №{self.station.number} ({contest})"
