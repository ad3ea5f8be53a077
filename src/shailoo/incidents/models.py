"""Cases of the rapid-response groups, their timeline, evidence, routing and decisions.

One case model for every door: the public form, the hotline, observers and agents, Open311
clients and the internal alert API every domain calls. A case is routed to one agency and
territory (and may be shared with more); its deadline comes from the law edition; every
action is an event on its timeline and, where it matters, an entry on the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.incidents.categories import AGENCIES, CATEGORIES, SEVERITIES

# The names staff and the public read (the same messages as incidents.forms' labels).
CATEGORY_NAMES = {
    "vote_buying": _("Vote buying"),
    "multiple_voting": _("Multiple voting"),
    "pressure_on_voters": _("Pressure on voters"),
    "foreign_interference": _("Foreign interference"),
    "prohibited_financing": _("Prohibited campaign financing"),
    "illegal_campaigning": _("Illegal campaigning"),
    "administrative_resources": _("Misuse of administrative resources"),
    "cyber_incident": _("Cyber incident"),
    "public_order": _("Breach of public order"),
    "count_irregularity": _("Irregularity in the count"),
    "other": _("Other violation"),
}
SEVERITY_NAMES = {
    "low": _("low"),
    "medium": _("medium"),
    "high": _("high"),
    "critical": _("critical"),
}
AGENCY_NAMES = {
    "commission": _("Election commission"),
    "prosecutor": _("Prosecutor's office"),
    "police": _("Internal affairs (police)"),
    "national_security": _("National security"),
}
CATEGORY_CHOICES = [(c, CATEGORY_NAMES[c]) for c in CATEGORIES]
SEVERITY_CHOICES = [(s, SEVERITY_NAMES[s]) for s in SEVERITIES]
AGENCY_CHOICES = [(a, AGENCY_NAMES[a]) for a in AGENCIES]


class Case(models.Model):
    """One complaint, report or alert, from intake to decision."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        DECIDED = "decided", _("decided")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")

    class Source(models.TextChoices):
        PUBLIC_WEB = "public_web", _("public web form")
        HOTLINE = "hotline", _("hotline")
        OBSERVER = "observer", _("observer")
        AGENT = "agent", _("candidate's agent")
        OPEN311 = "open311", _("Open311 client")
        ALERT = "alert", _("alert from a domain")
        STAFF = "staff", _("staff")

    #: What citizens quote to follow the case: not guessable (no sequential numbers).
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    election = models.ForeignKey(
        Election,
        verbose_name=_("election"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    category = models.CharField(_("category"), max_length=30, choices=CATEGORY_CHOICES)
    severity = models.CharField(_("severity"), max_length=10, choices=SEVERITY_CHOICES)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    source = models.CharField(_("received through"), max_length=12, choices=Source.choices)
    kind = models.CharField(
        _("kind"), max_length=16, default="complaint"
    )  # complaint | alert | ...
    station = models.ForeignKey(
        PollingStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    tec = models.ForeignKey(
        TerritorialCommission,
        verbose_name=_("TEC"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    description = models.TextField(_("description"))
    #: What the public register shows of the case (set by staff; never the description).
    public_summary = models.CharField(_("public summary"), max_length=500, blank=True)
    parties_involved = models.CharField(_("parties involved"), max_length=300, blank=True)
    #: Personal data of the complainant (shown to the case's handlers only, view logged).
    complainant_name = models.CharField(_("complainant name"), max_length=200, blank=True)
    complainant_phone = models.CharField(_("complainant phone"), max_length=40, blank=True)
    complainant_email = models.CharField(_("complainant email"), max_length=200, blank=True)
    reporter = models.CharField(
        _("reporter"), max_length=150, blank=True
    )  # staff, device or system actor
    #: The signed-in user who filed it (observers and agents follow their reports by it; a
    #: username equal to a system actor's name must not pick up that actor's cases).
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_cases",
    )
    agency = models.CharField(_("agency"), max_length=20, choices=AGENCY_CHOICES)
    #: Other agencies handling the case jointly, as ",code,code," (searchable on any database).
    shared_with = models.CharField(_("shared with"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    due_rule = models.CharField(_("deadline rule"), max_length=40)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    #: For an alert: the raising domain's kind and subject (``counting.alert``, a ledger ref).
    alert_kind = models.CharField(_("alert kind"), max_length=60, blank=True)
    alert_subject = models.CharField(_("alert subject"), max_length=120, blank=True)
    #: For an alert: its evidence as the raising domain gave it (key → JSON value), so a page
    #: names each item in the reader's language (``incidents.alert_text``); the description
    #: keeps the text as raised (the ledger holds its digest).
    alert_evidence = models.JSONField(_("alert evidence"), default=dict, blank=True)
    #: An alert raised twice with one key is one case (the second adds to its timeline).
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True, db_index=True)
    #: The Open311 token of a request filed by a client.
    token = models.CharField(_("token"), max_length=40, blank=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status"], name="case_agency_status"),
            models.Index(fields=["due_at"], name="case_due"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} ({self.category}, {self.status})"

    @property
    def shared_agencies(self) -> list[str]:
        return [code for code in self.shared_with.split(",") if code]

    @property
    def open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)


class CaseEvent(models.Model):
    """One step of a case's timeline: received, routed, shared, note, reminder, escalation,
    decision, appeal, evidence."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    actor = models.CharField(_("actor"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20)
    data = models.JSONField(_("details"), default=dict)

    class Meta:
        ordering = ["case", "at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    """A file attached to a case, kept by its SHA-256 (also on the ledger)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="evidence"
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField(_("content"))
    added_by = models.CharField(_("added by"), max_length=150)
    added_at = models.DateTimeField(_("added at"))
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class RoutingRule(models.Model):
    """The CEC's route for a category: which agency handles it (else the default route)."""

    category = models.CharField(_("category"), max_length=30, choices=CATEGORY_CHOICES, unique=True)
    agency = models.CharField(_("agency"), max_length=20, choices=AGENCY_CHOICES)
    changed_by = models.CharField(_("changed by"), max_length=150)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} -> {self.agency}"


class CaseDecision(models.Model):
    """The outcome of a case: what was decided, on which legal basis, what was done."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("complaint upheld")
        DISMISSED = "dismissed", _("dismissed")
        REFERRED = "referred", _("referred to another body")
        NO_VIOLATION = "no_violation", _("no violation found")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    measures = models.TextField(_("measures"), blank=True)
    referral = models.CharField(_("referred to"), max_length=200, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"))
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["case", "decided_at", "pk"]
        verbose_name = _("case decision")
        verbose_name_plural = _("case decisions")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.outcome}"


class Notification(models.Model):
    """An in-app notice to a member (a case routed to them, a reminder, an escalation)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="incident_notices",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20)
    text = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"


class CaseAppeal(models.Model):
    """An appeal against a case's decision (by the complainant, a party or a candidate)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        UPHELD = "upheld", _("upheld: the case is reopened")
        DISMISSED = "dismissed", _("dismissed")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="appeals"
    )
    filed_by = models.CharField(_("filed by"), max_length=200)
    grounds = models.TextField(_("grounds"))
    filed_at = models.DateTimeField(_("filed at"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "filed_at", "pk"]
        verbose_name = _("case appeal")
        verbose_name_plural = _("case appeals")

    def __str__(self) -> str:
        return f"{self.case.reference} appeal: {self.outcome}"
