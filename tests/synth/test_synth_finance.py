"""The synthetic world of campaign finance: planted cases and their near misses, a clean
background, registries with deep ownership, and camt.053 statements that reconcile.

The checks are written independently of the finance engines: ownership is walked here from
the holdings, caps are read from the law edition, statements are parsed with the hardened
reader and summed by hand. A planted positive must show its sign in the rows; its negative
must miss it by the planted margin; nothing of the background may show any sign at all.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.common.safe_xml import local_name, parse_xml
from shailoo.law.loader import load_edition
from shailoo.law.schema import FundCaps
from shailoo.register.names import transliterate
from shailoo.register.pin import check_pin
from shailoo.synth.finance import (
    FOREIGN_CATEGORIES,
    PLANT_KINDS,
    FinanceWorld,
    FundSpec,
    HoldingRow,
    PersonLike,
    Planted,
    TxRow,
    account_country,
    entry_ref,
    foreign_account,
    generate_finance,
    iban,
    iter_transactions,
    plan_finance,
)
from shailoo.synth.finance.camt import CAMT_02, CAMT_08, write_statements
from shailoo.synth.geography import Geography, generate_geography
from shailoo.synth.population import PopulationRow, generate_population

SEED, STATIONS, PERSONS = 5, 300, 20_000
START, POLLING_DAY = date(2027, 1, 15), date(2027, 3, 14)
ENTITIES, TRANSACTIONS = 2000, 12_000
CAPS = load_edition("kg-2025").finance.caps
LOCAL = "local_company"


def funds() -> list[FundSpec]:
    specs = [FundSpec("party", "P1", "Политическая партия «Ынтымак»"), FundSpec("party", "P2")]
    specs += [
        FundSpec("candidate", f"C{k:02d}", party="P1" if k % 2 else None) for k in range(1, 7)
    ]
    return specs


@pytest.fixture(scope="module")
def geography() -> Geography:
    return generate_geography(SEED, STATIONS)


@pytest.fixture(scope="module")
def population(geography: Geography) -> list[PopulationRow]:
    return list(generate_population(SEED, PERSONS, geography))


@pytest.fixture(scope="module")
def world(population: list[PopulationRow]) -> FinanceWorld:
    return generate_finance(
        SEED,
        population,
        funds(),
        entities=ENTITIES,
        transactions=TRANSACTIONS,
        start=START,
        polling_day=POLLING_DAY,
    )


@pytest.fixture(scope="module")
def statements(world: FinanceWorld, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_statements(world, tmp_path_factory.mktemp("camt"))


# -- independent helpers --------------------------------------------------------------------


class Facts:
    """The world's rows indexed for the checks: persons, entities, holdings, statuses."""

    def __init__(self, world: FinanceWorld, population: list[PopulationRow]) -> None:
        self.world = world
        self.persons: dict[str, PersonLike] = {p.pin: p for p in population}
        self.persons.update({p.pin: p for p in world.new_persons})
        self.entities = {e.inn: e for e in world.entities}
        self.owners: dict[str, list[HoldingRow]] = defaultdict(list)
        for h in world.holdings:
            self.owners[h.owned_inn].append(h)
        self.tx = {(t.fund, t.entry_ref): t for t in world.transactions}
        self.fund_kind = {f.account: f.kind for f in world.funds}

    def holders(self, inn: str, day: date) -> list[HoldingRow]:
        """Holdings in force on ``day``: from the start day to the day before the exit."""
        return [
            h
            for h in self.owners.get(inn, [])
            if (h.started_on is None or h.started_on <= day)
            and (h.ended_on is None or day < h.ended_on)
        ]

    def foreign_holder(self, h: HoldingRow) -> bool:
        if h.owner_inn:
            owner = self.entities[h.owner_inn]
            return owner.country != "KG" or owner.kind in ("foreign_branch", "foreign_company")
        return h.owner_country != "KG"

    def foreign_share(self, inn: str, day: date, seen: frozenset[str] = frozenset()) -> Decimal:
        """The foreign share of ``inn`` on ``day``, multiplied along every chain."""
        total = Decimal(0)
        for h in self.holders(inn, day):
            if self.foreign_holder(h):
                total += h.share
            elif h.owner_inn and h.owner_inn not in seen:
                total += h.share * self.foreign_share(h.owner_inn, day, seen | {inn})
        return total

    def state_above(self, inn: str, day: date, seen: frozenset[str] = frozenset()) -> bool:
        for h in self.holders(inn, day):
            if h.owner_inn and h.owner_inn not in seen:
                owner = self.entities[h.owner_inn]
                if owner.kind != LOCAL or self.state_above(owner.inn, day, seen | {inn}):
                    return True
        return False

    def planted(self, kind: str, positive: bool | None = None) -> list[Planted]:
        return [
            p
            for p in self.world.planted
            if p.kind == kind and (positive is None or p.positive == positive)
        ]

    def txs(self, planted: Planted) -> list[TxRow]:
        return [self.tx[(planted.fund, r)] for r in planted.entry_refs]

    def income(self, account: str) -> Decimal:
        total = Decimal(0)
        for t in self.world.transactions:
            if t.fund == account and t.credit:
                total += t.amount
            elif t.fund == account and t.reversal:
                total -= t.amount
        return total


