"""Election funds, what their banks report, who gave, and what the screen found.

A fund is a special account at a designated bank, one per candidate or party and election.
Statements are imported whole or not at all (a statement that does not reconcile changes
nothing); each transaction is stored once, keyed by its account and the bank's entry
reference, so importing a file again adds nothing. Donors are resolved to one identity
(``Donor``) across statements, funds and years; a transaction whose donor could not be
resolved waits in the review queue (``resolution`` not in RESOLVED) and is never treated as
clean. Flags carry their evidence and citation; their review, the decision on the money, the
notice to the fund's owner, the alert and the disclosure are each one step on the ledger.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.candidates.models import Candidate, Party
from shailoo.elections.models import Election
from shailoo.finance.registry_models import (  # noqa: F401 (one app, two modules of tables)
    EntityDebt,
    LegalEntity,
    PersonStatus,
    ReportedTransfer,
    Shareholding,
)


class DesignatedBank(models.Model):
    """A bank the CEC designated to hold election funds (a decision, not a law figure)."""

    bic = models.CharField(_("BIC"), max_length=11, unique=True)
    name = models.CharField(_("bank name"), max_length=200)
    designated_on = models.DateField(_("designated on"))
    decision = models.CharField(_("decision"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("designated bank")
        verbose_name_plural = _("designated banks")

    def __str__(self) -> str:
        return f"{self.bic} {self.name}"


class Fund(models.Model):
    """An election fund: the special account of a candidate or a party for one election."""

    class Kind(models.TextChoices):
        PARTY = "party", _("party")
        CANDIDATE = "candidate", _("candidate")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="funds"
    )
    kind = models.CharField(_("fund of"), max_length=10, choices=Kind.choices)
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funds",
    )
    #: The special account (IBAN or the bank's account number), unique across funds.
    account = models.CharField(_("account"), max_length=40, unique=True)
    bank_bic = models.CharField(_("bank BIC"), max_length=11, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="KGS")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="party", party__isnull=False, candidate__isnull=True)
                    | models.Q(kind="candidate", candidate__isnull=False)
                ),
                name="fund_has_its_owner",
            ),
        ]
        verbose_name = _("election fund")
        verbose_name_plural = _("election funds")

    def __str__(self) -> str:
        return f"{self.account} ({self.owner_name})"

    @property
    def owner_name(self) -> str:
        if self.candidate_id is not None:
            c = self.candidate
            return f"{c.surname} {c.given_name}".strip()
        return self.party.name_ru if self.party is not None else ""


class StatementImport(models.Model):
    """One bank statement taken in (or refused: then nothing of it is stored)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="statements"
    )
    statement_id = models.CharField(_("statement id"), max_length=80)
    source_name = models.CharField(_("source name"), max_length=200)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    from_date = models.DateField(_("from date"), null=True, blank=True)
    to_date = models.DateField(_("to date"), null=True, blank=True)
    opening_balance = models.DecimalField(_("opening balance"), max_digits=18, decimal_places=2)
    closing_balance = models.DecimalField(_("closing balance"), max_digits=18, decimal_places=2)
    transactions_new = models.PositiveIntegerField(_("new transactions"), default=0)
    transactions_known = models.PositiveIntegerField(_("transactions already known"), default=0)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.CharField(_("imported by"), max_length=150)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.source_name})"


