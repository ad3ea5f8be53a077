"""Parties, candidates and every other participant, with their checks, decisions and history.

A candidate's record is never edited in place without a trace: every change goes through
``services`` and leaves a :class:`CandidateChange` naming the document it came from, and an
entry on the ledger. Checks keep every rule's value, evidence and citation as they were when
decided (:class:`CandidateCheck`), so a decision can be explained years later even if the law
file or a registry has changed since.

The tables of the government registries (citizenship, residence, language tests, education,
criminal records, terms) are in :mod:`shailoo.candidates.registry_models`: the default
adapters read them; a live connector replaces the adapter, not the tables.
"""

from __future__ import annotations

from django.db import models

from shailoo.candidates.registry_models import (  # noqa: F401  (Django finds models here)
    CitizenshipRecord,
    CriminalRecord,
    EducationRecord,
    LanguageTest,
    RecordsChecked,
    ResidenceStay,
    TermRecord,
)
from shailoo.elections.models import Election
from shailoo.geo.models import Region

OFFICE_CHOICES = [
    ("president", "President"),
    ("jk_deputy", "Deputy of the Jogorku Kenesh"),
    ("local_deputy", "Deputy of a local kenesh"),
]
SEX_CHOICES = [("F", "F"), ("M", "M")]


class Party(models.Model):
    """A political party registered with the Ministry of Justice."""

    code = models.SlugField(max_length=32, unique=True)
    name_ky = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=40, blank=True)
    #: The party's taxpayer number (INN), as banks name it on statements: its transfers to
    #: its candidates' funds are the party's, not a legal entity's donation.
    inn = models.CharField(max_length=20, blank=True)
    registered_on = models.DateField()
    leader = models.CharField(max_length=200, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return f"{self.code}: {self.name_ru}"


class PartyList(models.Model):
    """A party's list in one election: when it was submitted and the deposit paid for it
    (the law may make the party, not each candidate, pay: ``party_lists.deposit_som``)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="party_lists")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="lists")
    submitted_on = models.DateField()
    deposit_som = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "party"], name="party_list_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.party.code} list ({self.election.code})"


class Candidate(models.Model):
    """One nomination of one person for one office in one election."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "nominated"
        REGISTERED = "registered", "registered"
        REFUSED = "refused", "refused"
        WITHDRAWN = "withdrawn", "withdrawn"
        REPLACED = "replaced", "replaced"

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidates")
    ref = models.CharField(max_length=40)
    pin = models.CharField(max_length=14, db_index=True)
    surname = models.CharField(max_length=40)
    given_name = models.CharField(max_length=40)
    patronymic = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=1, choices=SEX_CHOICES)
    birth_date = models.DateField()
    office = models.CharField(max_length=20, choices=OFFICE_CHOICES)
    #: The electoral district (the contest's ``district`` in the election definition), for a
    #: deputy; empty for the president and for party lists.
    district = models.CharField(max_length=64, blank=True)
    #: The region the nomination belongs to, for the territorial scope of staff (None: only
    #: country-wide staff act on it).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="candidates"
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="candidates"
    )
    #: The party the person is a member of (may differ from the nominating party or be none).
    member_of = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    list_position = models.PositiveIntegerField(null=True, blank=True)
    minority = models.BooleanField(null=True, blank=True)
    disability = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOMINATED)
    nominated_on = models.DateField()
    deposit_som = models.PositiveBigIntegerField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["election", "office", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["election", "ref"], name="candidate_ref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.surname} {self.given_name}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def self_nominated(self) -> bool:
        return self.party_id is None


class CandidateDocument(models.Model):
    """A document filed with a nomination (the checklist the law sets, item by item)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=40)
    number = models.CharField(max_length=80, blank=True)
    received_on = models.DateField()
    received_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["candidate", "kind"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class CandidateChange(models.Model):
    """One change of a candidate's record: the field, old and new value, and its source."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    source_document = models.CharField(max_length=200)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["candidate", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"


class CandidateCheck(models.Model):
    """A candidate's eligibility as decided at one moment, every check kept as decided."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="checks")
    verdict = models.CharField(max_length=12)
    #: ``[{code, outcome, found, required, citation: {ky, ru, en}, needs_document, evidence}]``
    checks = models.JSONField()
    #: Registries that did not answer (their facts were undecided).
    unavailable = models.JSONField(default=list)
    law_edition = models.CharField(max_length=40)
    polling_day = models.DateField()
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["candidate", "-at", "-pk"]

    def __str__(self) -> str:
        return f"check {self.pk}: {self.verdict}"


class RegistrationDecision(models.Model):
    """The commission's decision to register or refuse a candidate, with its document."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", "registered"
        REFUSED = "refused", "refused"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="decisions")
    check_used = models.ForeignKey(CandidateCheck, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    #: The rule codes that refused (the check's, and ``SIGNATURES`` when the signatures did).
    grounds = models.JSONField(default=list)
    #: The signature verification the decision relied on, where the office needs signatures.
    signatures = models.ForeignKey(
        "SignatureSubmission", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.CharField(max_length=40)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number}: {self.outcome}"


class Appeal(models.Model):
    """An appeal against a registration decision, and its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "pending"
        UPHELD = "upheld", "upheld"
        DISMISSED = "dismissed", "dismissed"

    decision = models.ForeignKey(
        RegistrationDecision, on_delete=models.PROTECT, related_name="appeals"
    )
    filed_by = models.CharField(max_length=200)
    filed_on = models.DateField()
    grounds = models.TextField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reasons = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_on", "-pk"]

    def __str__(self) -> str:
        return f"appeal {self.pk}: {self.outcome}"


class SignatureSubmission(models.Model):
    """A candidate's signature sheets as verified: counts per reason and the verdict."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="signature_submissions"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    valid = models.PositiveIntegerField()
    counts = models.JSONField()
    invalid_share = models.FloatField()
    verdict = models.CharField(max_length=20)
    sample_size = models.PositiveIntegerField(null=True)
    sample_seed = models.BigIntegerField(null=True)
    #: Collectors flagged as anomalous: ``[{collector, rows, invalid, share}]``.
    anomalies = models.JSONField(default=list)
    #: The PINs of the valid signatures (int64, little-endian, sorted): a later candidate for
    #: the same office is checked against them where a voter may sign once.
    valid_pins = models.BinaryField(default=b"")
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.verdict}"


