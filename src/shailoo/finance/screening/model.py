"""What the screen reads and what it answers: small frozen records, free of the database.

The Django side adapts its rows (imported bank entries, resolved donors, registry facts, the
ownership engine's answers) into these records, so that the screen is a pure function a test
can drive with a dozen hand-made donations and a benchmark with a million.

Conventions: money is :class:`~decimal.Decimal` in som, never negative (a bank entry's
direction is carried by ``credit`` and ``reversal``, as in camt.053 where ``Amt`` is always
positive); days are :class:`~datetime.date`; countries ISO 3166-1 alpha-2 in capitals;
currencies ISO 4217. An identity key (``donor``, ``supplier``, ``payer``) is the resolved
identity the resolution room gives (e.g. ``P:<pin>``, ``E:<inn>``) and ``""`` when there is
none; the screen treats it as opaque.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal, get_args

from shailoo.common.refusals import InvalidInput

__all__ = [
    "CHANNELS",
    "DONOR_KINDS",
    "FLAG_KINDS",
    "FUND_KINDS",
    "RESOLUTIONS",
    "REVIEW_RESOLUTIONS",
    "Channel",
    "Donation",
    "DonorKind",
    "Evidence",
    "Facts",
    "FactsSource",
    "Flag",
    "FlagKind",
    "FundKind",
    "OwnershipFinding",
    "OwnershipLookup",
    "Payment",
    "Resolution",
    "ScreenResult",
    "ScreeningError",
    "Severity",
    "Transfer",
]

FundKind = Literal["party", "candidate"]
FUND_KINDS: Final[tuple[FundKind, ...]] = get_args(FundKind)
Channel = Literal["bank", "cash"]
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
Resolution = Literal["exact_id", "name_match", "ambiguous", "unresolved", "conflict", "anonymous"]
RESOLUTIONS: Final[tuple[Resolution, ...]] = get_args(Resolution)
#: Resolutions that leave a donation to a person: nobody may treat such a donor as clean.
REVIEW_RESOLUTIONS: Final[frozenset[str]] = frozenset({"ambiguous", "unresolved", "conflict"})
#: ``own_funds``: the candidate's own money; ``party``: the nominating party's transfer to its
#: candidate; ``""``: not known (an unresolved donor).
DonorKind = Literal["person", "entity", "own_funds", "party", ""]
DONOR_KINDS: Final[tuple[DonorKind, ...]] = get_args(DonorKind)
FlagKind = Literal[
    "prohibited_source",
    "foreign_participation",
    "foreign_account",
    "foreign_currency",
    "anonymous",
    "cash",
    "over_donor_cap",
    "over_fund_cap",
    "structuring",
    "conduit",
    "foreign_supplier",
]
FLAG_KINDS: Final[tuple[FlagKind, ...]] = get_args(FlagKind)
#: ``high``: a violation on the face of the records (a prohibited donor, money over a cap);
#: ``medium``: a strong sign that needs a person to weigh it (a foreign account may be a
#: citizen's account abroad; a cluster of neighbours may be neighbours).
Severity = Literal["high", "medium"]


class ScreeningError(InvalidInput):
    """The screen's input is malformed: every located problem (``where`` is the record path,
    ``source`` the record's own ``line`` when it has one)."""

    default_code = "finance_screen_input"


@dataclass(frozen=True, slots=True)
class Donation:
    """One bank entry on an election fund's account, with who the resolution room says gave it.

    ``credit`` and ``reversal`` are the entry's camt.053 indicators: a donation is a credit
    that is no reversal; a reversal of a donation is a debit with ``reversal`` set (ISO 20022:
    a reversed credit is booked as a debit with the reversal indicator). ``currency`` is the
    booked currency, ``instructed_currency`` the one the payer instructed (camt ``InstdAmt``),
    ``""`` when the bank did not say. ``account_country`` is the paying account's country
    (from the IBAN, else the account servicer's BIC, else the address) and ``agent_bic`` the
    payer's bank. ``at`` is the booking moment when the bank gives one (for bursts within
    hours); without it the screen knows only the day. ``line`` says where the entry came from
    (``stmt-12/entry X``), for the evidence.
    """

    id: int
    fund: str
    fund_kind: FundKind
    day: date
    amount: Decimal
    credit: bool = True
    reversal: bool = False
    channel: Channel = "bank"
    donor: str = ""
    resolution: Resolution = "unresolved"
    donor_kind: DonorKind = ""
    counterparty_name: str = ""
    account: str = ""
    account_country: str = ""
    agent_bic: str = ""
    currency: str = ""
    instructed_currency: str = ""
    address: str = ""
    phone: str = ""
    employer: str = ""
    line: str = ""
    at: datetime | None = None

    @property
    def is_income(self) -> bool:
        """Money into the fund: a credit that reverses nothing."""
        return self.credit and not self.reversal

    @property
    def reverses_income(self) -> bool:
        """A reversal of a donation: a debit with the reversal indicator."""
        return self.reversal and not self.credit


