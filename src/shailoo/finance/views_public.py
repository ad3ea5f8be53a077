"""Public pages of campaign finance: every fund of an election with its income, spending,
balance, donors and the money under disclosed flags; one fund in detail; the open data.

What is published, and what never is, is the read model's rule (``finance.disclosure``): legal
entities by name and INN; individuals only as a count and a sum — never a name, a PIN or an
account; a flag once an auditor disclosed it, as its kind, amount, disposition and the law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_safe

from shailoo.candidates.models import Candidate
from shailoo.common import charts
from shailoo.common.conditional import (
    in_every_language,
    json_refusal,
    json_response,
    names_of,
    newest,
)
from shailoo.common.csvout import format_row
from shailoo.common.refusals import NotFound, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.finance import disclosure
from shailoo.finance.explain_text import citation_text
from shailoo.finance.forms import (
    DISPOSITION_LABELS,
    FUND_KIND_LABELS,
    INCOME_LABELS,
    KIND_LABELS,
    PURPOSE_LABELS,
    ElectionForm,
    label,
)
from shailoo.finance.models import Flag, Fund, StatementImport
from shailoo.integrity.models import LedgerEntry

#: Funds the chart of an election draws at most (the largest by income; the table has all).
CHART_FUNDS = 30


def owner_label(fund: Fund) -> str:
    """The fund's owner as the public reads it: the candidate's full name, or the party's name
    in the page's language."""
    if fund.candidate_id is not None:
        c = fund.candidate
        return " ".join(p for p in (c.surname, c.given_name, c.patronymic) if p)
    party = fund.party
    if party is None:
        return ""
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return party.name_ky if lang == "ky" and party.name_ky else party.name_ru


def money(amount: Decimal) -> str:
    """An amount in som as the reader's locale writes it (``1 234 567,50``)."""
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def amount_chart(
    title: str, header: str, rows: Iterable[tuple[str, Decimal, str | None]]
) -> charts.Chart:
    """A bar per (name, amount, link) in the order given, amounts written as on the page."""
    return charts.bar_chart(
        [charts.Bar(name, float(amount), money(amount), href=href) for name, amount, href in rows],
        title=title,
        value_header=gettext("Amount"),
        label_header=header,
    )


def _amount_rows(
    labels: dict[str, Any], amounts: dict[str, Decimal]
) -> list[tuple[str, str, Decimal]]:
    return [(code, label(labels, code), amount) for code, amount in amounts.items()]


def _chosen(request: HttpRequest) -> Election:
    """The election asked for (``?election=code``), else the current one."""
    form = ElectionForm(request.GET)
    if not form.is_valid():
        raise NotFound("election_not_found", gettext("No election has this code."))
    return election_named(form.cleaned_data["election"] or None)


@require_GET
def funds(request: HttpRequest) -> HttpResponse:
    """Every fund of the election: income, spending, balance, donors, flagged money, charts."""
    try:
        election = _chosen(request)
    except Refusal as error:
        return render(
            request, "finance/public_funds.html", {"refusal": error}, status=error.http_status
        )
    totals = disclosure.fund_totals(disclosure.funds_of(election))
    rows = [(t, owner_label(t.fund), label(FUND_KIND_LABELS, t.fund.kind)) for t in totals]
    flagged = disclosure.flagged_by_kind(totals)
    charted = sorted(rows, key=lambda row: -row[0].income)[:CHART_FUNDS]
    zero = disclosure.ZERO
    context = {
        "election": election,
        "rows": rows,
        "income": sum((t.income for t in totals), zero),
        "spending": sum((t.spending for t in totals), zero),
        "balance": sum((t.balance for t in totals), zero),
        "flagged": _amount_rows(KIND_LABELS, flagged),
        "flagged_total": sum(flagged.values(), zero),
        "charted": len(charted) < len(rows) and len(charted),
        "elections": Election.objects.filter(funds__isnull=False).distinct(),
        "charts": _funds_charts(charted, flagged),
    }
    return render(request, "finance/public_funds.html", context)


def _funds_charts(
    charted: list[tuple[disclosure.FundTotals, str, str]], flagged: dict[str, Decimal]
) -> list[tuple[str, charts.Chart]]:
    """Income and spending of the largest funds (each bar a link to its fund) and the money
    under disclosed flags by kind, as (id, chart)."""
    links = {t.fund.account: reverse("finance:fund", args=[t.fund.account]) for t, _, _ in charted}
    found = [
        (
            "chart-funds",
            amount_chart(
                gettext("Income by fund"),
                gettext("Fund of"),
                ((owner, t.income, links[t.fund.account]) for t, owner, _ in charted),
            ),
        ),
        (
            "chart-funds-spending",
            amount_chart(
                gettext("Spending by fund"),
                gettext("Fund of"),
                (
                    (owner, t.spending, links[t.fund.account])
                    for t, owner, _ in sorted(charted, key=lambda row: -row[0].spending)
                ),
            ),
        ),
    ]
    if flagged:
        found.append(
            (
                "chart-flagged",
                amount_chart(
                    gettext("Money under disclosed flags, by kind"),
                    gettext("Kind"),
                    (
                        (text, amount, None)
                        for _, text, amount in _amount_rows(KIND_LABELS, flagged)
                    ),
                ),
            )
        )
    return found


