"""The synthetic world of campaign finance: election funds and their bank entries, the
registries the screen reads, and planted cases with their ground truth.

Pure and deterministic: the same seed, persons, funds and sizes give the same rows (and,
through :mod:`shailoo.synth.finance.camt`, byte-identical bank statements). Donors, owners,
civil servants and paid campaigners are persons of the register the caller passes (a
``synth.population`` extract or a sample of it); foreign citizens and stateless persons are
its persons whose ``citizenship`` is not ``KG``.

Volume and mix, as a fund's bank sees it: most income from identified individuals (PIN in
the statement) giving 1,000-50,000 som, some from local companies (INN), the candidate's own
money and the nominating party's transfers, some batches of small gifts and a few reversals;
spending on printing, media, advertising, campaign services, rent and transport, and the
bank's fees. Background income stays well below every cap (a fund's total at most 55 % of
its cap, an individual at most three gifts of at most 50,000 som to one fund, at most two
donors of one dwelling per fund), so that what crosses a line was planted.

The registry of legal entities: local companies owned by persons and by other entities in
chains of up to six links, foreign companies, their branches and representative offices,
state bodies and enterprises, companies with a state share (some with tax preferences),
military units, law-enforcement bodies, courts, charities, religious and other non-profit
organisations, international organisations and the parties; holdings with start and exit
days, a few pairs that hold each other (cycles), dissolved companies, debts to the budget.

Planted cases (:class:`Planted`; ``kind`` is the screen's flag, ``category`` the law's
prohibited source where one applies), each with a near-miss negative (``positive`` False):

==================== =========================================================================
kind                 positive / negative
==================== =========================================================================
foreign_participation a foreign parent three links up (100 %·100 %·100 %) / the same chain whose
                     foreign shareholder exited the day before the donation; a foreign owner of
                     50 % of the donor's sole owner / 49.9 %; a foreign citizen of the register
                     giving under a Latin spelling without PIN / a citizen namesake with another
                     birth date; a branch of a foreign company / a local company bearing the
                     foreign brand; a foreign company paying from abroad / a local company with
                     a Latin name; a foreign citizen and a stateless person with PIN / citizens;
                     a foreign ultimate debtor behind a payment agent / a citizen behind it; an
                     international organisation / a local non-profit
prohibited_source    a state enterprise / a privatised one; a state share with tax preferences /
                     without; a religious organisation / a non-profit; a charity / a company
                     with "фонд" in its name; a civil servant, a religious figure, a person and
                     a company in debt to the budget / each whose status or debt ended before
foreign_account      a citizen paying from a Kazakh IBAN, from a Russian account / a citizen with
                     a Moscow address paying from a Kyrgyz account
foreign_currency     USD instructed, KGS booked / KGS instructed
anonymous            no name, no id, no account / no name but PIN and account
cash                 an identified cash deposit / a transfer made at a bank branch
over_donor_cap       a person and a company over their caps in two gifts / exactly at the cap
over_fund_cap        a candidate fund crossing its cap / one reaching it exactly
structuring          three donors of one dwelling each just under the cap within days / two
conduit              100,000 som from a foreign company 10 days before giving 90,000 / 40 days
foreign_supplier     a printing house owned by a foreign company, an advertising company abroad
                     / a printing house whose foreign shareholder exited before; a local agency
unresolved           a name nobody in the register bears, without id / a spelling variant of a
                     register person with birth date and address, without id
==================== =========================================================================

Conventions the readers and the screen share with this world:

* a holding counts from ``started_on`` to the day before ``ended_on`` (the exit day, on which
  a successor starts);
* a donor's birth date travels as the bank sends it, structured: camt.053
  ``Dbtr/Id/PrvtId/DtAndPlcOfBirth`` (:attr:`TxRow.birth_date`), never in the remittance;
* every transaction has its own ``entry_ref`` (the camt ``NtryRef`` of a single entry, and
  always ``TxDtls/Refs/AcctSvcrRef``); the members of a batch share ``batch``, the batch
  entry's ``NtryRef``;
* a reversed donation is a debit with ``reversal`` set, for the same amount from the same
  account, ``original_ref`` naming the entry it reverses;
* the counterparty fields name the debtor of money in and the creditor of money out.

:func:`plan_finance` builds everything but the background transactions, which
:func:`iter_transactions` streams fund by fund (for a million of them);
:func:`generate_finance` does both and keeps the transactions.

Modules:

- ``rows`` — the frozen rows (funds, entities, holdings, statuses, debts, transfers,
  transactions, the planted manifest, the world) and the constants the screen shares;
- ``accounts`` — banks, BICs, IBANs, Kyrgyz accounts and the scrambled entry references;
- ``names`` — company names, places, foreign names, a person's name as a statement writes it;
- ``people`` — the caller's persons: who may give, reserved planted persons, the donors' pool;
- ``registry`` — legal entities and holdings as they are built, owners first;
- ``entities`` — the registry's background: fixed kinds and local companies in chains;
- ``records`` — background statuses, debts to the budget and reported transfers;
- ``entries`` — remittance texts and the entries of a gift, an entity's gift, a payment;
- ``mix`` — the background's proportions: kinds of entries, gift sizes, spending;
- ``caps`` — the edition's caps and how the plan stays under them;
- ``planted`` — the planted cases by theme (``ownership``, ``donors``, ``patterns``);
- ``stream`` — the background transactions, fund by fund (:func:`iter_transactions`);
- ``world`` — :func:`plan_finance` and :func:`generate_finance`;
- ``camt`` — the world's bank statements as camt.053 files.
"""

from .accounts import (
    DESIGNATED_BANKS,
    FOREIGN_BANKS,
    KG_BANKS,
    Bank,
    account_country,
    entry_ref,
    foreign_account,
    iban,
    kg_account,
)
from .rows import (
    FOREIGN_CATEGORIES,
    MIN_CAMPAIGN_DAYS,
    MIN_ENTITIES,
    PLANT_KINDS,
    PURPOSES,
    Background,
    CapPlan,
    Caps,
    DebtRow,
    EntityRow,
    FinanceWorld,
    FundKind,
    FundRow,
    FundSpec,
    HoldingRow,
    PersonLike,
    PersonStatusRow,
    Planted,
    TransferRow,
    TxRow,
)
from .stream import iter_transactions
from .world import generate_finance, plan_finance

__all__ = [
    "DESIGNATED_BANKS",
    "FOREIGN_BANKS",
    "FOREIGN_CATEGORIES",
    "KG_BANKS",
    "MIN_CAMPAIGN_DAYS",
    "MIN_ENTITIES",
    "PLANT_KINDS",
    "PURPOSES",
    "Background",
    "Bank",
    "CapPlan",
    "Caps",
    "DebtRow",
    "EntityRow",
    "FinanceWorld",
    "FundKind",
    "FundRow",
    "FundSpec",
    "HoldingRow",
    "PersonLike",
    "PersonStatusRow",
    "Planted",
    "TransferRow",
    "TxRow",
    "account_country",
    "entry_ref",
    "foreign_account",
    "generate_finance",
    "iban",
    "iter_transactions",
    "kg_account",
    "plan_finance",
]
