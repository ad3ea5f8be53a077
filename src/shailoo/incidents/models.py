"""Cases of the rapid-response groups, their timeline, evidence, routing and decisions.

One case model for every door: the public form, the hotline, observers and agents, Open311
clients and the internal alert API every domain calls. A case is routed to one agency and
territory (and may be shared with more); its deadline comes from the law edition; every
action is an event on its timeline and, where it matters, an entry on the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.incidents.categories import AGENCIES, CATEGORIES, SEVERITIES

CATEGORY_CHOICES = [(c, c.replace("_", " ")) for c in CATEGORIES]
SEVERITY_CHOICES = [(s, s) for s in SEVERITIES]
AGENCY_CHOICES = [(a, a.replace("_", " ")) for a in AGENCIES]


class Case(models.Model):
    """One complaint, report or alert, from intake to decision."""

    class Status(models.TextChoices):
        RECEIVED = "received", "received"
        IN_PROGRESS = "in_progress", "in progress"
        DECIDED = "decided", "decided"
        CLOSED = "closed", "closed"
        REJECTED = "rejected", "rejected"

    class Source(models.TextChoices):
        PUBLIC_WEB = "public_web", "public web form"
        HOTLINE = "hotline", "hotline"
        OBSERVER = "observer", "observer"
        AGENT = "agent", "candidate's agent"
        OPEN311 = "open311", "Open311 client"
        ALERT = "alert", "alert from a domain"
        STAFF = "staff", "staff"

    #: What citizens quote to follow the case: not guessable (no sequential numbers).
    reference = models.CharField(max_length=20, unique=True)
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    category = models.CharField(max_length=30, choices=CATEGORY_CHOICES)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    source = models.CharField(max_length=12, choices=Source.choices)
    kind = models.CharField(max_length=16, default="complaint")  # complaint | alert | ...
    station = models.ForeignKey(
        PollingStation, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    tec = models.ForeignKey(
        TerritorialCommission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    place = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    description = models.TextField()
    #: What the public register shows of the case (set by staff; never the description).
    public_summary = models.CharField(max_length=500, blank=True)
    parties_involved = models.CharField(max_length=300, blank=True)
    #: Personal data of the complainant (shown to the case's handlers only, view logged).
    complainant_name = models.CharField(max_length=200, blank=True)
    complainant_phone = models.CharField(max_length=40, blank=True)
    complainant_email = models.CharField(max_length=200, blank=True)
    reporter = models.CharField(max_length=150, blank=True)  # staff, device or system actor
    #: The signed-in user who filed it (observers and agents follow their reports by it; a
    #: username equal to a system actor's name must not pick up that actor's cases).
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_cases",
    )
    agency = models.CharField(max_length=20, choices=AGENCY_CHOICES)
    #: Other agencies handling the case jointly, as ",code,code," (searchable on any database).
    shared_with = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    due_rule = models.CharField(max_length=40)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    #: For an alert: the raising domain's kind and subject (``counting.alert``, a ledger ref).
    alert_kind = models.CharField(max_length=60, blank=True)
    alert_subject = models.CharField(max_length=120, blank=True)
    #: An alert raised twice with one key is one case (the second adds to its timeline).
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    #: The Open311 token of a request filed by a client.
    token = models.CharField(max_length=40, blank=True)
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status"], name="case_agency_status"),
            models.Index(fields=["due_at"], name="case_due"),
        ]

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

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    kind = models.CharField(max_length=20)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    """A file attached to a case, kept by its SHA-256 (also on the ledger)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField()
    ledger_index = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class RoutingRule(models.Model):
    """The CEC's route for a category: which agency handles it (else the default route)."""

    category = models.CharField(max_length=30, choices=CATEGORY_CHOICES, unique=True)
    agency = models.CharField(max_length=20, choices=AGENCY_CHOICES)
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.category} -> {self.agency}"


class CaseDecision(models.Model):
    """The outcome of a case: what was decided, on which legal basis, what was done."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "complaint upheld"
        DISMISSED = "dismissed", "dismissed"
        REFERRED = "referred", "referred to another body"
        NO_VIOLATION = "no_violation", "no violation found"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    legal_basis = models.CharField(max_length=300)
    measures = models.TextField(blank=True)
    referral = models.CharField(max_length=200, blank=True)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField()
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["case", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.outcome}"


class Notification(models.Model):
    """An in-app notice to a member (a case routed to them, a reminder, an escalation)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_notices"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"


class CaseAppeal(models.Model):
    """An appeal against a case's decision (by the complainant, a party or a candidate)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "pending"
        UPHELD = "upheld", "upheld: the case is reopened"
        DISMISSED = "dismissed", "dismissed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals")
    filed_by = models.CharField(max_length=200)
    grounds = models.TextField()
    filed_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reasons = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "filed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference} appeal: {self.outcome}"
