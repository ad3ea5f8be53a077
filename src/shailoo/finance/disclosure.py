"""What the public may know of the election funds: totals, donors as the law allows, disclosed
flags — the read model of the disclosure pages and the open data (no writes).

Only booked entries (``status`` BOOK) count. Each entry is on the side of the payment it
belongs to: money in is a credit, or the reversal of one (a returned donation is a debit with
the reversal indicator, and it carries the donor); money out is a debit, or its reversal. So
a donation and its reversal cancel out in the income, and ``income - spending`` is the signed
sum of the booked entries (credits +, debits -).

Income is told apart by who gave: individuals, legal entities, the fund's own funds (the
candidate's own money, or a party's into its own fund), the nominating party, donations whose
giver is not identified, and the bank's own entries (interest). Spending by its purpose.

What is published of donors (docs/operator/finance.md, "What the public sees"): legal
entities by name and INN with their totals; individuals never by name, PIN or account, only
how many they are and how much they gave (the law as collected requires funds to report,
not that private donors be named). Flags appear once an auditor disclosed them: their kind,
amount, disposition, dates and the law — never the donor, the evidence or the summary.

Queries group in the database (one pass per question, never per transaction), so a page of
every fund of an election costs a handful of queries whatever the number of entries.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from shailoo.finance.models import Flag, Fund, Transaction

#: Who gave, as the disclosure groups income.
INCOME_KINDS: tuple[str, ...] = (
    "individuals",
    "legal_entities",
    "own_funds",
    "party",
    "unidentified",
    "other",
)
#: What money was spent on (``Transaction.purpose``; anything else counts as ``other``).
PURPOSES: tuple[str, ...] = (
    "printing",
    "media",
    "advertising",
    "campaign_services",
    "rent",
    "transport",
    "other",
)
#: Legal entities named on a fund's page (the open data lists every one).
TOP_ENTITIES = 20
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: Money in: a credit, or its reversal (a returned donation: a debit with the indicator).
INCOMING = Q(credit=True, reversal=False) | Q(credit=False, reversal=True)
BOOKED = Q(status="BOOK")


def money(value: Any) -> Decimal:
    """A sum from the database as som with kopecks (SQLite sums decimals as floats)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def _signed(reversal: bool, amount: Decimal) -> Decimal:
    """What an entry adds to its side's total (income for money in, spending for money out):
    a reversal takes back what its original added."""
    return -amount if reversal else amount


def own_keys(fund: Fund) -> tuple[str, str]:
    """The identity keys whose money is the fund's own, and the nominating party's (as the
    screen keys them: ``screen_services._own_keys``).

    A candidate's fund: the candidate (``P:<pin>``) and the candidate's party (``E:<INN>``,
    the party's taxpayer number as banks name it). A party's fund: the party is its own funds.
    """
    if fund.candidate_id is not None:
        candidate = fund.candidate
        party = candidate.party
        party_key = f"E:{party.inn}" if party is not None and party.inn else ""
        return (f"P:{candidate.pin}" if candidate.pin else "", party_key)
    party = fund.party
    return (f"E:{party.inn}" if party is not None and party.inn else "", "")


@dataclass(slots=True)
class FundTotals:
    """One fund's public figures."""

    fund: Fund
    income: Decimal = ZERO
    spending: Decimal = ZERO
    income_by_kind: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(INCOME_KINDS, ZERO)
    )
    spending_by_purpose: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(PURPOSES, ZERO)
    )
    #: Distinct identified givers: individuals and legal entities (not own funds, not the party).
    individuals: int = 0
    legal_entities: int = 0
    #: Money under disclosed flags, by kind of flag, and how many flags.
    flagged_by_kind: dict[str, Decimal] = field(default_factory=dict)
    flags: int = 0

    @property
    def balance(self) -> Decimal:
        return self.income - self.spending

    @property
    def donors(self) -> int:
        return self.individuals + self.legal_entities

    @property
    def flagged(self) -> Decimal:
        return sum(self.flagged_by_kind.values(), ZERO)


