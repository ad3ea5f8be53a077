"""The disclosure's read model and charts: the grouped queries agree with a plain walk over the
entries, a returned donation cancels its donation, own funds and the party's money are told
from donors, only booked entries and disclosed flags count — and the charts escape what they
draw."""

from __future__ import annotations

import datetime
import random
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from shailoo.candidates.models import Party
from shailoo.finance import charts, disclosure, fund_services
from shailoo.finance.models import Donor, Flag, Fund, StatementImport, Transaction

from .test_finance_services import world  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2027, 2, 10)
PARTY_KEY = "E:02212201010011"  # the world's party, by its INN


def _statement(fund: Fund) -> StatementImport:
    return StatementImport.objects.create(
        fund=fund, statement_id=f"S-{fund.pk}", source_name="s.xml", file_sha256="0" * 64,
        from_date=DAY, to_date=DAY, opening_balance=0, closing_balance=0,
        imported_at=timezone.now(), imported_by="test",
    )  # fmt: skip


def _donor(key: str, name: str) -> Donor:
    kind = "person" if key.startswith("P:") else "entity"
    return Donor.objects.get_or_create(
        key=key, defaults={"kind": kind, "name": name, "first_seen": DAY}
    )[0]


def _entry(statement: StatementImport, ref: str, amount: str, **fields: Any) -> Transaction:
    base: dict[str, Any] = {
        "fund": statement.fund, "statement": statement, "entry_ref": ref,
        "amount": Decimal(amount), "currency": "KGS", "credit": True, "booking_date": DAY,
        "resolution": "exact_id",
    }  # fmt: skip
    base.update(fields)
    return Transaction.objects.create(**base)


