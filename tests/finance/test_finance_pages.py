"""The campaign-finance pages: the public disclosure and its open data (nothing personal), the
auditors' workspace (review → decision → notice → disclosure, the donor queue, statement
upload), each refusal shown on its page with its status."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.candidates.models import Party
from shailoo.finance import fund_services
from shailoo.finance.import_services import import_statements
from shailoo.finance.models import Flag, LegalEntity, StatementImport, Transaction
from shailoo.finance.screen_services import screen
from shailoo.finance.statements.model import Party as StatementParty
from shailoo.finance.statements.model import Transaction as StatementTransaction
from shailoo.finance.views_public import CHART_FUNDS
from shailoo.incidents.models import Case
from shailoo.integrity.models import LedgerEntry

from .test_finance_services import (  # noqa: F401 (the fixture is used by name)
    FUND,
    _donations,
    _statement,
    _statement_for,
    _tx,
    _write,
    world,
)
from .test_statements_kit import camt_document

pytestmark = pytest.mark.django_db
PARTY_INN = "02212201010011"
PAY_DAY = datetime.date(2027, 2, 12)


def _extra(w: dict[str, Any]) -> list[StatementTransaction]:
    """Own funds, the party's transfer, a returned donation, and two payments out."""
    candidate = w["fund"].candidate
    citizen, servant = w["citizen"], w["servant"]
    return [
        _tx("O1", "50000", debtor=StatementParty(name="Асанов Бакыт", person_id=candidate.pin,
            id_scheme="NIDN"), debtor_account="1090000000000010"),
        _tx("T1", "200000", debtor=StatementParty(name="Ата Журт", org_id=PARTY_INN,
            id_scheme="TXID"), debtor_account="1090000000000011"),
        # The bank returns the civil servant's 5,000: a debit with the reversal indicator.
        _tx("R1", "5000", credit=False, reversal=True, booking_date=PAY_DAY,
            debtor=StatementParty(name=f"{servant.surname} {servant.given_name}",
                                  person_id=servant.pin, id_scheme="NIDN"),
            debtor_account="1090000000000002"),
        _tx("P1", "40000", credit=False, booking_date=PAY_DAY,
            creditor=StatementParty(name="ОсОО Береке", org_id="01101202010003", id_scheme="TXID"),
            creditor_account="1090000000000005", creditor_account_country="KG",
            remittance="Печать листовок и плакатов"),
        _tx("P2", "15000", credit=False, booking_date=PAY_DAY,
            creditor=StatementParty(name=f"{citizen.surname} {citizen.given_name}",
                                    person_id=citizen.pin, id_scheme="NIDN"),
            creditor_account="1090000000000001", creditor_account_country="KG",
            remittance="Аренда помещения штаба"),
    ]  # fmt: skip


