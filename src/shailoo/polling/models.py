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

    key = models.OneToOneField(
        RegisteredKey, verbose_name=_("device key"), on_delete=models.PROTECT, related_name="device"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="devices"
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    seal_public = models.BinaryField(
        _("sealing public key"), max_length=32, help_text=_("X25519 public key (raw)")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    enrolled_by = models.CharField(_("enrolled by"), max_length=150)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    #: The highest hybrid-logical-clock value accepted from the device (packed, see ``hlc``).
    last_hlc = models.BigIntegerField(_("last clock reading (HLC)"), default=0)
    #: Device wall clock minus server clock at its last request, in milliseconds.
    clock_offset_ms = models.BigIntegerField(_("clock offset (ms)"), default=0)
    clock_flagged_at = models.DateTimeField(_("clock flagged at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        ordering = ["station__number", "pk"]
        verbose_name = _("station device")
        verbose_name_plural = _("station devices")

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

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="checkins"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="checkins"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="checkins"
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkins",
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.STATION)
    manual_reason = models.CharField(_("manual reason"), max_length=40, blank=True)
    ballot_style = models.CharField(_("ballot style"), max_length=40, blank=True)
    #: When the ballot was issued, by the device's hybrid logical clock (packed) and as a time.
    hlc = models.BigIntegerField(_("clock reading (HLC)"))
    issued_at = models.DateTimeField(_("issued at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    offline = models.BooleanField(_("offline"), default=False)
    request_key = models.CharField(_("request key"), max_length=64)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("ballot issued")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_ballot_per_voter")
        ]
        indexes = [models.Index(fields=["election", "station", "issued_at"], name="checkin_hour")]
        verbose_name_plural = _("Ballots issued")

    def __str__(self) -> str:
        return f"ballot to person {self.person_id} at №{self.station_id}"


class SecondIssue(models.Model):
    """A ballot issued to a voter who already had one (offline devices, or a manual issue
    that raced a check-in): kept, alerted and shown on both stations' records."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="second_issues"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="second_issues"
    )
    first = models.ForeignKey(
        CheckIn,
        verbose_name=_("first ballot"),
        on_delete=models.PROTECT,
        related_name="second_issues",
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=12, choices=CheckIn.Method.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=CheckIn.Kind.choices)
    hlc = models.BigIntegerField(_("clock reading (HLC)"))
    issued_at = models.DateTimeField(_("issued at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    offline = models.BooleanField(_("offline"), default=False)
    rule = models.CharField(
        _("rule"), max_length=30, help_text=_("The law edition's conflict rule applied")
    )
    request_key = models.CharField(_("request key"), max_length=64)
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("second ballot issued")
        verbose_name_plural = _("second ballots issued")

    def __str__(self) -> str:
        return f"second ballot to person {self.person_id} at №{self.station_id}"


class Answer(models.Model):
    """The first answer to a device's request, by its idempotency key: a retry gets it back.

    Written in the same transaction as what the request changed, so a server killed between
    commit and reply answers the retry exactly as it would have answered the first time.
    """

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="answers"
    )
    request_key = models.CharField(_("request key"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=20)
    body = models.JSONField(_("body"))
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("device answer")
        constraints = [
            models.UniqueConstraint(fields=["device", "request_key"], name="one_answer_per_key")
        ]
        verbose_name_plural = _("device answers")

    def __str__(self) -> str:
        return f"{self.request_key}: {self.outcome}"


class Attempt(models.Model):
    """A check-in that issued no ballot (not identified, not on this list, already voted,
    ineligible): counted per station, without any template."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("check-in attempt")
        indexes = [models.Index(fields=["election", "station", "outcome"], name="attempt_outcome")]
        verbose_name_plural = _("check-in attempts")

    def __str__(self) -> str:
        return f"{self.outcome} at №{self.station_id}"


class HomeVotingRequest(models.Model):
    """A voter's request to vote at home (mobile ballot box), registered by the commission."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ISSUED = "issued", _("ballot issued")
        CANCELLED = "cancelled", _("cancelled")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="home_requests"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    ground = models.CharField(_("ground"), max_length=30)
    address = models.CharField(_("address"), max_length=300)
    requested_at = models.DateTimeField(_("requested at"))
    registered_by = models.CharField(_("registered by"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("home voting request")
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="one_home_request")
        ]
        verbose_name_plural = _("home voting requests")

    def __str__(self) -> str:
        return f"home voting for person {self.person_id} ({self.status})"


class StationReport(models.Model):
    """A device's opening or closing report for its station."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("opening")
        CLOSING = "closing", _("closing")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        PollingStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    data = models.JSONField(_("report"), default=dict)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("station report")
        constraints = [
            models.UniqueConstraint(fields=["device", "kind"], name="one_report_per_device")
        ]
        verbose_name_plural = _("station reports")

    def __str__(self) -> str:
        return f"{self.kind} of №{self.station_id}"


class TurnoutPublication(models.Model):
    """Turnout as published at one of the law's reporting times: frozen once written."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateTimeField(_("as of"))
    published_at = models.DateTimeField(_("published at"))
    figures = models.JSONField(
        _("figures"), help_text=_("Listed and voted by country, region, TEC and station")
    )

    class Meta:
        ordering = ["as_of"]
        verbose_name = _("turnout publication")
        constraints = [
            models.UniqueConstraint(fields=["election", "as_of"], name="one_turnout_per_time")
        ]
        verbose_name_plural = _("turnout publications")

    def __str__(self) -> str:
        return f"turnout as of {self.as_of:%H:%M}"