@dataclass(frozen=True, slots=True)
class Payment:
    """One spending line of a fund: ``purpose`` is a spending category (``printing``,
    ``media``, ``advertising``, ``campaign_services``, ``rent``, ``transport``, ``other``, …);
    ``supplier`` the supplier's identity key (``""`` when unresolved)."""

    id: int
    fund: str
    fund_kind: FundKind
    day: date
    amount: Decimal
    supplier: str = ""
    supplier_name: str = ""
    purpose: str = "other"
    account_country: str = ""
    agent_bic: str = ""
    line: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the registries say of one identity: ``kind`` (``person``/``entity``/…), the
    prohibited-source ``categories`` that apply (names from the law's list, e.g.
    ``foreign_citizen``, ``state_body``, ``civil_servant``), ``country`` (a person's
    citizenship, ``XX`` for a stateless person; an entity's country of registration) and the
    registered ``name``."""

    kind: str = ""
    categories: frozenset[str] = frozenset()
    country: str = ""
    name: str = ""
    #: Categories that hold only for a period, ``(category, first day, day it ended)``: a
    #: civil servant who left the service, a debt paid — each counts on the days it held.
    periods: tuple[tuple[str, date | None, date | None], ...] = ()

    def on(self, day: date | None) -> frozenset[str]:
        """The categories that held on ``day`` (all of them when no day is given)."""
        if not self.periods:
            return self.categories
        held = {
            category
            for category, first, ended in self.periods
            if day is None or ((first is None or first <= day) and (ended is None or day < ended))
        }
        return self.categories | held


#: The registries' answer per identity key: a mapping, or a function (``None``: unknown).
FactsSource = Mapping[str, Facts] | Callable[[str], Facts | None]


@dataclass(frozen=True, slots=True)
class OwnershipFinding:
    """The ownership engine's answer that a local entity had foreign participation on a day.

    ``rule`` is ``direct`` (a foreign participant holds a share of it) or ``look_through``
    (a local intermediary counted as foreign because foreign owners control it);
    ``direct_share`` is the foreign share held directly, ``effective_share`` the foreign share
    multiplied along the chains; ``chains`` the chains as text lines (``A --40%--> B --60%-->
    Foreign Ltd (DE)``); ``foreign_owners`` who the foreign participants are.
    """

    entity: str
    rule: Literal["direct", "look_through"]
    direct_share: Decimal
    effective_share: Decimal
    chains: tuple[str, ...] = ()
    foreign_owners: tuple[str, ...] = ()


#: For an entity key and a day: the finding, or ``None`` when it had no foreign participation
#: that day (a shareholder who exited before it does not count: the engine's job).
OwnershipLookup = Callable[[str, date], OwnershipFinding | None]


@dataclass(frozen=True, slots=True)
class Transfer:
    """A payment *to* a donor from someone else, as the financial-intelligence registry
    reports it: the conduit check looks for prohibited money that reached a donor shortly
    before the donor gave."""

    payer: str
    payee: str
    day: date
    amount: Decimal


Evidence = dict[str, str | int | list[str]]


@dataclass(frozen=True, slots=True)
class Flag:
    """One finding of the screen, explained.

    ``donation_ids`` (or ``payment_ids`` for spending) are the records it concerns;
    ``amount`` the money at stake — the donations' sum for a flag on the source of money, the
    excess for a flag on a cap; ``summary`` one plain English sentence or two naming the
    donor, the amounts and the rule; ``evidence`` every value needed to check it by hand;
    ``citation`` the law's article for the rule applied.
    """

    kind: FlagKind
    donation_ids: tuple[int, ...]
    fund: str
    donor: str
    amount: Decimal
    summary: str
    evidence: Evidence
    citation: str
    severity: Severity
    payment_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """The flags; the donations a person must look at because nobody knows who gave them
    (``review``: an unresolved donor is never silently clean); ``counts`` per flag kind (every
    kind present, zeros included) and ``unresolved``; the donations a reversal undid
    (``reversed``: pairs of donation id and reversal id, not counted anywhere) and the
    reversals that matched no donation (``unmatched_reversals``, for a person to explain)."""

    flags: tuple[Flag, ...]
    review: tuple[Donation, ...]
    counts: dict[str, int]
    reversed: tuple[tuple[int, int], ...] = ()
    unmatched_reversals: tuple[int, ...] = ()

    def flags_for(self, donation_id: int) -> tuple[Flag, ...]:
        """The flags that name one donation (what ``finance explain --donation`` shows)."""
        return tuple(flag for flag in self.flags if donation_id in flag.donation_ids)