class SignatureFinding(models.Model):
    """One signature found invalid: where it is on the sheets and why (no PIN in clear)."""

    submission = models.ForeignKey(
        SignatureSubmission, on_delete=models.CASCADE, related_name="findings"
    )
    sheet = models.PositiveIntegerField()
    line = models.PositiveIntegerField()
    collector = models.CharField(max_length=40)
    reason = models.CharField(max_length=20)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["submission", "sheet", "line"]

    def __str__(self) -> str:
        return f"sheet {self.sheet} line {self.line}: {self.reason}"


class Participant(models.Model):
    """A representative, proxy, observer or journalist, as admitted, refused or revoked."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", "admitted"
        REFUSED = "refused", "refused"
        UNDECIDED = "undecided", "undecided"
        REVOKED = "revoked", "revoked"

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="participants")
    ref = models.CharField(max_length=40)
    role = models.CharField(max_length=30)
    pin = models.CharField(max_length=14, blank=True)
    surname = models.CharField(max_length=60)
    given_name = models.CharField(max_length=60)
    patronymic = models.CharField(max_length=60, blank=True)
    #: ISO codes joined by ";"; "" = stateless; None = unknown.
    citizenships = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    offices = models.CharField(max_length=200, blank=True)
    accredited = models.BooleanField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    for_candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="participants"
    )
    for_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="participants"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    #: ``[{code, detail, citation: {ky, ru, en}}]`` as decided.
    reasons = models.JSONField(default=list)
    badge_number = models.CharField(max_length=40, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    ledger_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["election", "role", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["election", "ref"], name="participant_ref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.role} {self.status}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)