def _fund(account: str) -> Fund:
    fund = disclosure.fund_named(account)
    if fund is None:
        raise NotFound("unknown_fund", gettext("No election fund has this account."))
    return fund


@require_GET
def fund(request: HttpRequest, account: str) -> HttpResponse:
    """One fund: income by kind of donor, spending by purpose, legal entities that gave,
    individuals as a count and a sum, disclosed flags, charts."""
    found = _fund(account)
    shown = disclosure.fund_disclosure(found)
    totals = shown.totals
    income = _amount_rows(INCOME_LABELS, totals.income_by_kind)
    spending = _amount_rows(PURPOSE_LABELS, totals.spending_by_purpose)
    context = {
        "fund": found,
        "owner": owner_label(found),
        "fund_kind": label(FUND_KIND_LABELS, found.kind),
        "t": totals,
        "shown": shown,
        "income": income,
        "spending": spending,
        "flags": [
            (f, label(KIND_LABELS, f.kind), label(DISPOSITION_LABELS, f.disposition))
            for f in shown.flags
        ],
        "income_chart": amount_chart(
            gettext("Income by kind of donor"),
            gettext("Donors"),
            ((text, amount, None) for _, text, amount in income if amount),
        ),
        "spending_chart": amount_chart(
            gettext("Spending by purpose"),
            gettext("Purpose"),
            ((text, amount, None) for _, text, amount in spending if amount),
        ),
    }
    return render(request, "finance/public_fund.html", context)