@pytest.fixture
def w(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    return world


@pytest.fixture
def party_fund(w: dict[str, Any]) -> Fund:
    return fund_services.open_fund(
        "cli", election=w["election"], account="1280016099990000",
        opened_on=datetime.date(2027, 1, 15), party=Party.objects.get(code="ata"),
        bank_bic="KICBKG22",
    )  # fmt: skip


def test_a_returned_donation_cancels_out_and_the_balance_is_the_signed_sum(w) -> None:
    fund = w["fund"]
    s = _statement(fund)
    giver = _donor("P:11111111111111", "Иванов Иван")
    _entry(s, "D1", "7000", donor=giver)
    _entry(s, "D1-R", "7000", credit=False, reversal=True, donor=giver)
    _entry(s, "D2", "3000", donor=giver)
    _entry(s, "P1", "1200", credit=False, purpose="media")
    _entry(s, "P1-R", "200", credit=True, reversal=True, purpose="media")  # a refund
    _entry(s, "PD", "999", status="PDNG", donor=giver)  # pending: not booked, not counted
    (t,) = disclosure.fund_totals([fund])
    assert t.income == Decimal("3000.00") and t.income_by_kind["individuals"] == 3000
    assert t.spending == Decimal("1000.00") and t.spending_by_purpose["media"] == 1000
    assert t.balance == Decimal("2000.00") == 3000 - 1200 + 200
    assert (t.individuals, t.legal_entities, t.donors) == (1, 0, 1)


def test_own_funds_and_the_party_are_not_donors(w, party_fund) -> None:
    fund = w["fund"]
    candidate = fund.candidate
    s = _statement(fund)
    _entry(s, "O1", "50000", donor=_donor(f"P:{candidate.pin}", "Асанов Бакыт"), resolution="own")
    _entry(s, "T1", "200000", donor=_donor(PARTY_KEY, "Ата Журт"), resolution="own")
    _entry(s, "C1", "10000", donor=_donor("E:01101201910002", "ОсОО Ромашка"))
    _entry(s, "A1", "500", donor=None, resolution="anonymous")
    _entry(s, "N1", "12.34", donor=None, resolution="not_donation")
    # The candidate gives to the party's fund too: there the candidate is an individual,
    # and the party's own money is its own funds.
    p = _statement(party_fund)
    _entry(p, "X1", "1000", donor=_donor(f"P:{candidate.pin}", "Асанов Бакыт"))
    _entry(p, "X2", "90000", donor=_donor(PARTY_KEY, "Ата Журт"), resolution="own")
    mine, party = disclosure.fund_totals([fund, party_fund])
    assert mine.income_by_kind == {
        "individuals": 0, "legal_entities": 10000, "own_funds": 50000, "party": 200000,
        "unidentified": 500, "other": Decimal("12.34"),
    }  # fmt: skip
    assert (mine.individuals, mine.legal_entities) == (0, 1)
    assert party.income_by_kind["individuals"] == 1000
    assert party.income_by_kind["own_funds"] == 90000
    assert party.income_by_kind["party"] == 0 and party.income_by_kind["legal_entities"] == 0
    assert (party.individuals, party.legal_entities) == (1, 0)
    # The party's money into the candidate's fund is named as the party, one line.
    lines = list(disclosure.transaction_rows(fund))
    assert lines[0] == list(disclosure.TRANSACTIONS_HEADER)
    named = [line for line in lines[1:] if line[4]]
    assert [(line[2], line[3], line[4]) for line in named] == [
        ("party", "Ата Журт", "02212201010011"),
        ("legal_entity", "ОсОО Ромашка", "01101201910002"),
    ]
    assert candidate.pin not in repr(lines)


def test_only_disclosed_flags_count_as_flagged(w) -> None:
    fund = w["fund"]
    now = timezone.now()
    base = {"fund": fund, "severity": "high", "summary": "x", "found_at": now}
    Flag.objects.create(key="a", kind="conduit", amount=Decimal("100"), **base)
    Flag.objects.create(
        key="b", kind="conduit", amount=Decimal("250"), status="decided",
        disposition="transfer_to_budget", decided_at=now, **base,
    )  # fmt: skip
    Flag.objects.create(
        key="c", kind="conduit", amount=Decimal("40"), status="decided",
        disposition="transfer_to_budget", decided_at=now, disclosed_at=now, **base,
    )  # fmt: skip
    Flag.objects.create(
        key="d", kind="over_donor_cap", amount=Decimal("7"), status="decided",
        disposition="return_to_donor", decided_at=now, disclosed_at=now, **base,
    )  # fmt: skip
    (t,) = disclosure.fund_totals([fund])
    assert t.flagged_by_kind == {"conduit": Decimal("40.00"), "over_donor_cap": Decimal("7.00")}
    assert (t.flags, t.flagged) == (2, Decimal("47.00"))
    assert disclosure.flagged_by_kind([t, t]) == {"conduit": 80, "over_donor_cap": 14}
    shown = disclosure.public_flags(fund)
    assert [(f.kind, f.disposition) for f in shown] == [
        ("conduit", "transfer_to_budget"),
        ("over_donor_cap", "return_to_donor"),
    ]


def _reference(fund: Fund, own: str, party: str) -> dict[str, Any]:
    """The fund's figures by a plain walk over its entries, one at a time."""
    income: dict[str, Decimal] = defaultdict(Decimal)
    spending: dict[str, Decimal] = defaultdict(Decimal)
    givers: dict[str, set[str]] = defaultdict(set)
    for tx in Transaction.objects.filter(fund=fund).select_related("donor"):
        if tx.status != "BOOK":
            continue
        value = -tx.amount if tx.reversal else tx.amount
        key = tx.donor.key if tx.donor else ""
        if tx.credit != tx.reversal:
            if key and key == own:
                kind = "own_funds"
            elif key and key == party:
                kind = "party"
            elif key.startswith("P:"):
                kind, _ = "individuals", givers["person"].add(key)
            elif key.startswith("E:"):
                kind, _ = "legal_entities", givers["entity"].add(key)
            else:
                kind = "other" if tx.resolution == "not_donation" else "unidentified"
            income[kind] += value
        else:
            spending[tx.purpose if tx.purpose in disclosure.PURPOSES else "other"] += value
    return {
        "income": {k: v for k, v in income.items() if v},
        "spending": {k: v for k, v in spending.items() if v},
        "people": len(givers["person"]),
        "entities": len(givers["entity"]),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_grouped_queries_agree_with_a_walk_over_the_entries(w, seed: int) -> None:
    fund = w["fund"]
    own, party = disclosure.own_keys(fund)
    assert party == PARTY_KEY
    rng = random.Random(seed)
    s = _statement(fund)
    donors = [_donor(f"P:{10_000_000_000_000 + i}", f"p{i}") for i in range(6)]
    donors += [_donor(f"E:0110120191{i:04d}", f"e{i}") for i in range(4)]
    donors += [_donor(own, "own"), _donor(party, "party")]
    purposes = [*disclosure.PURPOSES, "", "weird"]
    for n in range(rng.randint(30, 80)):
        _entry(
            s, f"R{n}", f"{rng.randint(1, 500_000)}.{rng.randint(0, 99):02d}",
            credit=rng.random() < 0.6, reversal=rng.random() < 0.15,
            status=rng.choice(["BOOK"] * 8 + ["PDNG", "INFO"]),
            donor=rng.choice([*donors, None, None]),
            resolution=rng.choice(["exact_id", "anonymous", "not_donation", "unresolved"]),
            booking_date=DAY + datetime.timedelta(days=rng.randint(0, 5)),
            purpose=rng.choice(purposes),
        )  # fmt: skip
    (t,) = disclosure.fund_totals([fund])
    expected = _reference(fund, own, party)
    assert {k: v for k, v in t.income_by_kind.items() if v} == expected["income"]
    assert {k: v for k, v in t.spending_by_purpose.items() if v} == expected["spending"]
    assert (t.individuals, t.legal_entities) == (expected["people"], expected["entities"])
    signed = sum(
        (tx.amount if tx.credit else -tx.amount)
        for tx in Transaction.objects.filter(fund=fund, status="BOOK")
    )
    assert t.balance == signed == t.income - t.spending
    lines = list(disclosure.transaction_rows(fund))[1:]
    income_lines = sum((Decimal(str(line[7])) for line in lines if line[1] == "income"), Decimal(0))
    spent_lines = sum(
        (Decimal(str(line[7])) for line in lines if line[1] == "spending"), Decimal(0)
    )
    assert (income_lines, spent_lines) == (t.income, t.spending)
    assert [line[0] for line in lines if line[1] == "income"] == sorted(
        line[0] for line in lines if line[1] == "income"
    )
    for line in lines:
        if line[2] in ("individuals", "unidentified", "own_funds", "other"):
            assert line[3] == "" and line[4] == ""
    assert not any(re.search(r"\b1\d{13}\b", str(cell)) for line in lines for cell in line)
    rows = list(disclosure.open_data_rows([t]))
    assert rows[0] == list(disclosure.OPEN_DATA_HEADER) and len(rows) == 2
    assert dict(zip(rows[0], rows[1], strict=True))["balance"] == t.balance


# -- charts ------------------------------------------------------------------------------------


def test_a_chart_escapes_its_labels_and_draws_proportional_bars() -> None:
    hostile = '<script>alert(1)</script> & "ОсОО" \x01'
    svg = charts.bar_chart(
        "Income & spending",
        [
            charts.Row(hostile, (Decimal("1000"), Decimal("250"))),
            charts.Row("Zero", (Decimal("0"), Decimal("-5"))),
        ],
        ["Income", "Spending"],
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg and "\x01" not in svg
    root = ET.fromstring(svg)  # well-formed XML, nothing but shapes and text
    ns = "{http://www.w3.org/2000/svg}"
    tags = {element.tag.removeprefix(ns) for element in root.iter()}
    assert tags <= {"svg", "title", "g", "rect", "text"}
    widths = [int(rect.get("width", "0")) for rect in root.iter(f"{ns}rect")]
    legend, bars = widths[:2], widths[2:]
    assert legend == [12, 12] and bars == [charts.BAR_SPACE, round(charts.BAR_SPACE / 4), 0, 0]
    assert "1\u202f000.00" in svg and "-5.00" in svg
    tiny = charts.bar_chart(
        "t", [charts.Row("a", (Decimal("1000000"),)), charts.Row("b", (Decimal("1"),))]
    )
    assert [int(r.get("width", "0")) for r in ET.fromstring(tiny).iter(f"{ns}rect")][1] == 2
    with pytest.raises(ValueError):
        charts.bar_chart("t", [charts.Row("a", (Decimal(1),))], ["one", "two"])
    empty = ET.fromstring(charts.bar_chart("nothing", []))
    assert empty.find(f"{ns}rect") is None
