"""The rows the finance world hands out, frozen, and the constants the screen and the tests
share (planted kinds, spending purposes, the foreign categories).

Apart from the code that fills them, so that readers of a world (the camt writer, loaders,
tests) import the shapes without the builders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from shailoo.synth.population import PopulationRow

FundKind = Literal["party", "candidate"]
#: Planted kinds: the screen's flags, and ``unresolved`` for donors nobody can name.
PLANT_KINDS: tuple[str, ...] = (
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
    "unresolved",
)
#: Spending purposes of money out.
PURPOSES: tuple[str, ...] = (
    "printing",
    "media",
    "advertising",
    "campaign_services",
    "rent",
    "transport",
    "other",
)
#: Prohibited sources that are foreign in themselves (their flag is foreign_participation).
FOREIGN_CATEGORIES = frozenset(
    {
        "foreign_state",
        "foreign_legal_entity",
        "foreign_branch",
        "foreign_citizen",
        "stateless_person",
        "international_organisation",
        "foreign_participation_entity",
    }
)
MIN_ENTITIES = 400
MIN_CAMPAIGN_DAYS = 40


class PersonLike(Protocol):
    """A person of the register, as ``synth.population.PopulationRow`` gives one."""

    @property
    def pin(self) -> str: ...
    @property
    def surname(self) -> str: ...
    @property
    def given_name(self) -> str: ...
    @property
    def patronymic(self) -> str: ...
    @property
    def sex(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def citizenship(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def dwelling_id(self) -> str: ...
    @property
    def station(self) -> int: ...


@dataclass(frozen=True, slots=True)
class FundSpec:
    """A fund the caller asks for: ``owner`` is a party code or a candidate ref; ``holder``
    the candidate as a person of the register (for own money; drawn from the persons when
    absent); ``party`` the candidate's nominating party code (for its transfers); ``name``
    the owner's name as the bank writes it (a party's name, else built)."""

    kind: FundKind
    owner: str
    name: str = ""
    holder: PersonLike | None = None
    party: str | None = None


@dataclass(frozen=True, slots=True)
class FundRow:
    """An election fund: the special account at a designated bank."""

    account: str
    bank_bic: str
    bank_name: str
    kind: FundKind
    owner: str
    opened_on: date
    currency: str = "KGS"
    holder_name: str = ""
    holder_pin: str = ""
    holder_inn: str = ""


@dataclass(frozen=True, slots=True)
class EntityRow:
    """A legal entity of the registry (``finance.LegalEntity``); ``parent_inn`` the foreign
    entity a branch or representative office belongs to."""

    inn: str
    name: str
    other_names: tuple[str, ...]
    kind: str
    country: str
    registered_on: date | None
    dissolved_on: date | None = None
    parent_inn: str | None = None
    state_share_tax_preference: bool = False
    address: str = ""


@dataclass(frozen=True, slots=True)
class HoldingRow:
    """A share of ``owned_inn`` held by an entity (``owner_inn``) or a natural person
    (``owner_pin`` for a person of the register, else empty, with name and nationality)."""

    owned_inn: str
    owner_inn: str | None
    owner_pin: str
    owner_name: str
    owner_country: str
    share: Decimal
    started_on: date | None
    ended_on: date | None = None


@dataclass(frozen=True, slots=True)
class PersonStatusRow:
    """A status that bars a person from giving, over a period (``finance.PersonStatus``)."""

    pin: str
    status: str
    started_on: date | None
    ended_on: date | None
    source: str


@dataclass(frozen=True, slots=True)
class DebtRow:
    """A legal entity's debt to the budget or the Social Fund (``finance.EntityDebt``)."""

    inn: str
    started_on: date
    ended_on: date | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TransferRow:
    """A payment the financial-intelligence service reported (``finance.ReportedTransfer``);
    parties are identity keys ``P:<pin>``, ``E:<inn>`` or ``F:<foreign id>``."""

    payer: str
    payer_name: str
    payee: str
    day: date
    amount: Decimal
    currency: str = "KGS"
    reference: str = ""