def _csv(lines: Iterable[list[object]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (format_row(line) for line in lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """The funds of the election as CSV: one row per fund, the figures of the page."""
    try:
        election = _chosen(request)
    except Refusal as error:
        return render(
            request, "finance/public_funds.html", {"refusal": error}, status=error.http_status
        )
    totals = disclosure.fund_totals(disclosure.funds_of(election))
    return _csv(disclosure.open_data_rows(totals), f"funds-{election.code}.csv")


@require_GET
def transactions_csv(request: HttpRequest, account: str) -> HttpResponse:
    """A fund's entries as CSV: legal entities per entry, individuals summed per day."""
    found = _fund(account)
    return _csv(disclosure.transaction_rows(found), f"fund-{found.account}.csv")


# -- the pages as JSON -------------------------------------------------------------------------

#: A fund's account as banks write it: letters and digits (an IBAN, a local account number).
ACCOUNT = re.compile(r"[A-Za-z0-9]{1,40}")


def _amount(value: Decimal) -> str:
    """An amount in som as data: a decimal string with two places (``651000.00``)."""
    return f"{value.quantize(disclosure.CENT)}"


def _names(labels: dict[str, Any], code: str) -> dict[str, str]:
    return in_every_language(partial(label, labels, code))


def _owner_json(fund: Fund) -> dict[str, Any]:
    """Whose fund it is, as the page names it: a candidate by full name (a person's name is
    not translated) and reference, a party by its names and code."""
    party = fund.party if fund.candidate_id is None else None
    return {
        "name": owner_label(fund),
        "names": names_of(party) if party is not None else {},
        "candidate": fund.candidate.ref if fund.candidate_id is not None else None,
        "party": party.code if party is not None else None,
    }


def _election_json(election: Election) -> dict[str, Any]:
    return {
        "code": election.code,
        "name": str(election.name),
        "names": {lang: text for lang, text in election.names.items() if text},
        "polling_day": election.polling_day,
    }


def finance_changed(election: Election) -> datetime | None:
    """When what the finance pages show last changed: every change of a fund's figures is an
    entry of the finance domain in the ledger (a fund opened, a statement imported, the
    screen, a review, a decision, a disclosure), and the owners' names are the candidates'
    rows; whichever is newer. Newer than a given fund's own change at times, never older."""
    entries = LedgerEntry.objects.filter(kind__startswith="finance.").aggregate(
        at=Max("created_at")
    )
    imports = StatementImport.objects.filter(fund__election=election).aggregate(
        at=Max("imported_at")
    )
    flags = Flag.objects.filter(fund__election=election).aggregate(at=Max("disclosed_at"))
    owners = Candidate.objects.filter(election=election).aggregate(at=Max("updated_at"))
    return newest(entries["at"], imports["at"], flags["at"], owners["at"])


def _amounts_json(key: str, labels: dict[str, Any], amounts: dict[str, Decimal]) -> list[Any]:
    return [
        {
            key: code,
            "name": label(labels, code),
            "names": _names(labels, code),
            "amount": _amount(a),
        }
        for code, a in amounts.items()
    ]


def funds_document(election: Election) -> dict[str, Any]:
    """The election's funds page as data (``shailoo-public-finance/1``)."""
    totals = disclosure.fund_totals(disclosure.funds_of(election))
    zero = disclosure.ZERO
    flagged = disclosure.flagged_by_kind(totals)
    return {
        "format": "shailoo-public-finance/1",
        "election": _election_json(election),
        "funds": [
            {
                "account": t.fund.account,
                "kind": t.fund.kind,
                "kind_names": _names(FUND_KIND_LABELS, t.fund.kind),
                "owner": _owner_json(t.fund),
                "bank_bic": t.fund.bank_bic,
                "bank_name": t.fund.bank_name,
                "currency": t.fund.currency,
                "income": _amount(t.income),
                "spending": _amount(t.spending),
                "balance": _amount(t.balance),
                "donors": t.donors,
                "flagged": _amount(t.flagged),
                "url": reverse("finance:fund", args=[t.fund.account]),
                "json": reverse("finance:fund_json", args=[t.fund.account]),
            }
            for t in totals
        ],
        "totals": {
            "income": _amount(sum((t.income for t in totals), zero)),
            "spending": _amount(sum((t.spending for t in totals), zero)),
            "balance": _amount(sum((t.balance for t in totals), zero)),
            "flagged": _amount(sum(flagged.values(), zero)),
        },
        "flagged_by_kind": _amounts_json("kind", KIND_LABELS, flagged),
        "links": {
            "html": f"{reverse('finance:funds')}?election={election.code}",
            "csv": f"{reverse('finance:open_data')}?election={election.code}",
        },
    }


@require_safe
def funds_json(request: HttpRequest) -> HttpResponse:
    """``/finance/index.json[?election=CODE]``: every fund of the election as on the page,
    with ``ETag`` and ``Last-Modified``; an unknown election answers 404 in JSON."""
    try:
        election = _chosen(request)
    except Refusal as error:
        return json_refusal(error)
    return json_response(request, funds_document(election), last_modified=finance_changed(election))


def fund_document(fund: Fund) -> dict[str, Any]:
    """One fund's page as data (``shailoo-public-finance-fund/1``): legal entities named with
    their INN, individuals only as a count and a sum, disclosed flags with the law."""
    shown = disclosure.fund_disclosure(fund)
    t = shown.totals
    edition = fund.election.law_edition
    return {
        "format": "shailoo-public-finance-fund/1",
        "election": _election_json(fund.election),
        "account": fund.account,
        "kind": fund.kind,
        "kind_names": _names(FUND_KIND_LABELS, fund.kind),
        "owner": _owner_json(fund),
        "bank_bic": fund.bank_bic,
        "bank_name": fund.bank_name,
        "currency": fund.currency,
        "opened_on": fund.opened_on,
        "closed_on": fund.closed_on,
        "income": _amount(t.income),
        "spending": _amount(t.spending),
        "balance": _amount(t.balance),
        "donors": t.donors,
        "income_by_kind": _amounts_json("kind", INCOME_LABELS, t.income_by_kind),
        "spending_by_purpose": _amounts_json("purpose", PURPOSE_LABELS, t.spending_by_purpose),
        "individuals": {"count": t.individuals, "amount": _amount(shown.individuals_total)},
        "legal_entities": {
            "count": shown.entities_total,
            "shown": [
                {"name": e.name, "inn": e.inn, "donations": e.donations, "amount": _amount(e.total)}
                for e in shown.entities
            ],
        },
        "flags": [
            {
                "kind": f.kind,
                "kind_names": _names(KIND_LABELS, f.kind),
                "amount": _amount(f.amount),
                "disposition": f.disposition,
                "disposition_names": _names(DISPOSITION_LABELS, f.disposition),
                "citation": {
                    lang: citation_text(f.citation, edition, lang) for lang in ("ky", "ru", "en")
                },
                "decided_on": f.decided_on,
                "disclosed_on": f.disclosed_on,
            }
            for f in shown.flags
        ],
        "links": {
            "html": reverse("finance:fund", args=[fund.account]),
            "transactions_csv": reverse("finance:fund_transactions", args=[fund.account]),
        },
    }


@require_safe
def fund_json(request: HttpRequest, account: str) -> HttpResponse:
    """``/finance/<account>/index.json``: one fund's page as JSON, with ``ETag`` and
    ``Last-Modified``; an unknown account answers 404 in JSON."""
    try:
        if not ACCOUNT.fullmatch(account):
            raise NotFound("unknown_fund", gettext("No election fund has this account."))
        found = _fund(account)
    except Refusal as error:
        return json_refusal(error)
    return json_response(
        request, fund_document(found), last_modified=finance_changed(found.election)
    )