def _income_kind(donor_kind: str | None, resolution: str) -> str:
    if donor_kind == "person":
        return "individuals"
    if donor_kind == "entity":
        return "legal_entities"
    if resolution == Transaction.Resolution.NOT_DONATION:
        return "other"
    return "unidentified"


def funds_of(election: Any) -> QuerySet[Fund]:
    """The election's funds, owners loaded, parties first then candidates by name."""
    return (
        Fund.objects.filter(election=election)
        .select_related("candidate", "candidate__party", "party", "election")
        .order_by("kind", "party__name_ru", "candidate__surname", "candidate__given_name", "pk")
    )


def fund_totals(funds: Iterable[Fund]) -> list[FundTotals]:
    """The public figures of ``funds`` (owners should be loaded), in the order given."""
    out = {fund.pk: FundTotals(fund) for fund in funds}
    if not out:
        return []
    ids = list(out)
    booked = Transaction.objects.filter(BOOKED, fund_id__in=ids)
    rows = booked.values("fund_id", "credit", "reversal", "donor__kind", "resolution", "purpose")
    for row in rows.annotate(total=Sum("amount")).order_by():
        t = out[row["fund_id"]]
        amount = _signed(row["reversal"], money(row["total"]))
        if row["credit"] != row["reversal"]:
            t.income += amount
            t.income_by_kind[_income_kind(row["donor__kind"], row["resolution"])] += amount
        else:
            t.spending += amount
            purpose = row["purpose"] if row["purpose"] in PURPOSES else "other"
            t.spending_by_purpose[purpose] += amount
    _move_own_money(out, booked)
    counts = (
        booked.filter(INCOMING, donor__isnull=False)
        .values("fund_id", "donor__kind")
        .annotate(n=Count("donor_id", distinct=True))
        .order_by()
    )
    for row in counts:
        t = out[row["fund_id"]]
        if row["donor__kind"] == "person":
            t.individuals += row["n"]
        elif row["donor__kind"] == "entity":
            t.legal_entities += row["n"]
    _uncount_own(out, booked)
    flags = (
        Flag.objects.filter(fund_id__in=ids, disclosed_at__isnull=False)
        .values("fund_id", "kind")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    for row in flags:
        t = out[row["fund_id"]]
        t.flagged_by_kind[row["kind"]] = money(row["total"])
        t.flags += row["n"]
    return list(out.values())


def _own_by_fund(out: dict[int, FundTotals]) -> dict[int, dict[str, str]]:
    """For each fund, its own and party keys → the income kind each is shown as."""
    found: dict[int, dict[str, str]] = {}
    for pk, t in out.items():
        own, party = own_keys(t.fund)
        found[pk] = {key: kind for key, kind in ((own, "own_funds"), (party, "party")) if key}
    return found


def _move_own_money(out: dict[int, FundTotals], booked: QuerySet[Transaction]) -> None:
    """Move the fund's own and its party's money out of the individuals and legal entities."""
    owners = _own_by_fund(out)
    keys = {key for mine in owners.values() for key in mine}
    if not keys:
        return
    rows = (
        booked.filter(INCOMING, donor__key__in=keys)
        .values("fund_id", "donor__key", "donor__kind", "credit", "reversal")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        kind = owners[row["fund_id"]].get(row["donor__key"])
        if kind is None:  # a candidate giving to another fund is an individual there
            continue
        t = out[row["fund_id"]]
        amount = _signed(row["reversal"], money(row["total"]))
        t.income_by_kind[_income_kind(row["donor__kind"], "")] -= amount
        t.income_by_kind[kind] += amount


def _uncount_own(out: dict[int, FundTotals], booked: QuerySet[Transaction]) -> None:
    owners = _own_by_fund(out)
    keys = {key for mine in owners.values() for key in mine}
    if not keys:
        return
    present = booked.filter(INCOMING, donor__key__in=keys).values_list(
        "fund_id", "donor__key", "donor__kind"
    )
    for fund_id, key, kind in present.distinct().order_by():
        if key not in owners[fund_id]:
            continue
        t = out[fund_id]
        if kind == "person":
            t.individuals -= 1
        elif kind == "entity":
            t.legal_entities -= 1


def flagged_by_kind(totals: Iterable[FundTotals]) -> dict[str, Decimal]:
    """Money under disclosed flags of all ``totals``, by kind, largest first."""
    found: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for t in totals:
        for kind, amount in t.flagged_by_kind.items():
            found[kind] += amount
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


# -- one fund ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityDonor:
    """A legal entity that gave to the fund: named, as the law allows, with its total."""

    name: str
    inn: str
    total: Decimal
    donations: int


@dataclass(frozen=True, slots=True)
class PublicFlag:
    """A disclosed flag as the public sees it: nothing of the donor or the evidence."""

    kind: str
    amount: Decimal
    disposition: str
    citation: str
    decided_on: date | None
    disclosed_on: date


@dataclass(frozen=True, slots=True)
class FundDisclosure:
    totals: FundTotals
    entities: list[EntityDonor]
    entities_total: int  # legal entities that gave, named or not on the page
    flags: list[PublicFlag]

    @property
    def individuals_total(self) -> Decimal:
        return self.totals.income_by_kind["individuals"]


def _entity_query(fund: Fund) -> QuerySet[Transaction]:
    own, party = own_keys(fund)
    return (
        Transaction.objects.filter(BOOKED, INCOMING, fund=fund, donor__kind="entity")
        .exclude(donor__key__in=[k for k in (own, party) if k])
        .select_related("donor")
    )


def entity_donors(fund: Fund) -> list[EntityDonor]:
    """Every legal entity that gave to ``fund`` (net of returns), largest first."""
    rows = (
        _entity_query(fund)
        .values("donor__key", "donor__name", "reversal")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    found: dict[str, list[Any]] = {}
    for row in rows:
        entry = found.setdefault(row["donor__key"], [row["donor__name"], ZERO, 0])
        entry[1] += _signed(row["reversal"], money(row["total"]))
        entry[2] += row["n"] if not row["reversal"] else 0
    donors = [EntityDonor(name, key[2:], total, n) for key, (name, total, n) in found.items()]
    return sorted(donors, key=lambda d: (-d.total, d.name, d.inn))


def public_flags(fund: Fund) -> list[PublicFlag]:
    rows = Flag.objects.filter(fund=fund, disclosed_at__isnull=False).order_by("disclosed_at", "pk")
    return [
        PublicFlag(
            kind=flag.kind,
            amount=flag.amount,
            disposition=flag.disposition,
            citation=flag.citation,
            decided_on=flag.decided_at.date() if flag.decided_at else None,
            disclosed_on=flag.disclosed_at.date(),
        )
        for flag in rows
    ]


def fund_named(account: str) -> Fund | None:
    return (
        Fund.objects.select_related("candidate", "candidate__party", "party", "election")
        .filter(account=account[:40])
        .first()
    )


def fund_disclosure(fund: Fund) -> FundDisclosure:
    """Everything the fund's public page shows."""
    (totals,) = fund_totals([fund])
    entities = entity_donors(fund)
    return FundDisclosure(totals, entities[:TOP_ENTITIES], len(entities), public_flags(fund))


# -- open data ---------------------------------------------------------------------------------

OPEN_DATA_HEADER: tuple[str, ...] = (
    "election",
    "fund_account",
    "fund_kind",
    "owner",
    "bank_bic",
    "bank_name",
    "currency",
    "income",
    "spending",
    "balance",
    "donors",
    "individual_donors",
    "legal_entity_donors",
    *(f"income_{kind}" for kind in INCOME_KINDS),
    *(f"spending_{purpose}" for purpose in PURPOSES),
    "flags_disclosed",
    "flagged_amount",
)


def open_data_rows(totals: Sequence[FundTotals]) -> Iterator[list[object]]:
    """The per-fund open data: a header, then one row per fund."""
    yield list(OPEN_DATA_HEADER)
    for t in totals:
        fund = t.fund
        yield [
            fund.election.code,
            fund.account,
            fund.kind,
            fund.owner_name,
            fund.bank_bic,
            fund.bank_name,
            fund.currency,
            t.income,
            t.spending,
            t.balance,
            t.donors,
            t.individuals,
            t.legal_entities,
            *(t.income_by_kind[kind] for kind in INCOME_KINDS),
            *(t.spending_by_purpose[purpose] for purpose in PURPOSES),
            t.flags,
            t.flagged,
        ]


TRANSACTIONS_HEADER: tuple[str, ...] = (
    "date",
    "direction",
    "counterparty_kind",
    "counterparty",
    "counterparty_inn",
    "purpose",
    "transactions",
    "amount",
    "currency",
)


_NAMED_FIELDS = ("booking_date", "pk", "reversal", "amount", "donor__key", "donor__name", "purpose")


def _named_lines(fund: Fund, incoming: bool) -> Iterator[tuple[Any, ...]]:
    """Entries with a legal entity on the other side, one line each (date first)."""
    own, party = own_keys(fund)
    side = INCOMING if incoming else ~INCOMING
    rows = (
        Transaction.objects.filter(BOOKED, side, fund=fund, donor__kind="entity")
        .exclude(donor__key__in=[own] if own else [])
        .values_list(*_NAMED_FIELDS)
        .order_by("booking_date", "pk")
    )
    direction = "income" if incoming else "spending"
    for day, pk, reversal, amount, key, name, purpose in rows.iterator(chunk_size=2000):
        kind = "party" if incoming and key == party else "legal_entity"
        where = "" if incoming else (purpose if purpose in PURPOSES else "other")
        amount = _signed(reversal, money(amount))
        yield (day, 0, pk, direction, kind, name, key[2:], where, 1, amount)


def _grouped_lines(fund: Fund, incoming: bool) -> Iterator[tuple[Any, ...]]:
    """Entries with a person, the fund's owner or nobody known on the other side: one line
    per day (and purpose, for spending) and kind of counterparty, no name."""
    own, _ = own_keys(fund)
    side = INCOMING if incoming else ~INCOMING
    rows = (
        Transaction.objects.filter(BOOKED, side, fund=fund)
        .filter(
            ~Q(donor__kind="entity")
            | Q(donor__key__in=[own] if own else [])
            | Q(donor__isnull=True)
        )
        .values("booking_date", "donor__kind", "donor__key", "resolution", "purpose", "reversal")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    lines: dict[tuple[date, str, str], list[Any]] = {}
    for row in rows:
        if incoming and own and row["donor__key"] == own:
            kind = "own_funds"
        elif row["donor__kind"] == "person":
            kind = "individuals"
        elif row["donor__kind"] == "entity":  # the party's own money into its fund
            kind = "own_funds"
        elif incoming:
            kind = _income_kind(None, row["resolution"])
        else:
            kind = "unidentified"
        where = "" if incoming else (row["purpose"] if row["purpose"] in PURPOSES else "other")
        line = lines.setdefault((row["booking_date"], kind, where), [0, ZERO])
        line[0] += row["n"]
        line[1] += _signed(row["reversal"], money(row["total"]))
    direction = "income" if incoming else "spending"
    for (day, kind, where), (n, total) in sorted(lines.items()):
        yield (day, 1, 0, direction, kind, "", "", where, n, total)


def transaction_rows(fund: Fund) -> Iterator[list[object]]:
    """A fund's entries as open data: a header, then income then spending, by date.

    A legal entity (a donor or a supplier, the nominating party included) has a line per
    entry with its name and INN; individuals, the fund's own funds and unidentified
    counterparties have one line per day (and purpose) with their number and sum — never a
    name, a PIN or an account. ``amount`` is what the line adds to its side's total (a
    reversal is negative), so the income lines sum to the fund's income.
    """
    yield list(TRANSACTIONS_HEADER)
    for incoming in (True, False):
        merged = heapq.merge(_named_lines(fund, incoming), _grouped_lines(fund, incoming))
        for day, _, _, direction, kind, name, inn, where, n, amount in merged:
            yield [day.isoformat(), direction, kind, name, inn, where, n, amount, fund.currency]
