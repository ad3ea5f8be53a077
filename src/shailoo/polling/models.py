"""Election day: station devices, ballots issued (check-ins), second issues, home voting,
station reports and published turnout.

"One voter, one ballot" is a database fact, not a convention: :class:`CheckIn` carries a
unique constraint on (election, person), so two stations, two server threads or a retried
request can never both record a ballot for one voter. A ballot a station issued although the
voter had already received one elsewhere (two devices offline at once) is not dropped: it is a
:class:`SecondIssue`, shown on both stations' records and raised as an alert.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.models import RegisteredKey
from shailoo.register.models import Person


class Device(models.Model):
    """An identification device enrolled to one station with an Ed25519 signing key (the
    integrity key registry's) and an X25519 key its station package is sealed to."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")

    key = models.OneToOneField(RegisteredKey, on_delete=models.PROTECT, related_name="device")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="devices")
    label = models.CharField(max_length=100, blank=True)
    seal_public = models.BinaryField(max_length=32, help_text="X25519 public key (raw)")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField()
    enrolled_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)
    #: The highest hybrid-logical-clock value accepted from the device (packed, see ``hlc``).
    last_hlc = models.BigIntegerField(default=0)
    #: Device wall clock minus server clock at its last request, in milliseconds.
    clock_offset_ms = models.BigIntegerField(default=0)
    clock_flagged_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["station__number", "pk"]
        verbose_name = _("station device")

    def __str__(self) -> str:
        return f"{self.label or self.key.key_id[:12]} @ №{self.station.number}"


class CheckIn(models.Model):
    """A ballot issued to a voter: at most one per voter and election, by constraint."""

    class Method(models.TextChoices):
        IDENTIFIED = "identified", _("biometric identification (1:N)")
        VERIFIED = "verified", _("document and biometric verification (1:1)")
        MANUAL = "manual", _("manual issuance (documented procedure)")

    class Kind(models.TextChoices):
        STATION = "station", _("at the station")
        HOME = "home", _("mobile ballot box (home voting)")
        REMOTE = "remote", _("remote-voting station")
        ABROAD = "abroad", _("station abroad")

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="checkins")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="checkins")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="checkins")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="checkins"
    )
    method = models.CharField(max_length=12, choices=Method.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.STATION)
    manual_reason = models.CharField(max_length=40, blank=True)
    ballot_style = models.CharField(max_length=40, blank=True)
    #: When the ballot was issued, by the device's hybrid logical clock (packed) and as a time.
    hlc = models.BigIntegerField()
    issued_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    offline = models.BooleanField(default=False)
    request_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("ballot issued")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_ballot_per_voter")
        ]
        indexes = [models.Index(fields=["election", "station", "issued_at"], name="checkin_hour")]

    def __str__(self) -> str:
        return f"ballot to person {self.person_id} at №{self.station_id}"


class SecondIssue(models.Model):
    """A ballot issued to a voter who already had one (offline devices, or a manual issue
    that raced a check-in): kept, alerted and shown on both stations' records."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="second_issues")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="second_issues")
    first = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="second_issues")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=12, choices=CheckIn.Method.choices)
    kind = models.CharField(max_length=8, choices=CheckIn.Kind.choices)
    hlc = models.BigIntegerField()
    issued_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    offline = models.BooleanField(default=False)
    rule = models.CharField(max_length=30, help_text="The law edition's conflict rule applied")
    request_key = models.CharField(max_length=64)
    case_reference = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("second ballot issued")

    def __str__(self) -> str:
        return f"second ballot to person {self.person_id} at №{self.station_id}"


class Answer(models.Model):
    """The first answer to a device's request, by its idempotency key: a retry gets it back.

    Written in the same transaction as what the request changed, so a server killed between
    commit and reply answers the retry exactly as it would have answered the first time.
    """

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="answers")
    request_key = models.CharField(max_length=64)
    outcome = models.CharField(max_length=20)
    body = models.JSONField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("device answer")
        constraints = [
            models.UniqueConstraint(fields=["device", "request_key"], name="one_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.request_key}: {self.outcome}"


class Attempt(models.Model):
    """A check-in that issued no ballot (not identified, not on this list, already voted,
    ineligible): counted per station, without any template."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+")
    outcome = models.CharField(max_length=20)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("check-in attempt")
        indexes = [models.Index(fields=["election", "station", "outcome"], name="attempt_outcome")]

    def __str__(self) -> str:
        return f"{self.outcome} at №{self.station_id}"


class HomeVotingRequest(models.Model):
    """A voter's request to vote at home (mobile ballot box), registered by the commission."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ISSUED = "issued", _("ballot issued")
        CANCELLED = "cancelled", _("cancelled")

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="home_requests")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=30)
    address = models.CharField(max_length=300)
    requested_at = models.DateTimeField()
    registered_by = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REGISTERED)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("home voting request")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_home_request")
        ]

    def __str__(self) -> str:
        return f"home voting for person {self.person_id} ({self.status})"


class StationReport(models.Model):
    """A device's opening or closing report for its station."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("opening")
        CLOSING = "closing", _("closing")

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("station report")
        constraints = [
            models.UniqueConstraint(fields=["device", "kind"], name="one_report_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of №{self.station_id}"


class TurnoutPublication(models.Model):
    """Turnout as published at one of the law's reporting times: frozen once written."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateTimeField()
    published_at = models.DateTimeField()
    figures = models.JSONField(help_text="Listed and voted by country, region, TEC and station")

    class Meta:
        ordering = ["as_of"]
        verbose_name = _("turnout publication")
        constraints = [
            models.UniqueConstraint(fields=["election", "as_of"], name="one_turnout_per_time")
        ]

    def __str__(self) -> str:
        return f"turnout as of {self.as_of:%H:%M}"