@pytest.fixture
def funded(world: dict[str, Any], tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    """The services' world with one statement imported (donations, own funds, the party,
    a return, two payments) and screened."""
    LegalEntity.objects.create(inn=PARTY_INN, name="Ата Журт", kind="party", country="KG")
    path = _write(tmp_path, [_statement(_donations(world) + _extra(world))])
    import_statements("cli", path)
    screen("cli", world["election"])
    return {**world, "path": path}


def secrets(w: dict[str, Any]) -> list[str]:
    """What must never leave through a public page: PINs, donors' names, persons' accounts."""
    people = (w["citizen"], w["servant"], w["foreigner"], w["fund"].candidate)
    found = [p.pin for p in people]
    found += ["Токтогулова", "Айпери", "Жумабеков", "Нурлан", "Smith", "SMITH", "John", "JOHN"]
    found += ["1090000000000001", "1090000000000002", "1090000000000010", "NWBK60161331926819"]
    return found


def assert_nothing_personal(text: str, w: dict[str, Any]) -> None:
    leaked = [s for s in secrets(w) if s in text]
    assert leaked == [], leaked


def auditor_client(name: str = "auditor") -> Client:
    client = Client()
    login_verified(client, make_user(name, Role.FINANCE_AUDITOR))
    return client


def rows_of(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


# -- the public pages --------------------------------------------------------------------------


def test_the_public_pages_show_the_figures_and_nothing_personal(funded) -> None:
    client = Client()
    index = client.get(reverse("finance:funds"))
    assert index.status_code == 200
    html = index.content.decode()
    row = re.search(rf'<tr data-account="{FUND}"[^>]*>', html)
    assert row is not None
    attrs = dict(re.findall(r'data-(\w+)="([^"]*)"', row.group(0)))
    assert Decimal(attrs["income"]) == Decimal("651000.00")
    assert Decimal(attrs["spending"]) == Decimal("55000.00")
    assert Decimal(attrs["balance"]) == Decimal("596000.00")
    assert attrs["donors"] == "5" and Decimal(attrs["flagged"]) == 0
    assert "<svg" in html and "<script" not in html.split("</header>")[1]
    assert_nothing_personal(html, funded)

    page = client.get(reverse("finance:fund", args=[FUND]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ОсОО Ромашка" in text or "ROMASHKA" in text  # legal entities are named
    assert "01101201910002" in text and "01101202010003" in text
    individuals = re.search(r'id="individuals" data-count="(\d+)" data-amount="([\d.]+)"', text)
    assert individuals is not None and individuals.groups() == ("3", "50000.00")
    assert_nothing_personal(text, funded)
    assert client.get(reverse("finance:fund", args=["0000"])).status_code == 404


def test_the_open_data_and_the_entries_csv_add_up_and_name_no_person(funded) -> None:
    client = Client()
    response = client.get(reverse("finance:open_data"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    (fund,) = rows_of(response)
    assert fund["fund_account"] == FUND and fund["owner"] == "Асанов Бакыт"
    income, spending = Decimal(fund["income"]), Decimal(fund["spending"])
    assert Decimal(fund["balance"]) == income - spending == Decimal("596000.00")
    kinds = ("individuals", "legal_entities", "own_funds", "party", "unidentified", "other")
    assert sum(Decimal(fund[f"income_{k}"]) for k in kinds) == income
    assert Decimal(fund["income_own_funds"]) == 50000 and Decimal(fund["income_party"]) == 200000
    assert Decimal(fund["spending_printing"]) == 40000 and Decimal(fund["spending_rent"]) == 15000

    entries = client.get(reverse("finance:fund_transactions", args=[FUND]))
    lines = rows_of(entries)
    body = "\n".join(",".join(line.values()) for line in lines)
    assert_nothing_personal(body, funded)
    income_lines = [line for line in lines if line["direction"] == "income"]
    assert sum(Decimal(line["amount"]) for line in income_lines) == income
    spent = [line for line in lines if line["direction"] == "spending"]
    assert sum(Decimal(line["amount"]) for line in spent) == spending
    named = {line["counterparty_inn"]: line for line in lines if line["counterparty_inn"]}
    assert named["01101201910002"]["amount"] == "250000.00"
    assert named[PARTY_INN]["counterparty_kind"] == "party"
    assert named["01101202010003"]["purpose"] in ("", "printing")
    # The rent paid to a person: one line, no name.
    rent = [line for line in spent if line["purpose"] == "rent"]
    assert [(r["counterparty"], r["amount"]) for r in rent] == [("", "15000.00")]
    # Individuals, summed per day: the return of 5,000 comes back as a negative line.
    people = [line for line in income_lines if line["counterparty_kind"] == "individuals"]
    assert sum(Decimal(line["amount"]) for line in people) == Decimal("50000.00")
    assert all(line["counterparty"] == "" for line in people)


def test_an_unknown_election_is_refused_on_the_page(funded) -> None:
    response = Client().get(reverse("finance:funds"), {"election": "nope"})
    assert response.status_code == 404 and b'id="refusal"' in response.content


def test_every_fund_is_listed_and_the_chart_draws_the_largest(funded) -> None:
    for n in range(CHART_FUNDS + 1):
        party = Party.objects.create(
            code=f"p{n}", name_ky=f"Партия {n}", name_ru=f"Партия {n}",
            registered_on=datetime.date(2015, 1, 1),
        )  # fmt: skip
        fund_services.open_fund(
            "cli", election=funded["election"], account=f"12800160000{n:05d}",
            opened_on=datetime.date(2027, 1, 20), party=party, bank_bic="KICBKG22",
        )  # fmt: skip
    html = Client().get(reverse("finance:funds")).content.decode()
    assert len(re.findall(r'<tr data-account="', html)) == CHART_FUNDS + 2
    chart = html.split('id="chart-funds"')[1].split("</figure>")[0]
    assert chart.count('class="bar-row"') == CHART_FUNDS
    assert "Асанов Бакыт" in chart  # the one fund with money is among the largest


def test_no_current_election_is_said_on_the_page(funded) -> None:
    funded["election"].is_current = False
    funded["election"].save(update_fields=["is_current"])
    response = Client().get(reverse("finance:funds"))
    assert response.status_code == 409 and b'id="refusal"' in response.content
    assert Client().get(reverse("finance:open_data")).status_code == 409
    code = funded["election"].code
    assert Client().get(reverse("finance:funds"), {"election": code}).status_code == 200


# -- the auditors' workspace -------------------------------------------------------------------


def test_review_decide_and_disclose_through_the_pages(funded) -> None:
    auditor = auditor_client()
    flags = auditor.get(reverse("finance:flags"), {"kind": "foreign_participation"})
    assert flags.status_code == 200
    flag = Flag.objects.get(kind="foreign_participation")
    assert f'data-flag="{flag.pk}"' in flags.content.decode()

    page = auditor.get(reverse("finance:flag", args=[flag.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Fremd GmbH" in html
    assert 'id="ownership-picture"' in html and 'src="data:image/svg+xml;base64,' in html
    assert "<svg" not in html.split("</header>")[1]  # the picture is an image, not markup
    for person in (funded["citizen"], funded["servant"], funded["foreigner"]):
        assert person.pin not in html
    assert PersonalDataAccess.objects.filter(subject_type="finance.flag", subject_id=flag.pk)

    url = reverse("finance:flag", args=[flag.pk])
    # Deciding before the review: refused on the page, with its status.
    refused = auditor.post(reverse("finance:decide", args=[flag.pk]))
    assert refused.status_code == 409 and b'id="refusal"' in refused.content
    # A review without reasons: the form says so, nothing changes.
    empty = auditor.post(reverse("finance:review", args=[flag.pk]), {"verdict": "confirm"})
    assert empty.status_code == 400
    flag.refresh_from_db()
    assert flag.status == "open"

    done = auditor.post(
        reverse("finance:review", args=[flag.pk]),
        {"verdict": "confirm", "reasons": "registry extract checked"},
    )
    assert done.status_code == 302 and done["Location"] == url
    again = auditor.post(
        reverse("finance:review", args=[flag.pk]), {"verdict": "dismiss", "reasons": "again"}
    )
    assert again.status_code == 409
    decided = auditor.post(reverse("finance:decide", args=[flag.pk]), follow=True)
    flag.refresh_from_db()
    assert flag.status == "decided" and flag.disposition == "transfer_to_budget"
    case = Case.objects.get(reference=flag.case_reference)
    text = decided.content.decode()
    assert case.reference in text
    assert 'id="notice-ky"' in text and 'id="notice-ru"' in text and "бюджет" in text

    # Decided, not disclosed: the public sees nothing of it yet.
    public = Client().get(reverse("finance:fund", args=[FUND])).content.decode()
    assert 'class="flag"' not in public
    auditor.post(reverse("finance:disclose", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.disclosed_at is not None
    public = Client().get(reverse("finance:fund", args=[FUND])).content.decode()
    assert 'class="flag" data-kind="foreign_participation" data-amount="250000.00"' in public
    assert "Fremd GmbH" not in public and flag.summary not in public
    index = Client().get(reverse("finance:funds")).content.decode()
    assert re.search(rf'data-account="{FUND}"[^>]*data-flagged="250000.00"', index)
    assert 'data-kind="foreign_participation" data-amount="250000.00"' in index
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"finance.flag_reviewed", "finance.flag_decided", "finance.flag_disclosed"} <= kinds


def test_a_reader_without_the_review_permission_sees_no_form_and_is_refused(funded) -> None:
    reader = Client()
    login_verified(reader, make_user("cec", Role.CEC_MEMBER))
    flag = Flag.objects.get(kind="foreign_participation")
    page = reader.get(reverse("finance:flag", args=[flag.pk]))
    assert page.status_code == 200 and b'id="review-form"' not in page.content
    refused = reader.post(
        reverse("finance:review", args=[flag.pk]), {"verdict": "confirm", "reasons": "x"}
    )
    assert refused.status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_queue_names_a_donor_by_key(funded) -> None:
    auditor = auditor_client()
    anonymous = Transaction.objects.get(entry_ref="E6")
    assert anonymous.resolution == "anonymous"
    page = auditor.get(reverse("finance:queue"))
    assert page.status_code == 200
    assert f'data-tx="{anonymous.pk}"' in page.content.decode()
    url = reverse("finance:resolve", args=[anonymous.pk])

    bad = auditor.post(url, {"donor_key": "X:123", "reasons": "bank letter"})
    assert bad.status_code == 400 and "P:" in bad.content.decode()
    nobody = auditor.post(url, {"donor_key": "P:21201199000099", "reasons": "bank letter"})
    assert nobody.status_code == 404 and b'id="refusal"' in nobody.content
    anonymous.refresh_from_db()
    assert anonymous.resolution == "anonymous" and anonymous.donor is None

    key = f"P:{funded['citizen'].pin}"
    named = auditor.post(url, {"donor_key": key, "reasons": "the bank's letter of 12.02"})
    assert named.status_code == 302
    anonymous.refresh_from_db()
    assert anonymous.resolution == "reviewed" and anonymous.donor.key == key
    assert LedgerEntry.objects.filter(kind="finance.donor_resolved").exists()
    page = auditor.get(reverse("finance:queue")).content.decode()
    assert f'data-tx="{anonymous.pk}"' not in page
    assert funded["citizen"].pin not in page
    # Named twice: refused with its status, on the queue page.
    twice = auditor.post(url, {"donor_key": key, "reasons": "again"})
    assert twice.status_code == 409


def test_a_bad_upload_shows_located_problems_and_stores_nothing(funded, tmp_path) -> None:
    auditor = auditor_client()
    before = (Transaction.objects.count(), StatementImport.objects.count())
    data = funded["path"].read_bytes()
    cut = io.BytesIO(data[: len(data) // 2])
    cut.name = "cut.xml"
    response = auditor.post(reverse("finance:import"), {"file": cut})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="problems"' in html and re.search(r"cut\.xml:\d+", html)

    other = io.BytesIO(camt_document([_statement_for_no_fund()], "02"))
    other.name = "../../other.xml"
    response = auditor.post(reverse("finance:import"), {"file": other})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="problems"' in html
    assert "other.xml" in html and "9999000011112222" in html  # the account that is no fund
    assert "../" not in html
    assert (Transaction.objects.count(), StatementImport.objects.count()) == before

    again = io.BytesIO(data)
    again.name = "s.xml"
    done = auditor.post(reverse("finance:import"), {"file": again}, follow=True)
    assert done.status_code == 200 and "s.xml" in done.content.decode()
    assert (Transaction.objects.count(), StatementImport.objects.count()) == (
        before[0],
        before[1] + 1,
    )


def _statement_for_no_fund() -> Any:
    return _statement_for("9999000011112222")


def test_the_flag_list_counts_each_kind_and_filters(funded) -> None:
    auditor = auditor_client()
    page = auditor.get(reverse("finance:flags")).content.decode()
    for kind in set(Flag.objects.values_list("kind", flat=True)):
        n = Flag.objects.filter(kind=kind).count()
        assert f'data-kind="{kind}" data-count="{n}"' in page
    only = auditor.get(reverse("finance:flags"), {"kind": "anonymous"}).content.decode()
    listed = set(re.findall(r'<tr data-flag="\d+" data-kind="(\w+)"', only))
    assert listed == {"anonymous"}
    assert auditor.get(reverse("finance:flags"), {"kind": "nonsense"}).status_code == 400
    # What needs an auditor comes first, the largest sums first.
    largest = Flag.objects.order_by("-amount", "pk").first()
    Flag.objects.filter(pk=largest.pk).update(status="dismissed")
    page = auditor.get(reverse("finance:flags")).content.decode()
    statuses = re.findall(r'<tr data-flag="\d+" data-kind="\w+" data-status="(\w+)"', page)
    assert statuses[-1] == "dismissed" and set(statuses[:-1]) == {"open"}
    amounts = [f.amount for f in Flag.objects.filter(status="open").order_by("-amount", "pk")]
    assert len(statuses) == len(amounts) + 1