@pytest.fixture(scope="module")
def facts(world: FinanceWorld, population: list[PopulationRow]) -> Facts:
    return Facts(world, population)


def caps(kind: str) -> FundCaps:
    found: FundCaps = getattr(CAPS, kind)
    return found


def _valid_iban(text: str) -> bool:
    moved = text[4:] + text[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


# -- determinism and shape ------------------------------------------------------------------


def test_same_seed_gives_the_same_rows_and_bytes(
    population: list[PopulationRow], tmp_path: Path
) -> None:
    def make(seed: int) -> FinanceWorld:
        return generate_finance(
            seed, population, funds(), entities=500, transactions=3000, start=START,
            polling_day=POLLING_DAY,
        )  # fmt: skip

    one, two = make(11), make(11)
    assert one == two
    first = write_statements(one, tmp_path / "a")
    second = write_statements(two, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    other = make(12)
    assert other.transactions != one.transactions
    assert other.holdings != one.holdings


def test_the_stream_and_the_world_hold_the_same_transactions(
    world: FinanceWorld, population: list[PopulationRow]
) -> None:
    planned = plan_finance(
        SEED, population, funds(), entities=ENTITIES, transactions=TRANSACTIONS, start=START,
        polling_day=POLLING_DAY,
    )  # fmt: skip
    assert planned.transactions == ()
    assert tuple(iter_transactions(planned)) == world.transactions
    assert len(world.transactions) == world.transaction_count == TRANSACTIONS


def test_rows_match_the_tables_they_are_loaded_into(world: FinanceWorld, facts: Facts) -> None:
    kinds = {e.kind for e in world.entities}
    assert kinds >= {
        "local_company", "foreign_company", "foreign_branch", "foreign_state_body",
        "international_organisation", "state_body", "state_enterprise", "military_unit",
        "law_enforcement", "court", "charity", "religious_organisation", "party", "non_profit",
    }  # fmt: skip
    assert len({e.inn for e in world.entities}) == len(world.entities) == ENTITIES
    assert all(len(e.inn) <= 20 and len(e.country) == 2 for e in world.entities)
    for e in world.entities:
        if e.kind == "foreign_branch":
            assert e.country == "KG" and facts.entities[e.parent_inn or ""].country != "KG"
    for h in world.holdings:
        assert Decimal(0) < h.share <= 1 and h.share == h.share.quantize(Decimal("0.000001"))
        assert (h.owner_inn is None) != (h.owner_pin == "" and h.owner_name == "")
        if h.owner_pin:
            assert check_pin(h.owner_pin) is None and h.owner_pin in facts.persons
        if h.started_on and h.ended_on:
            assert h.started_on < h.ended_on
    # The shares in force sum to one for every owned local company, every day checked.
    for inn in facts.owners:
        if facts.entities[inn].kind == LOCAL and not facts.entities[inn].dissolved_on:
            assert sum(h.share for h in facts.holders(inn, POLLING_DAY)) == 1, inn
    assert {s.status for s in world.statuses} == {
        "civil_servant", "religious_figure", "budget_debtor"
    }  # fmt: skip
    assert all(s.pin in facts.persons for s in world.statuses)
    assert all(
        t.payer[:2] in ("P:", "E:", "F:") and t.payee[:2] in ("P:", "E:") for t in world.transfers
    )
    accounts = [f.account for f in world.funds]
    assert len(set(accounts)) == len(accounts) and all(
        len(a) == 16 and a.isdigit() for a in accounts
    )
    assert {f.bank_bic[4:6] for f in world.funds} == {"KG"}


def test_transactions_look_like_bank_entries(world: FinanceWorld, facts: Facts) -> None:
    txs = world.transactions
    assert len({(t.fund, t.entry_ref) for t in txs}) == len(txs)
    for t in txs:
        assert t.amount > 0 and t.amount == t.amount.quantize(Decimal("0.01"))
        assert START <= t.booking_date <= POLLING_DAY + timedelta(days=5)
        if t.person_id:
            assert t.id_scheme == "NIDN" and check_pin(t.person_id) is None
        if t.account.startswith(("DE", "KZ", "TR", "AE", "GB", "CY")):
            assert _valid_iban(t.account), t.account
        elif t.account:
            assert len(t.account) in (12, 16, 20) and t.account.isdigit()
        if t.account and t.agent_bic:
            assert t.account_country == account_country(t.account, t.agent_bic)
        assert not t.credit or not t.purpose
        if not t.credit and not t.reversal:
            assert t.purpose in (
                "printing",
                "media",
                "advertising",
                "campaign_services",
                "rent",
                "transport",
                "other",
            )
    income = [t for t in txs if t.credit]
    persons = [
        t for t in income if t.person_id and t.person_id not in {f.holder_pin for f in world.funds}
    ]
    assert len(persons) / len(income) > 0.7  # most income from identified individuals
    gifts = Counter(1000 <= t.amount <= 50_000 for t in persons)
    assert gifts[True] / len(persons) > 0.9
    assert sum(1 for t in income if t.org_id) / len(income) > 0.03
    purposes = Counter(t.purpose for t in txs if not t.credit)
    assert {"printing", "media", "advertising", "rent", "transport"} <= set(purposes)
    batches = Counter(t.batch for t in txs if t.batch)
    assert batches and min(batches.values()) >= 2
    reversals = [t for t in txs if t.reversal]
    assert reversals and all(not t.credit for t in reversals)
    for r in reversals:
        original = facts.tx[(r.fund, r.original_ref)]
        assert original.credit and original.amount == r.amount and original.account == r.account
    assert any(t.ultimate_id for t in txs) and any(
        t.name and t.name.isupper() and t.name.isascii() for t in txs
    )
    assert any(t.name and not t.person_id and t.birth_date for t in txs)


def test_no_fund_overdraws(world: FinanceWorld) -> None:
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for t in world.transactions:
        balance[t.fund] += t.amount if t.credit else -t.amount
        assert balance[t.fund] >= 0, t


# -- planted cases --------------------------------------------------------------------------


def test_every_kind_is_planted_with_a_near_miss(world: FinanceWorld, facts: Facts) -> None:
    assert not world.notes or all("scaled" in n for n in world.notes), world.notes
    for kind in PLANT_KINDS:
        assert facts.planted(kind, True), kind
        assert facts.planted(kind, False), kind
    for planted in world.planted:
        assert planted.entry_refs and all((planted.fund, r) in facts.tx for r in planted.entry_refs)
        if planted.category == "foreign_participation_entity":
            assert planted.kind == "foreign_participation"
        elif planted.category in FOREIGN_CATEGORIES:
            assert planted.kind == "prohibited_source"
    named = Counter(p.category for p in world.planted if p.category)
    assert {"foreign_branch", "state_enterprise", "religious_organisation", "charity",
            "civil_servant", "religious_figure", "budget_debtor", "foreign_citizen",
            "international_organisation", "foreign_participation_entity"} <= set(named)  # fmt: skip


def test_a_foreign_parent_three_links_up_and_one_that_left_the_day_before(facts: Facts) -> None:
    chains = [p for p in facts.planted("foreign_participation") if "→" in p.note]
    assert len(chains) == 2
    for planted in chains:
        (tx,) = facts.txs(planted)
        donor = planted.subject.removeprefix("E:")
        assert tx.org_id == donor and facts.entities[donor].kind == LOCAL
        path, inn = [], donor
        for _ in range(3):  # walk the sole owners up
            (held,) = facts.holders(inn, tx.booking_date - timedelta(days=2))
            path.append(held)
            inn = held.owner_inn or ""
        assert [h.share for h in path] == [1, 1, 1]
        assert facts.entities[inn].kind == "foreign_company"
        on_day = facts.foreign_share(donor, tx.booking_date)
        if planted.positive:
            assert on_day == 1
        else:
            assert on_day == 0
            assert path[-1].ended_on == tx.booking_date - timedelta(days=1)


def test_half_and_just_under_half_through_a_local_owner(facts: Facts) -> None:
    found = {}
    for planted in facts.planted("foreign_participation"):
        if planted.category == "foreign_participation_entity" and "effective" in planted.note:
            (tx,) = facts.txs(planted)
            donor = tx.org_id
            (sole,) = facts.holders(donor, tx.booking_date)
            assert sole.owner_inn and facts.entities[sole.owner_inn].kind == LOCAL
            assert not any(facts.foreign_holder(h) for h in facts.holders(donor, tx.booking_date))
            found[planted.positive] = facts.foreign_share(donor, tx.booking_date)
    assert found == {True: Decimal("0.5"), False: Decimal("0.499")}


def test_the_transliterated_foreign_donor_and_the_namesake(facts: Facts) -> None:
    cases = [
        p for p in facts.planted("prohibited_source")
        if p.category == "foreign_citizen" and not facts.txs(p)[0].person_id
        and not facts.txs(p)[0].ultimate_id
    ]  # fmt: skip
    assert sorted(p.positive for p in cases) == [False, True]
    seen = {}
    for planted in cases:
        (tx,) = facts.txs(planted)
        assert tx.name.isascii() and tx.birth_date is not None
        matches = [
            p for p in facts.persons.values()
            if tx.name == f"{transliterate(p.surname)} {transliterate(p.given_name)}".upper()
            and p.birth_date == tx.birth_date
        ]  # fmt: skip
        assert len(matches) == 1, tx.name
        seen[planted.positive] = matches[0]
    assert seen[True].citizenship not in ("KG", "")
    assert seen[False].citizenship == "KG"
    assert seen[True].birth_date != seen[False].birth_date
    assert (seen[True].surname, seen[True].given_name) == (
        seen[False].surname,
        seen[False].given_name,
    )


def test_direct_sources_and_their_near_misses(facts: Facts) -> None:
    by_category: dict[str, dict[bool, TxRow]] = defaultdict(dict)
    for planted in facts.planted("prohibited_source") + facts.planted("foreign_participation"):
        by_category[planted.category][planted.positive] = facts.txs(planted)[0]

    def entity(tx: TxRow) -> str:
        return facts.entities[tx.org_id].kind

    assert entity(by_category["state_enterprise"][True]) == "state_enterprise"
    negative = by_category["state_enterprise"][False]
    assert entity(negative) == LOCAL and not facts.state_above(
        negative.org_id, negative.booking_date
    )
    assert facts.state_above(negative.org_id, negative.booking_date - timedelta(days=800))
    assert facts.entities[
        by_category["state_share_tax_preference"][True].org_id
    ].state_share_tax_preference
    assert not facts.entities[
        by_category["state_share_tax_preference"][False].org_id
    ].state_share_tax_preference
    assert entity(by_category["religious_organisation"][True]) == "religious_organisation"
    assert entity(by_category["charity"][True]) == "charity"
    assert entity(by_category["religious_organisation"][False]) == "non_profit"
    assert entity(by_category["charity"][False]) == LOCAL
    assert entity(by_category["international_organisation"][True]) == "international_organisation"
    assert entity(by_category["foreign_branch"][True]) == "foreign_branch"
    brand = by_category["foreign_branch"][False]
    assert entity(brand) == LOCAL and facts.foreign_share(brand.org_id, brand.booking_date) == 0
    abroad = by_category["foreign_legal_entity"][True]
    assert entity(abroad) == "foreign_company" and abroad.account_country != "KG"
    behind = [
        (p.positive, facts.txs(p)[0]) for p in facts.planted("prohibited_source")
        if facts.txs(p)[0].ultimate_id
    ]  # fmt: skip
    assert sorted(positive for positive, _ in behind) == [False, True]
    for positive, tx in behind:
        assert entity(tx) == LOCAL and tx.person_id == ""
        assert (facts.persons[tx.ultimate_id].citizenship != "KG") == positive
    stateless = by_category["stateless_person"][True]
    assert facts.persons[stateless.person_id].citizenship == "XX"
    assert facts.persons[by_category["stateless_person"][False].person_id].citizenship == "KG"
    debts = {d.inn: d for d in facts.world.debts}
    for positive, tx in by_category["budget_debtor"].items():
        if tx.org_id:
            debt = debts[tx.org_id]
            open_on_day = debt.started_on <= tx.booking_date and (
                debt.ended_on is None or debt.ended_on > tx.booking_date
            )
            assert open_on_day == positive


def test_statuses_in_force_or_ended_before(facts: Facts) -> None:
    statuses = defaultdict(list)
    for s in facts.world.statuses:
        statuses[s.pin].append(s)
    for planted in facts.planted("prohibited_source"):
        if planted.category in (
            "civil_servant",
            "religious_figure",
            "budget_debtor",
        ) and planted.subject.startswith("P:"):
            (tx,) = facts.txs(planted)
            held = [
                s for s in statuses[tx.person_id]
                if s.status == planted.category and (s.started_on or START) <= tx.booking_date
                and (s.ended_on is None or s.ended_on > tx.booking_date)
            ]  # fmt: skip
            assert bool(held) == planted.positive
            if not planted.positive:
                assert any(
                    s.ended_on == tx.booking_date - timedelta(days=10)
                    for s in statuses[tx.person_id]
                )


def test_money_from_abroad_in_another_currency_anonymous_and_cash(facts: Facts) -> None:
    for planted in facts.planted("foreign_account"):
        (tx,) = facts.txs(planted)
        assert (tx.account_country != "KG" and tx.agent_bic[4:6] != "KG") == planted.positive
        if not planted.positive:
            assert tx.counterparty_country == "RU" and "Москва" in tx.address
    kinds = {facts.txs(p)[0].account[:2] for p in facts.planted("foreign_account", True)}
    assert "KZ" in kinds and "40" in kinds  # an IBAN, and a Russian account
    for planted in facts.planted("foreign_currency"):
        (tx,) = facts.txs(planted)
        assert tx.currency == "KGS" and tx.instructed_amount is not None
        assert (tx.instructed_currency != "KGS") == planted.positive
        if planted.positive and tx.exchange_rate is not None:
            assert tx.amount == (tx.instructed_amount * tx.exchange_rate).quantize(Decimal("0.01"))
    (anonymous,) = facts.planted("anonymous", True)
    tx = facts.txs(anonymous)[0]
    assert not (tx.name or tx.person_id or tx.org_id or tx.account or tx.ultimate_name)
    tx = facts.txs(facts.planted("anonymous", False)[0])[0]
    assert not tx.name and tx.person_id and tx.account
    (cash,) = facts.planted("cash", True)
    assert facts.txs(cash)[0].channel == "cash" and facts.txs(cash)[0].person_id
    assert facts.txs(facts.planted("cash", False)[0])[0].channel == "bank"


def test_caps_crossed_and_reached_exactly(facts: Facts) -> None:
    for planted in facts.planted("over_donor_cap"):
        txs = facts.txs(planted)
        kind = facts.fund_kind[planted.fund]
        cap = caps(kind)
        limit = (
            cap.legal_entity_donation_som if txs[0].org_id else cap.individual_donation_som
        ).value
        given = sum(
            t.amount
            for t in facts.world.transactions
            if t.fund == planted.fund
            and (t.person_id or t.org_id) == (txs[0].person_id or txs[0].org_id)
            and t.credit
        )
        assert (given > limit) == planted.positive and given >= limit
    for planted in facts.planted("over_fund_cap"):
        limit = CAPS.candidate.fund_total_som.value
        total = facts.income(planted.fund)
        if planted.positive:
            assert total > limit
        else:
            assert total == limit
        (ref,) = planted.entry_refs
        running = Decimal(0)
        for t in facts.world.transactions:
            if t.fund != planted.fund or not t.credit:
                continue
            running += t.amount
            if t.entry_ref == ref:
                break
            assert running <= limit
        assert (running > limit) == planted.positive


def test_structuring_and_conduits(facts: Facts) -> None:
    limit = Decimal(CAPS.candidate.individual_donation_som.value)
    sizes = {}
    for planted in facts.planted("structuring"):
        txs = facts.txs(planted)
        homes = {facts.persons[t.person_id].dwelling_id for t in txs}
        assert len(homes) == 1 and len({t.person_id for t in txs}) == len(txs)
        assert all(limit * Decimal("0.9") <= t.amount < limit for t in txs)
        assert max(t.booking_date for t in txs) - min(t.booking_date for t in txs) <= timedelta(
            days=7
        )
        sizes[planted.positive] = len(txs)
    assert sizes[True] >= 3 and sizes[False] == 2
    for planted in facts.planted("conduit"):
        (tx,) = facts.txs(planted)
        received = [r for r in facts.world.transfers if r.payee == f"P:{tx.person_id}"]
        (transfer,) = received
        payer = facts.entities[transfer.payer.removeprefix("E:")]
        assert payer.kind == "foreign_company" and transfer.amount >= tx.amount / 2
        gap = (tx.booking_date - transfer.day).days
        assert gap == (10 if planted.positive else 40)


def test_suppliers_owned_from_abroad_or_no_longer(facts: Facts) -> None:
    for planted in facts.planted("foreign_supplier"):
        (tx,) = facts.txs(planted)
        assert not tx.credit and tx.purpose in ("printing", "advertising")
        supplier = facts.entities[tx.org_id]
        if supplier.kind == "foreign_company":
            assert planted.positive and tx.account_country != "KG"
            continue
        on_day = facts.foreign_share(supplier.inn, tx.booking_date)
        assert (on_day > 0) == planted.positive
        if not planted.positive and tx.purpose == "printing":
            assert facts.foreign_share(supplier.inn, tx.booking_date - timedelta(days=10)) > 0


def test_an_unknown_donor_and_a_misspelt_known_one(facts: Facts) -> None:
    (unknown,) = facts.planted("unresolved", True)
    tx = facts.txs(unknown)[0]
    surname = tx.name.split()[0]
    assert not tx.person_id and not tx.birth_date
    assert all(p.surname.rstrip("а") != surname for p in facts.persons.values())
    (known,) = facts.planted("unresolved", False)
    tx = facts.txs(known)[0]
    person = facts.persons[known.subject.removeprefix("P:")]
    assert not tx.person_id and tx.birth_date == person.birth_date and tx.address == person.address
    assert tx.name != " ".join(
        x for x in (person.surname, person.given_name, person.patronymic) if x
    )


# -- the background is clean ----------------------------------------------------------------


def test_nothing_unplanted_shows_a_sign(world: FinanceWorld, facts: Facts) -> None:
    planted = {(p.fund, r) for p in world.planted for r in p.entry_refs}
    statuses = defaultdict(list)
    for s in world.statuses:
        statuses[s.pin].append(s)
    holders = {f.holder_pin for f in world.funds}
    parties = {f.holder_inn for f in world.funds} | {
        e.inn for e in world.entities if e.kind == "party"
    }
    given: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    homes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for t in world.transactions:
        if (t.fund, t.entry_ref) in planted or (not t.credit and not t.purpose):
            continue
        day = t.booking_date
        assert t.currency == "KGS" and t.instructed_currency in ("", "KGS")
        assert t.account_country in ("KG", ""), t
        if not t.credit:  # spending: suppliers held by citizens only (or the bank's fee)
            if t.bank_tx_code.startswith("ACMT"):
                assert t.name == next(f.bank_name for f in world.funds if f.account == t.fund)
            elif t.org_id:
                assert facts.entities[t.org_id].kind == LOCAL
                assert facts.foreign_share(t.org_id, day) == 0
            else:
                assert facts.persons[t.person_id].citizenship == "KG"
            continue
        pins = [x for x in (t.person_id, t.ultimate_id) if x]
        if t.org_id and t.org_id not in parties:
            entity = facts.entities[t.org_id]
            assert entity.kind == LOCAL and not entity.state_share_tax_preference
            assert facts.foreign_share(entity.inn, day) == 0 and not facts.state_above(
                entity.inn, day
            )
            assert all(d.ended_on and d.ended_on < day for d in world.debts if d.inn == entity.inn)
        if not pins and not t.org_id:  # named without an id: a person of the register
            pins = [
                p.pin
                for p in facts.persons.values()
                if p.birth_date == t.birth_date
                and " ".join(x for x in (p.surname, p.given_name, p.patronymic) if x) == t.name
            ]
            assert len(pins) == 1, t
        for pin in pins:
            person = facts.persons[pin]
            assert person.citizenship == "KG"
            assert not any(
                (s.started_on or START) <= day and (s.ended_on is None or s.ended_on > day)
                for s in statuses[pin]
            )
            if pin not in holders:
                given[(t.fund, pin)] += t.amount
                homes[t.fund].add((person.dwelling_id, pin))
    assert max(given.values()) <= 150_000
    for donors in homes.values():
        assert max(Counter(home for home, _ in donors).values()) <= 2
    banned = {e.inn for e in world.entities if e.kind != LOCAL}
    receivers = {f"P:{pin}" for _, pin in given}
    for r in world.transfers:
        if r.payee in receivers and r.payer.startswith("E:"):
            assert r.payer.removeprefix("E:") not in banned
        if r.payee in receivers:
            assert not r.payer.startswith("F:")


def test_background_funds_stay_well_under_their_caps(world: FinanceWorld, facts: Facts) -> None:
    capped = {p.fund for p in facts.planted("over_fund_cap")}
    for fund in world.funds:
        if fund.account not in capped:
            limit = getattr(CAPS, fund.kind).fund_total_som.value
            assert facts.income(fund.account) < limit * Decimal("0.6")


# -- ownership ------------------------------------------------------------------------------


def _chain_depths(world: FinanceWorld) -> tuple[int, bool]:
    """The longest chain of entity holdings (links, cycle-free) and whether a cycle exists."""
    above: dict[str, set[str]] = defaultdict(set)
    for h in world.holdings:
        if h.owner_inn:
            above[h.owned_inn].add(h.owner_inn)
    memo: dict[str, int] = {}
    cycle = False

    def depth(inn: str, path: frozenset[str]) -> int:
        nonlocal cycle
        if inn in memo:
            return memo[inn]
        best = 0
        for owner in above.get(inn, ()):
            if owner in path:
                cycle = True
                continue
            best = max(best, 1 + depth(owner, path | {owner}))
        if not (path & set(above)):
            memo[inn] = best
        return best

    deepest = max(depth(inn, frozenset({inn})) for inn in list(above))
    return deepest, cycle


def test_ownership_chains_reach_six_links_and_have_cycles(world: FinanceWorld) -> None:
    deepest, cycle = _chain_depths(world)
    assert deepest == 6
    assert cycle


def test_a_small_world_and_a_bigger_registry(population: list[PopulationRow]) -> None:
    began = time.perf_counter()
    world = plan_finance(
        3, population, funds(), entities=5000, transactions=20_000, start=START,
        polling_day=POLLING_DAY,
    )  # fmt: skip
    count = sum(1 for _ in iter_transactions(world))
    elapsed = time.perf_counter() - began
    assert count == 20_000 and len(world.entities) == 5000
    assert _chain_depths(world)[0] == 6
    assert elapsed < 30, elapsed


# -- statements -----------------------------------------------------------------------------


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local_name(c.tag) == name]


def _child(element: Element, *path: str) -> Element | None:
    for name in path:
        found = _children(element, name)
        if not found:
            return None
        element = found[0]
    return element


def _text(element: Element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "") if found is not None else ""


def _iter(element: Element, name: str) -> Iterator[Element]:
    return (e for e in element.iter() if local_name(e.tag) == name)


def _signed(balance: Element) -> Decimal:
    amount = Decimal(_text(balance, "Amt"))
    return amount if _text(balance, "CdtDbtInd") == "CRDT" else -amount


def test_statements_parse_reconcile_and_carry_every_transaction(
    world: FinanceWorld, statements: list[Path]
) -> None:
    namespaces: Counter[str] = Counter()
    addresses = {t.address for t in world.transactions}
    seen: set[tuple[str, str]] = set()
    closing: dict[str, Decimal] = {}
    for path in statements:
        root = parse_xml(path.read_bytes(), path.name)
        namespace = root.tag[1:].split("}")[0]
        namespaces[namespace] += 1
        v8 = namespace == CAMT_08
        (stmt,) = list(_iter(root, "Stmt"))
        account = _text(stmt, "Acct", "Id", "Othr", "Id")
        balances = {_text(b, "Tp", "CdOrPrtry", "Cd"): _signed(b) for b in _children(stmt, "Bal")}
        assert balances["OPBD"] == closing.get(account, Decimal(0))
        net = Decimal(0)
        for entry in _children(stmt, "Ntry"):
            amount = Decimal(_text(entry, "Amt"))
            credit = _text(entry, "CdtDbtInd") == "CRDT"
            net += amount if credit else -amount
            status = _text(entry, "Sts", "Cd") if v8 else _text(entry, "Sts")
            assert status == "BOOK"
            details = list(_iter(entry, "TxDtls"))
            assert sum(Decimal(_text(d, "AmtDtls", "TxAmt", "Amt")) for d in details) == amount
            if len(details) > 1:
                assert _text(entry, "NtryDtls", "Btch", "NbOfTxs") == str(len(details))
            for d in details:
                seen.add((account, _text(d, "Refs", "AcctSvcrRef")))
                debtor = _child(d, "RltdPties", "Dbtr")
                if debtor is not None and credit:
                    assert (_child(debtor, "Pty") is not None) == v8
                    postal = _child(_child(debtor, "Pty") if v8 else debtor, "PstlAdr")  # type: ignore[arg-type]
                    if postal is not None and _children(postal, "AdrLine"):
                        lines = [line.text or "" for line in _children(postal, "AdrLine")]
                        assert ", ".join(lines) in addresses
                agent = _child(d, "RltdAgts", "CdtrAgt", "FinInstnId")
                assert agent is not None and _child(agent, "BICFI" if v8 else "BIC") is not None
        assert balances["OPBD"] + net == balances["CLBD"], path.name
        closing[account] = balances["CLBD"]
    assert set(namespaces) == {CAMT_02, CAMT_08}
    assert seen == {(t.fund, t.entry_ref) for t in world.transactions}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for t in world.transactions:
        totals[t.fund] += t.amount if t.credit else -t.amount
    assert closing == dict(totals)


def test_statements_keep_what_reveals_foreign_money(statements: list[Path]) -> None:
    text = b"".join(p.read_bytes() for p in statements).decode()
    for needle in (
        "<RvslInd>true</RvslInd>", '<InstdAmt>', 'Ccy="USD"', "<UltmtDbtr>", "<Cd>NIDN</Cd>",
        "<Cd>TXID</Cd>", "<DtAndPlcOfBirth>", "<BirthDt>", "<IBAN>KZ", "<BICFI>", "<BIC>",
        "<Btch>", "Добровольное пожертвование", "Оплата за печать агитационных листовок",
        "<Sts>BOOK</Sts>", "<Sts>\n", "<Pty>", "<CcyXchg>",
    ):  # fmt: skip
        assert needle in text, needle
    roots = [parse_xml(p.read_bytes(), p.name) for p in statements[:4]]
    assert all(local_name(r.tag) == "Document" for r in roots)


def test_statements_refuse_transactions_out_of_order(world: FinanceWorld, tmp_path: Path) -> None:
    shuffled = list(world.transactions[:50])[::-1]
    with pytest.raises(ValueError, match="booking order"):
        write_statements(world, tmp_path, shuffled)
    mixed = [world.transactions[0], world.transactions[-1], world.transactions[1]]
    with pytest.raises(ValueError, match="not together"):
        write_statements(world, tmp_path, mixed)
    stranger = [replace(world.transactions[0], fund="0000000000000000")]
    with pytest.raises(ValueError, match="unknown fund"):
        write_statements(world, tmp_path, stranger)


# -- bad input and building blocks ----------------------------------------------------------


def test_bad_arguments_are_refused(population: list[PopulationRow]) -> None:
    def make(**changes: object) -> None:
        arguments: dict[str, object] = {
            "entities": 500, "transactions": 3000, "start": START, "polling_day": POLLING_DAY
        }  # fmt: skip
        arguments.update(changes)
        people = arguments.pop("persons", population)
        specs = arguments.pop("funds", funds())
        plan_finance(1, people, specs, **arguments)

    with pytest.raises(ValueError, match="at least 40 days"):
        make(start=POLLING_DAY - timedelta(days=20))
    with pytest.raises(ValueError, match="entities must be at least"):
        make(entities=100)
    with pytest.raises(ValueError, match="at least one fund"):
        make(funds=[])
    with pytest.raises(ValueError, match="kind must be"):
        make(funds=[("bank", "X")])
    with pytest.raises(ValueError, match="one fund only"):
        make(funds=[("party", "P"), ("party", "P")])
    with pytest.raises(ValueError, match="transactions too few"):
        make(transactions=200)
    with pytest.raises(ValueError, match="too few adult citizens"):
        make(persons=population[:50])


def test_few_funds_are_said_in_the_notes(population: list[PopulationRow]) -> None:
    world = plan_finance(
        2, population, [("party", "P1"), ("candidate", "C1")], entities=500,
        transactions=3000, start=START, polling_day=POLLING_DAY,
    )  # fmt: skip
    assert any("over_fund_cap" in note for note in world.notes)
    assert not any(p.kind == "over_fund_cap" for p in world.planted)
    assert {p.kind for p in world.planted} == set(PLANT_KINDS) - {"over_fund_cap"}


@given(st.sampled_from(("DE", "KZ", "TR", "AE", "GB", "CY")), st.text(min_size=1, max_size=20))
def test_foreign_ibans_pass_the_mod_97_check(country: str, key: str) -> None:
    account = foreign_account(country, key)
    assert account[:2] == country and _valid_iban(account)
    assert account_country(account, "ANYBKG22") == country
    assert iban("DE", "370400440532013000") == "DE89370400440532013000"  # ISO 13616's example


@settings(max_examples=50)
@given(
    st.integers(0, 10**6),
    st.integers(0, 99_999),
    st.lists(st.integers(0, 9_999_999), min_size=2, max_size=30, unique=True),
)
def test_entry_references_never_collide(seed: int, fund: int, serials: list[int]) -> None:
    refs = [entry_ref(seed, fund, s) for s in serials]
    assert len(set(refs)) == len(refs) and all(len(r) == 12 and r.isdigit() for r in refs)
    assert entry_ref(seed, fund, serials[0]) != entry_ref(seed, (fund + 1) % 100_000, serials[0])


def test_a_citizen_namesake_is_added_when_the_persons_have_none(
    population: list[PopulationRow],
) -> None:
    renamed = [
        p if p.citizenship == "KG" else replace(p, surname="Смитсон", given_name="Джонатан")
        for p in population
    ]
    holder = next(p for p in population if p.citizenship == "KG" and p.birth_date.year < 1980)
    specs = [("party", "P1"), FundSpec("candidate", "C1", holder=holder), ("candidate", "C2")]
    world = generate_finance(
        4, renamed, specs, entities=500, transactions=3000, start=START, polling_day=POLLING_DAY
    )
    (added,) = world.new_persons
    assert added.citizenship == "KG" and (added.surname, added.given_name) == (
        "Смитсон",
        "Джонатан",
    )
    assert check_pin(added.pin, added.birth_date, added.sex) is None
    assert added.pin not in {p.pin for p in renamed}
    assert any(added.pin in note for note in world.notes)
    foreigners = {p.birth_date for p in renamed if p.surname == "Смитсон"}
    assert added.birth_date not in foreigners
    negative = [
        p for p in world.planted
        if p.kind == "prohibited_source" and not p.positive and p.subject == f"P:{added.pin}"
    ]  # fmt: skip
    assert len(negative) == 1
    (fund,) = [f for f in world.funds if f.owner == "C1"]
    assert fund.holder_pin == holder.pin
    own = [t for t in world.transactions if t.fund == fund.account and t.person_id == holder.pin]
    assert own and all(t.credit and "Собственные средства" in t.remittance for t in own)
