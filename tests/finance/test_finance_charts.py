"""The campaign-finance disclosure as charts: income and spending by fund (each bar a link to
its fund), the money under disclosed flags by kind, and on a fund's page its income by kind of
donor and its spending by purpose — each chart with a table of the same numbers, in the
reader's number format, and nothing personal in either."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shailoo.common.safe_xml import parse_xml
from shailoo.finance import review_services
from shailoo.finance.forms import INCOME_LABELS, PURPOSE_LABELS, label
from shailoo.finance.models import Flag, Transaction

from .test_finance_pages import FUND, assert_nothing_personal, funded  # noqa: F401
from .test_finance_services import world  # noqa: F401

pytestmark = pytest.mark.django_db


def charts_of(page: str) -> dict[str, dict[str, Any]]:
    """Each chart of the page by its section id: caption, rows, row links and the SVG."""
    found: dict[str, dict[str, Any]] = {}
    for ident, figure in re.findall(
        r'<section class="finance-chart" id="([^"]+)"><figure class="chart">(.*?)</figure>',
        page,
        re.S,
    ):
        rows, links = [], []
        for head, value in re.findall(
            r'<tr><th scope="row">(.*?)</th><td class="num">(.*?)</td></tr>', figure
        ):
            link = re.match(r'<a href="([^"]*)">(.*)</a>$', head)
            links.append(link.group(1) if link else None)
            rows.append((html.unescape(link.group(2) if link else head), html.unescape(value)))
        caption = re.search(r"<caption>(.*?)</caption>", figure)
        svg = re.search(r"<svg .*?</svg>", figure, re.S)
        assert svg is not None
        parse_xml(svg.group(0).encode(), ident)  # well-formed, whatever the names
        found[ident] = {
            "caption": html.unescape(caption.group(1)) if caption else "",
            "rows": rows,
            "links": links,
            "svg": svg.group(0),
            "empty": 'class="chart-empty"' in figure,
        }
    return found


def test_the_funds_page_charts_income_and_spending_by_fund(funded) -> None:  # noqa: F811
    page = Client().get(reverse("finance:funds"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    charts = charts_of(page)
    assert charts["chart-funds"]["caption"] == "Income by fund"
    assert charts["chart-funds"]["rows"] == [("Асанов Бакыт", "651,000.00")]
    assert charts["chart-funds"]["links"] == [reverse("finance:fund", args=[FUND])]
    assert charts["chart-funds-spending"]["rows"] == [("Асанов Бакыт", "55,000.00")]
    # nothing disclosed yet: no chart of flagged money
    assert "chart-flagged" not in charts
    assert_nothing_personal(page, funded)


def russian(amount: str) -> str:
    """``651000.00`` as Russian writes it: ``651 000,00`` (no-break space, decimal comma)."""
    return f"{Decimal(amount):,.2f}".replace(",", "\xa0").replace(".", ",")


def test_a_fund_page_charts_income_by_kind_and_spending_by_purpose(funded) -> None:  # noqa: F811
    page = Client().get(reverse("finance:fund", args=[FUND]), HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    charts = charts_of(text)
    # the chart says what the page's own table says (kinds with money), in Russian numbers
    table = re.findall(r'<tr data-kind="(\w+)" data-amount="([\d.-]+)">', text.split("</dl>")[1])
    with translation.override("ru"):
        caption = gettext("Income by kind of donor")
        expected = [(label(INCOME_LABELS, k), russian(a)) for k, a in table if Decimal(a)]
        spent = [
            (label(PURPOSE_LABELS, p), russian(a))
            for p, a in [("printing", "40000"), ("rent", "15000")]
        ]
    assert charts["chart-income"]["caption"] == caption
    assert charts["chart-income"]["rows"] == expected
    assert sum(Decimal(a) for _, a in table) == Decimal("651000.00")
    with translation.override("ru"):
        own, party = label(INCOME_LABELS, "own_funds"), label(INCOME_LABELS, "party")
    assert (own, "50\xa0000,00") in expected and (party, "200\xa0000,00") in expected
    assert charts["chart-spending"]["rows"] == spent
    svg = charts["chart-spending"]["svg"]
    widths = [float(w) for w in re.findall(r'<rect class="bar" [^>]*width="([\d.]+)"', svg)]
    assert widths[0] > widths[1] > 0 and widths[1] / widths[0] == pytest.approx(15 / 40, abs=0.01)
    assert_nothing_personal(text, funded)


def test_disclosed_flags_are_charted_by_kind(funded) -> None:  # noqa: F811
    flag = Flag.objects.get(kind="foreign_participation")
    review_services.review("cli", flag, confirmed=True, reasons="registry extract checked")
    review_services.decide("cli", flag)
    index = Client().get(reverse("finance:funds"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "chart-flagged" not in charts_of(index), "decided is not disclosed"
    review_services.disclose("cli", Flag.objects.get(pk=flag.pk))
    index = Client().get(reverse("finance:funds"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    flagged = charts_of(index)["chart-flagged"]
    assert flagged["caption"] == "Money under disclosed flags, by kind"
    ((_, amount),) = flagged["rows"]
    assert amount == "250,000.00" and "Fremd GmbH" not in index


def test_a_fund_without_entries_says_there_is_nothing_to_chart(funded) -> None:  # noqa: F811
    Transaction.objects.all().delete()
    page = Client().get(reverse("finance:fund", args=[FUND])).content.decode()
    charts = charts_of(page)
    assert charts["chart-income"]["empty"] and charts["chart-income"]["rows"] == []
    assert charts["chart-spending"]["empty"]
