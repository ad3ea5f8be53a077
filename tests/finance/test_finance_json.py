"""Campaign finance as JSON: the funds of an election (``/finance/index.json``) and one fund
(``/finance/<account>/index.json``) carry the figures of their pages
(``docs/public-finance*.schema.json``), name no person, answer 304 until a statement, a
screen or a disclosure changes them, and refuse an unknown election or account in JSON."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import parse_http_date

from public_schemas import schema_errors
from shailoo.finance import review_services
from shailoo.finance.models import Flag

from .test_finance_pages import assert_nothing_personal, funded  # noqa: F401
from .test_finance_services import FUND, world  # noqa: F401

pytestmark = pytest.mark.django_db

FUNDS = "/finance/index.json"
ONE = f"/finance/{FUND}/index.json"


def html_row(html: str, account: str) -> dict[str, str]:
    row = re.search(rf'<tr data-account="{account}"[^>]*>', html)
    assert row is not None
    return dict(re.findall(r'data-(\w+)="([^"]*)"', row.group(0)))


def test_the_funds_twin_has_the_page_s_figures(funded: dict[str, Any]) -> None:  # noqa: F811
    client = Client()
    response = client.get(FUNDS, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert schema_errors("public-finance", document) == []
    assert document["election"]["code"] == funded["election"].code
    html = client.get(reverse("finance:funds"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    (fund,) = document["funds"]
    attrs = html_row(html, FUND)
    for key in ("income", "spending", "balance", "flagged"):
        assert Decimal(fund[key]) == Decimal(attrs[key]), key
    assert (fund["income"], fund["spending"], fund["balance"]) == (
        "651000.00",
        "55000.00",
        "596000.00",
    )
    assert str(fund["donors"]) == attrs["donors"]
    assert fund["owner"] == {"name": "Асанов Бакыт", "names": {}, "candidate": "D-1", "party": None}
    assert fund["owner"]["name"] in html and fund["kind"] == "candidate"
    assert fund["kind_names"]["en"] == "candidate"
    assert (fund["url"], fund["json"]) == (f"/finance/{FUND}/", ONE)
    assert document["totals"]["income"] == "651000.00"
    assert_nothing_personal(response.content.decode(), funded)


def test_the_fund_twin_has_the_page_s_figures_and_names_no_person(
    funded: dict[str, Any],  # noqa: F811
) -> None:
    client = Client()
    response = client.get(ONE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    document = response.json()
    assert schema_errors("public-finance-fund", document) == []
    html = client.get(reverse("finance:fund", args=[FUND])).content.decode()
    individuals = re.search(r'id="individuals" data-count="(\d+)" data-amount="([\d.]+)"', html)
    assert individuals is not None
    assert document["individuals"] == {
        "count": int(individuals.group(1)),
        "amount": individuals.group(2),
    }
    page_income = dict(re.findall(r'<tr data-kind="(\w+)" data-amount="([-\d.]+)">', html))
    assert {i["kind"]: i["amount"] for i in document["income_by_kind"]} == page_income
    page_spending = dict(re.findall(r'<tr data-purpose="(\w+)" data-amount="([-\d.]+)">', html))
    assert {s["purpose"]: s["amount"] for s in document["spending_by_purpose"]} == page_spending
    inns = {e["inn"] for e in document["legal_entities"]["shown"]}
    assert {"01101201910002", "01101202010003"} <= inns
    assert set(re.findall(r'<tr data-inn="(\w+)"', html)) == inns
    assert document["legal_entities"]["count"] == len(inns)
    spending = {s["purpose"]: s for s in document["spending_by_purpose"]}
    assert spending["printing"]["names"]["en"] and spending["printing"]["name"]
    assert document["flags"] == []  # nothing disclosed yet
    assert_nothing_personal(response.content.decode(), funded)


def test_a_disclosure_changes_both_twins(funded: dict[str, Any]) -> None:  # noqa: F811
    client = Client()
    funds, one = client.get(FUNDS), client.get(ONE)
    for url, first in ((FUNDS, funds), (ONE, one)):
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    flag = Flag.objects.get(kind="foreign_participation")
    review_services.review("cli", flag, confirmed=True, reasons="registry extract checked")
    review_services.decide("cli", flag)
    # Decided, not yet disclosed: the figures the public sees are the same.
    assert client.get(ONE, HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304
    review_services.disclose("cli", flag)
    for url, first in ((FUNDS, funds), (ONE, one)):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and again["ETag"] != first["ETag"], url
        assert parse_http_date(again["Last-Modified"]) >= parse_http_date(first["Last-Modified"])
    document = client.get(ONE, HTTP_ACCEPT_LANGUAGE="ru").json()
    assert schema_errors("public-finance-fund", document) == []
    ((shown,),) = [document["flags"]]
    assert (shown["kind"], shown["amount"]) == ("foreign_participation", "250000.00")
    assert shown["disposition"] == "transfer_to_budget" and shown["disclosed_on"]
    assert shown["citation"]["en"] and shown["citation"]["ru"]
    assert flag.summary not in json.dumps(document, ensure_ascii=False)
    assert "Fremd GmbH" not in json.dumps(document, ensure_ascii=False)
    totals = client.get(FUNDS).json()
    assert totals["funds"][0]["flagged"] == "250000.00"
    assert totals["flagged_by_kind"][0]["kind"] == "foreign_participation"


@pytest.mark.parametrize("account", ["0000", "NOSUCHACCOUNT1", "x" * 41, "12-34", "%00"])
def test_an_unknown_account_is_404_in_json(funded: dict[str, Any], account: str) -> None:  # noqa: F811
    response = Client().get(f"/finance/{account}/index.json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "unknown_fund"


@pytest.mark.parametrize("code", ["nope", "a b", "x" * 60])
def test_an_unknown_election_is_404_in_json(funded: dict[str, Any], code: str) -> None:  # noqa: F811
    response = Client().get(FUNDS, {"election": code})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "election_not_found"


def test_the_pages_link_their_twins(funded: dict[str, Any]) -> None:  # noqa: F811
    client = Client()
    code = funded["election"].code
    index = client.get(reverse("finance:funds")).content.decode()
    twin = f"{FUNDS}?election={code}"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in index
    assert f'href="{twin}" id="open-data-json"' in index
    one = client.get(reverse("finance:fund", args=[FUND])).content.decode()
    assert f'<link rel="alternate" type="application/json" href="{ONE}">' in one
    assert client.get(twin).status_code == 200