class Donor(models.Model):
    """One identity who gave or was paid, whatever the spelling on each statement.

    ``key`` is ``P:<pin>`` for a person of the register, ``E:<inn>`` for a registered entity.
    """

    key = models.CharField(_("donor key"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10)  # person | entity
    name = models.CharField(_("name"), max_length=300)
    country = models.CharField(_("country"), max_length=2, blank=True)
    first_seen = models.DateField(_("first seen"))

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class Transaction(models.Model):
    """A booked movement on a fund's account, with every detail that shows where it came from
    (or, for spending, where it went)."""

    class Resolution(models.TextChoices):
        PENDING = "pending", _("not yet resolved (imported, before the screen)")
        EXACT_ID = "exact_id", _("identified by PIN or INN")
        NAME_MATCH = "name_match", _("identified by name with corroboration")
        AMBIGUOUS = "ambiguous", _("several candidates: review")
        UNRESOLVED = "unresolved", _("nobody found: review")
        CONFLICT = "conflict", _("id and name disagree: review")
        ANONYMOUS = "anonymous", _("no name and no id")
        OWN = "own", _("the fund's own party or candidate")
        REVIEWED = "reviewed", _("resolved by an auditor")
        NOT_DONATION = "not_donation", _("a payment out, or the bank's own entry")

    RESOLVED = frozenset({"exact_id", "name_match", "own", "reviewed", "not_donation"})

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="transactions"
    )
    statement = models.ForeignKey(
        StatementImport,
        verbose_name=_("statement"),
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    entry_ref = models.CharField(_("entry reference"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    instructed_amount = models.DecimalField(
        _("instructed amount"), max_digits=18, decimal_places=2, null=True
    )
    instructed_currency = models.CharField(_("instructed currency"), max_length=3, blank=True)
    credit = models.BooleanField(_("credit"))
    reversal = models.BooleanField(_("reversal"), default=False)
    status = models.CharField(_("status"), max_length=4, default="BOOK")
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    #: The counterparty as the bank wrote it: the debtor of money in, the creditor of money out.
    name = models.CharField(_("payer or payee name"), max_length=300, blank=True)
    person_id = models.CharField(_("person id"), max_length=40, blank=True)
    org_id = models.CharField(_("organisation identifier"), max_length=40, blank=True)
    id_scheme = models.CharField(_("identifier scheme"), max_length=40, blank=True)
    #: A private payer's birth date when the bank gives it (camt PrvtId/DtAndPlcOfBirth):
    #: what tells a donor from a namesake.
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    counterparty_country = models.CharField(_("counterparty country"), max_length=2, blank=True)
    ultimate_name = models.CharField(_("ultimate party's name"), max_length=300, blank=True)
    ultimate_id = models.CharField(_("ultimate party's identifier"), max_length=40, blank=True)
    account = models.CharField(_("account"), max_length=40, blank=True)
    account_country = models.CharField(_("account country"), max_length=2, blank=True)
    agent_bic = models.CharField(_("agent BIC"), max_length=11, blank=True)
    agent_name = models.CharField(_("agent name"), max_length=200, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=500, blank=True)
    bank_tx_code = models.CharField(_("bank transaction code"), max_length=40, blank=True)
    #: Spending purpose (printing, media, ...) for money out, from the fund's report.
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
    )
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices)
    resolution_score = models.FloatField(_("resolution score"), null=True, blank=True)
    resolution_note = models.CharField(_("resolution note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "entry_ref"], name="one_entry_per_fund_ref")
        ]
        indexes = [models.Index(fields=["resolution"]), models.Index(fields=["fund", "credit"])]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")

    def __str__(self) -> str:
        sign = "+" if self.credit else "-"
        return f"{self.entry_ref} {sign}{self.amount} {self.currency}"


class Flag(models.Model):
    """What the screen found, with its evidence and the law it applies.

    The workflow: open → confirmed or dismissed by an auditor → for confirmed money a
    decision (return to the donor or transfer to the budget, as the law's edition says) →
    notice to the fund's owner → alert to the response groups → disclosed.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")
        DECIDED = "decided", _("decided")

    #: What makes a flag the same flag on the next screen run.
    key = models.CharField(_("flag key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="flags"
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flags",
    )
    transactions = models.ManyToManyField(
        Transaction, verbose_name=_("transactions"), related_name="flags"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    severity = models.CharField(_("severity"), max_length=10)
    summary = models.TextField(_("summary"))
    evidence = models.JSONField(_("evidence"), default=dict)
    citation = models.CharField(_("citation"), max_length=400, blank=True)
    picture_svg = models.TextField(_("ownership picture (SVG)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    found_at = models.DateTimeField(_("found at"))
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reasons = models.TextField(_("review reasons"), blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, blank=True
    )  # transfer_to_budget | return
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)
    ledger_index = models.BigIntegerField(_("ledger index"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["fund", "status"])]
        verbose_name = _("finance flag")
        verbose_name_plural = _("finance flags")

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary[:60]}"
