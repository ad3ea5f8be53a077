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
from django.utils.translation import gettext_lazy as _

from shailoo.candidates.registry_models import (  # noqa: F401  (Django finds models here)
    CitizenshipRecord,
    CriminalRecord,
    EducationRecord,
    LanguageTest,
    RecordsChecked,
    ResidenceStay,
    TermRecord,
)
from shailoo.common.localized import localized
from shailoo.elections.models import Election
from shailoo.geo.models import Region

OFFICE_CHOICES = [
    ("president", _("President")),
    ("jk_deputy", _("Deputy of the Jogorku Kenesh")),
    ("local_deputy", _("Deputy of a local kenesh")),
]
SEX_CHOICES = [("F", _("female")), ("M", _("male"))]


class Party(models.Model):
    """A political party registered with the Ministry of Justice."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    #: The party's taxpayer number (INN), as banks name it on statements: its transfers to
    #: its candidates' funds are the party's, not a legal entity's donation.
    inn = models.CharField(_("tax number (INN)"), max_length=20, blank=True)
    registered_on = models.DateField(_("registered on"))
    leader = models.CharField(_("leader"), max_length=200, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("parties")
        verbose_name = _("party")

    def __str__(self) -> str:
        return f"{self.code}: {self.name_ru}"

    @property
    def name(self) -> str:
        """The name in the reader's language, else Kyrgyz, Russian, English."""
        return localized(self, "name")


class PartyList(models.Model):
    """A party's list in one election: when it was submitted and the deposit paid for it
    (the law may make the party, not each candidate, pay: ``party_lists.deposit_som``)."""

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="party_lists"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="lists"
    )
    submitted_on = models.DateField(_("submitted on"))
    deposit_som = models.PositiveBigIntegerField(_("deposit (som)"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "party"], name="party_list_unique"),
        ]
        verbose_name = _("party list")
        verbose_name_plural = _("party lists")

    def __str__(self) -> str:
        return f"{self.party.code} list ({self.election.code})"