@dataclass(frozen=True, slots=True)
class TxRow:
    """One booked transaction on a fund's account, as its camt.053 statement carries it.

    ``credit`` is the camt ``CdtDbtInd`` (a reversed donation is a debit with ``reversal``);
    ``amount`` is in the booked ``currency``; ``instructed_amount`` what the payer instructed
    (``AmtDtls/InstdAmt``) with ``exchange_rate``. The counterparty (debtor of money in,
    creditor of money out): ``name``, ``person_id`` (PIN, scheme ``NIDN``) or ``org_id`` (INN
    or a foreign registration number, scheme ``TXID``), ``birth_date`` (``PrvtId/
    DtAndPlcOfBirth``), ``address`` and its ``counterparty_country``, ``account`` (an IBAN, or
    a Kyrgyz bank's 16-digit account) with ``account_country`` (the IBAN's, else the bank's by
    its BIC), ``agent_bic`` its bank. ``channel`` is ``cash`` for a cash deposit. ``purpose``
    is set on money out. ``batch`` is the batch entry's ``NtryRef`` for a member of a batch.
    """

    entry_ref: str
    fund: str
    booking_date: date
    amount: Decimal
    credit: bool
    value_date: date | None = None
    currency: str = "KGS"
    instructed_amount: Decimal | None = None
    instructed_currency: str = ""
    exchange_rate: Decimal | None = None
    reversal: bool = False
    status: str = "BOOK"
    channel: str = "bank"
    name: str = ""
    person_id: str = ""
    org_id: str = ""
    id_scheme: str = ""
    birth_date: date | None = None
    birth_city: str = ""
    birth_country: str = ""
    address: str = ""
    counterparty_country: str = ""
    ultimate_name: str = ""
    ultimate_id: str = ""
    ultimate_id_scheme: str = ""
    account: str = ""
    account_country: str = ""
    agent_bic: str = ""
    agent_name: str = ""
    remittance: str = ""
    bank_tx_code: str = "PMNT/RCDT/DMCT"
    purpose: str = ""
    batch: str = ""
    original_ref: str = ""
    end_to_end_id: str = ""


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted case: the transactions (``entry_refs`` of ``fund``, an account) the screen
    must flag as ``kind`` (``positive``) or must not (a near miss). ``category`` is the law's
    prohibited source that applies (``state_enterprise``, ``foreign_branch``…), ``subject``
    the identity key of who gave or was paid (``P:<pin>``, ``E:<inn>``; empty: nobody)."""

    kind: str
    entry_refs: tuple[str, ...]
    fund: str
    positive: bool
    note: str
    category: str = ""
    subject: str = ""


@dataclass(frozen=True, slots=True)
class Caps:
    """The caps of one kind of fund in som (None: the edition sets none)."""

    fund_total: int | None
    individual: int | None
    legal_entity: int | None
    own_funds: int | None
    from_party: int | None


@dataclass(frozen=True, slots=True)
class CapPlan:
    """How a fund is brought to its cap at the end of the campaign: top-ups from the
    candidate, the party and ``companies``, the last (``final``, entry ``final_serial``)
    crossing the cap by ``excess`` (0: reaching it exactly)."""

    excess: Decimal
    companies: tuple[EntityRow, ...]
    final: EntityRow
    final_serial: int
    slots: int


@dataclass(frozen=True, slots=True)
class Background:
    """What the stream of background transactions needs, fixed by the plan."""

    counts: tuple[int, ...]
    serial_start: tuple[int, ...]
    caps: tuple[Caps, ...]
    scales: tuple[Decimal, ...]
    holders: tuple[PersonLike | None, ...]
    parties: tuple[EntityRow | None, ...]
    pool: tuple[PersonLike, ...]
    companies: tuple[EntityRow, ...]
    suppliers: Mapping[str, tuple[EntityRow, ...]]
    agents: tuple[EntityRow, ...]
    planted: Mapping[str, tuple[TxRow, ...]]
    cap_plans: Mapping[int, CapPlan]


@dataclass(frozen=True, slots=True)
class FinanceWorld:
    """Everything the finance domain needs, with the manifest of what was planted.

    ``transactions`` is empty from :func:`plan_finance` (stream them with
    :func:`iter_transactions`) and full from :func:`generate_finance`. ``new_persons`` must be
    appended to the register for their PINs to be found; ``notes`` say what could not be
    planted or was scaled, and why.
    """

    seed: int
    start: date
    polling_day: date
    law_edition: str
    funds: tuple[FundRow, ...]
    entities: tuple[EntityRow, ...]
    holdings: tuple[HoldingRow, ...]
    statuses: tuple[PersonStatusRow, ...]
    debts: tuple[DebtRow, ...]
    transfers: tuple[TransferRow, ...]
    planted: tuple[Planted, ...]
    new_persons: tuple[PopulationRow, ...]
    notes: tuple[str, ...]
    transaction_count: int
    background: Background = field(repr=False)
    transactions: tuple[TxRow, ...] = ()