class Candidate(models.Model):
    """One nomination of one person for one office in one election."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated")
        REGISTERED = "registered", _("registered")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REPLACED = "replaced", _("replaced")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="candidates"
    )
    ref = models.CharField(_("reference"), max_length=40)
    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    surname = models.CharField(_("surname"), max_length=40)
    given_name = models.CharField(_("given name"), max_length=40)
    patronymic = models.CharField(_("patronymic"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX_CHOICES)
    birth_date = models.DateField(_("birth date"))
    office = models.CharField(_("office"), max_length=20, choices=OFFICE_CHOICES)
    #: The electoral district (the contest's ``district`` in the election definition), for a
    #: deputy; empty for the president and for party lists.
    district = models.CharField(_("district"), max_length=64, blank=True)
    #: The region the nomination belongs to, for the territorial scope of staff (None: only
    #: country-wide staff act on it).
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
    )
    #: The party the person is a member of (may differ from the nominating party or be none).
    member_of = models.ForeignKey(
        Party,
        verbose_name=_("member of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    list_position = models.PositiveIntegerField(_("list position"), null=True, blank=True)
    minority = models.BooleanField(_("national minority"), null=True, blank=True)
    disability = models.BooleanField(_("disability"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED
    )
    nominated_on = models.DateField(_("nominated on"))
    deposit_som = models.PositiveBigIntegerField(_("deposit (som)"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces candidate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["election", "office", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["election", "ref"], name="candidate_ref_unique"),
        ]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

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

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document kind"), max_length=40)
    number = models.CharField(_("number"), max_length=80, blank=True)
    received_on = models.DateField(_("received on"))
    received_by = models.CharField(_("received by"), max_length=150)

    class Meta:
        ordering = ["candidate", "kind"]
        verbose_name = _("candidate document")
        verbose_name_plural = _("candidate documents")

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class CandidateChange(models.Model):
    """One change of a candidate's record: the field, old and new value, and its source."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(_("field changed"), max_length=40)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    source_document = models.CharField(_("source document"), max_length=200)
    actor = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["candidate", "at", "pk"]
        verbose_name = _("candidate change")
        verbose_name_plural = _("candidate changes")

    def __str__(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"


class CandidateCheck(models.Model):
    """A candidate's eligibility as decided at one moment, every check kept as decided."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="checks"
    )
    verdict = models.CharField(_("verdict"), max_length=12)
    #: ``[{code, outcome, found, required, citation: {ky, ru, en}, needs_document, evidence}]``
    checks = models.JSONField(_("checks"))
    #: Registries that did not answer (their facts were undecided).
    unavailable = models.JSONField(_("registries unavailable"), default=list)
    law_edition = models.CharField(_("law edition"), max_length=40)
    polling_day = models.DateField(_("polling day"))
    actor = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["candidate", "-at", "-pk"]
        verbose_name = _("candidate check")
        verbose_name_plural = _("candidate checks")

    def __str__(self) -> str:
        return f"check {self.pk}: {self.verdict}"


class RegistrationDecision(models.Model):
    """The commission's decision to register or refuse a candidate, with its document."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", _("registered")
        REFUSED = "refused", _("refused")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="decisions"
    )
    check_used = models.ForeignKey(
        CandidateCheck, verbose_name=_("check used"), on_delete=models.PROTECT
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    #: The rule codes that refused (the check's, and ``SIGNATURES`` when the signatures did).
    grounds = models.JSONField(_("grounds"), default=list)
    #: The signature verification the decision relied on, where the office needs signatures.
    signatures = models.ForeignKey(
        "SignatureSubmission",
        verbose_name=_("signatures"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.CharField(_("number"), max_length=40)
    decided_by = models.CharField(_("decided by"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("registration decision")
        verbose_name_plural = _("registration decisions")

    def __str__(self) -> str:
        return f"{self.number}: {self.outcome}"


class Appeal(models.Model):
    """An appeal against a registration decision, and its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    decision = models.ForeignKey(
        RegistrationDecision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    filed_by = models.CharField(_("filed by"), max_length=200)
    filed_on = models.DateField(_("filed on"))
    grounds = models.TextField(_("grounds"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"appeal {self.pk}: {self.outcome}"


class SignatureSubmission(models.Model):
    """A candidate's signature sheets as verified: counts per reason and the verdict."""

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.CASCADE,
        related_name="signature_submissions",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("signatures"))
    valid = models.PositiveIntegerField(_("valid signatures"))
    counts = models.JSONField(_("counts by reason"))
    invalid_share = models.FloatField(_("invalid share"))
    verdict = models.CharField(_("verdict"), max_length=20)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True)
    sample_seed = models.BigIntegerField(_("sample seed"), null=True)
    #: Collectors flagged as anomalous: ``[{collector, rows, invalid, share}]``.
    anomalies = models.JSONField(_("anomalies"), default=list)
    #: The PINs of the valid signatures (int64, little-endian, sorted): a later candidate for
    #: the same office is checked against them where a voter may sign once.
    valid_pins = models.BinaryField(_("valid PINs"), default=b"")
    actor = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("signature submission")
        verbose_name_plural = _("signature submissions")

    def __str__(self) -> str:
        return f"{self.file_name}: {self.verdict}"


class SignatureFinding(models.Model):
    """One signature found invalid: where it is on the sheets and why (no PIN in clear)."""

    submission = models.ForeignKey(
        SignatureSubmission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    sheet = models.PositiveIntegerField(_("sheet"))
    line = models.PositiveIntegerField(_("line on the sheet"))
    collector = models.CharField(_("collector"), max_length=40)
    reason = models.CharField(_("reason"), max_length=20)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["submission", "sheet", "line"]
        verbose_name = _("signature finding")
        verbose_name_plural = _("signature findings")

    def __str__(self) -> str:
        return f"sheet {self.sheet} line {self.line}: {self.reason}"


class Participant(models.Model):
    """A representative, proxy, observer or journalist, as admitted, refused or revoked."""

    class Status(models.TextChoices):
        ADMITTED = "admitted", _("admitted")
        REFUSED = "refused", _("refused")
        UNDECIDED = "undecided", _("undecided")
        REVOKED = "revoked", _("revoked")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="participants"
    )
    ref = models.CharField(_("reference"), max_length=40)
    role = models.CharField(_("role"), max_length=30)
    pin = models.CharField(_("PIN"), max_length=14, blank=True)
    surname = models.CharField(_("surname"), max_length=60)
    given_name = models.CharField(_("given name"), max_length=60)
    patronymic = models.CharField(_("patronymic"), max_length=60, blank=True)
    #: ISO codes joined by ";"; "" = stateless; None = unknown.
    citizenships = models.CharField(_("citizenships"), max_length=80, null=True, blank=True)  # noqa: DJ001
    offices = models.CharField(_("offices"), max_length=200, blank=True)
    accredited = models.BooleanField(_("accredited"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    for_candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("for candidate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    for_party = models.ForeignKey(
        Party,
        verbose_name=_("for party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    #: ``[{code, detail, citation: {ky, ru, en}}]`` as decided.
    reasons = models.JSONField(_("reasons"), default=list)
    badge_number = models.CharField(_("badge number"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revoked reason"), max_length=300, blank=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True)

    class Meta:
        ordering = ["election", "role", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["election", "ref"], name="participant_ref_unique"),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.ref}: {self.role} {self.status}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)
