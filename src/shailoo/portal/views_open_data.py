"""Open data: every election's files in one place, archived by year, and the downloads that
had no web address yet.

For each election the page lists the results (CSV, and the NIST SP 1500-100 v2 election
results report), the cast vote records (NIST SP 1500-103) where publishing them is allowed,
turnout (CSV and JSON), the candidates register (CSV and the API), the campaign-finance
disclosure, and the ledger export; each with its format, what it holds (counts, which are
cheap; byte sizes are not, for files built on demand) and the licence. The exporters are the
domains' own (``counting.results.export``, ``polling``, ``finance``): the page only names
them. Downloads carry ``Content-Disposition``, an ``ETag`` and ``Last-Modified`` taken from
what the file is built from, so a mirror fetches a file again only when it changed.

Beside the files, the page lists the JSON twin of every public page (the calendar, the
candidates, campaign finance, results of each election; stations, the register of cases,
the ledger): the figures each page shows, with validators (``common.conditional``). They are
listed apart from the files (``pages``), since they are the pages, not exports.

Cast vote records are off unless the deployment sets ``PUBLISH_CAST_VOTE_RECORDS``: no law
edition provides for publishing them, and a record of every ballot can break the secrecy of
the vote at a small station (a rare combination of choices identifies a voter who was told to
make it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from shailoo.candidates.models import Candidate
from shailoo.common.conditional import json_response
from shailoo.common.csvout import format_row
from shailoo.counting.formats import schemas
from shailoo.counting.models import Definition, ScannedSheet
from shailoo.counting.results import cache as results_cache
from shailoo.counting.results import export
from shailoo.counting.results.models import Protocol
from shailoo.elections.models import Election
from shailoo.elections.services import all_elections, election_named
from shailoo.finance.models import Fund
from shailoo.integrity import ledger
from shailoo.polling.models import TurnoutPublication

#: The licences a deployment may name by SPDX identifier (``OPEN_DATA_LICENCE``).
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODC-By-1.0": (
        "Open Data Commons Attribution License v1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License v1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
DEFAULT_LICENCE = "CC-BY-4.0"

CANDIDATE_COLUMNS = (
    "election",
    "ref",
    "surname",
    "given_name",
    "patronymic",
    "office",
    "district",
    "party",
    "list_position",
    "status",
    "nominated_on",
)


@dataclass(frozen=True, slots=True)
class Licence:
    spdx: str
    name: str
    url: str


def licence() -> Licence:
    """The licence the deployment publishes its open data under (``OPEN_DATA_LICENCE``, an
    SPDX identifier; CC BY 4.0 unless set). An identifier not in :data:`LICENCES` is shown
    as written, without a link."""
    spdx = str(getattr(settings, "OPEN_DATA_LICENCE", "") or DEFAULT_LICENCE)
    name, url = LICENCES.get(spdx, (spdx, ""))
    return Licence(spdx, name, url)


def cast_vote_records_published() -> bool:
    return bool(getattr(settings, "PUBLISH_CAST_VOTE_RECORDS", False))


@dataclass(frozen=True, slots=True)
class Download:
    """One file of an election as the page lists it. ``url`` is empty when the file is not
    available, and ``note`` then says why."""

    key: str
    title: str
    format: str
    media_type: str
    url: str
    contents: str
    note: str = ""

    @property
    def available(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True, slots=True)
class ElectionData:
    election: Election
    downloads: list[Download]
    #: The election's public pages as JSON (their twins), listed apart from the files.
    pages: list[Download]


def _with_election(name: str, code: str) -> str:
    return f"{reverse(name)}?{urlencode({'election': code})}"


def _count(n: int, singular: str, plural: str) -> str:
    """``n`` things in words; nothing for none (the row's note then says why)."""
    return ngettext(singular, plural, n) % {"n": n} if n else ""


def _downloads(election: Election) -> list[Download]:
    """The files of ``election``, with counts from a few aggregate queries."""
    code = election.code
    accepted = Protocol.objects.filter(election=election, status=Protocol.Status.ACCEPTED).count()
    defined = Definition.objects.filter(election=election).exists()
    publications = TurnoutPublication.objects.filter(election=election).count()
    candidates = Candidate.objects.filter(election=election).count()
    funds = Fund.objects.filter(election=election).count()
    protocols = _count(accepted, "%(n)s accepted protocol", "%(n)s accepted protocols")
    none_accepted = gettext("No protocol has been accepted yet.")
    found = [
        Download(
            "results_csv",
            gettext("Results by polling station"),
            gettext("CSV, UTF-8: one row per protocol line"),
            "text/csv",
            reverse("portal:open_data_results_csv", kwargs={"code": code}) if accepted else "",
            protocols,
            "" if accepted else none_accepted,
        ),
        Download(
            "results_nist",
            gettext("Election results report"),
            "JSON, NIST SP 1500-100 v2",
            "application/json",
            reverse("portal:open_data_results_nist", kwargs={"code": code})
            if accepted and defined
            else "",
            protocols,
            ""
            if accepted and defined
            else none_accepted
            if defined
            else gettext("The election definition has not been imported."),
        ),
    ]
    sheets = ScannedSheet.objects.filter(election=election).count()
    if cast_vote_records_published():
        found.append(
            Download(
                "cvr_nist",
                gettext("Cast vote records"),
                "JSON, NIST SP 1500-103",
                "application/json",
                reverse("portal:open_data_cvr", kwargs={"code": code})
                if sheets and defined
                else "",
                _count(sheets, "%(n)s ballot sheet", "%(n)s ballot sheets"),
                "" if sheets and defined else gettext("No ballot sheet has been recorded."),
            )
        )
    else:
        found.append(
            Download(
                "cvr_nist",
                gettext("Cast vote records"),
                "JSON, NIST SP 1500-103",
                "application/json",
                "",
                "",
                gettext(
                    "Not published: no law provides for publishing a record of every ballot, "
                    "which could reveal how a voter at a small station voted."
                ),
            )
        )
    turnout_contents = _count(publications, "%(n)s publication", "%(n)s publications")
    not_published = gettext("No turnout has been published yet.")
    found += [
        Download(
            "turnout_csv",
            gettext("Turnout by polling station"),
            gettext("CSV, UTF-8: the latest publication"),
            "text/csv",
            _with_election("polling:public_csv", code) if publications else "",
            turnout_contents,
            "" if publications else not_published,
        ),
        Download(
            "turnout_json",
            gettext("Turnout at every reporting time"),
            gettext("JSON: country, regions, commissions and stations"),
            "application/json",
            _with_election("polling:public_json", code) if publications else "",
            turnout_contents,
            "" if publications else not_published,
        ),
    ]
    registered = _count(candidates, "%(n)s nomination", "%(n)s nominations")
    no_candidates = gettext("No candidate has been nominated.")
    found += [
        Download(
            "candidates_csv",
            gettext("Register of candidates"),
            gettext("CSV, UTF-8: one row per nomination, with its status"),
            "text/csv",
            reverse("portal:open_data_candidates", kwargs={"code": code}) if candidates else "",
            registered,
            "" if candidates else no_candidates,
        ),
        Download(
            "candidates_api",
            gettext("Candidates with decisions and refusal reasons"),
            gettext("JSON API, in pages of 100"),
            "application/json",
            _with_election("api-candidates", code) if candidates else "",
            registered,
            "" if candidates else no_candidates,
        ),
        Download(
            "finance_csv",
            gettext("Campaign finance disclosure"),
            gettext("CSV, UTF-8: one row per election fund"),
            "text/csv",
            _with_election("finance:open_data", code) if funds else "",
            _count(funds, "%(n)s fund", "%(n)s funds"),
            "" if funds else gettext("No election fund has been opened."),
        ),
    ]
    return found


def catalogue() -> list[tuple[int, list[ElectionData]]]:
    """Every election's files, by year of polling day (the latest first)."""
    elections = all_elections()
    by_year = groupby(elections, key=lambda e: e.polling_day.year)
    return [
        (year, [ElectionData(e, _downloads(e), election_pages(e)) for e in group])
        for year, group in by_year
    ]


def _page(key: str, title: str, url: str, contents: str = "", note: str = "") -> Download:
    return Download(key, title, "JSON", "application/json", url, contents, note)


def election_pages(election: Election) -> list[Download]:
    """The JSON twins of the election's public pages: the same figures as each page, with
    ``ETag`` and ``Last-Modified``. One without anything to show yet is listed without a
    link, with the reason (as the files are)."""
    code = election.code
    accepted = Protocol.objects.filter(election=election, status=Protocol.Status.ACCEPTED)
    has_results = accepted.exists()
    has_candidates = Candidate.objects.filter(election=election).exists()
    has_funds = Fund.objects.filter(election=election).exists()
    return [
        _page(
            "calendar_json",
            gettext("Election calendar"),
            _with_election("portal:calendar_json", code),
        ),
        _page(
            "candidates_json",
            gettext("Candidates and parties"),
            _with_election("candidates:public_json", code) if has_candidates else "",
            note="" if has_candidates else gettext("No candidate has been nominated."),
        ),
        _page(
            "finance_json",
            gettext("Campaign finance"),
            _with_election("finance:funds_json", code) if has_funds else "",
            note="" if has_funds else gettext("No election fund has been opened."),
        ),
        _page(
            "results_json",
            gettext("Election results"),
            reverse("results:election_json", kwargs={"code": code}) if has_results else "",
            note="" if has_results else gettext("No protocol has been accepted yet."),
        ),
    ]


def site_pages() -> list[Download]:
    """The JSON twins of the pages that are not one election's."""
    return [
        _page("results_index_json", gettext("Election results"), reverse("results:index_json")),
        _page("stations_json", gettext("Polling stations"), reverse("portal:stations_json")),
        _page(
            "cases_json", gettext("Public register of cases"), reverse("incidents:register_json")
        ),
        _page("ledger_json", gettext("The ledger"), reverse("portal:ledger_json")),
    ]


def _ledger_download() -> Download:
    size = ledger.size()
    return Download(
        "ledger",
        gettext("Ledger entries"),
        gettext("JSON Lines: index, kind, time, leaf hash, reference"),
        "application/jsonl",
        reverse("portal:ledger_export"),
        ngettext("%(n)s entry", "%(n)s entries", size) % {"n": size},
    )


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """``/open-data/``: the files of every election, archived by year."""
    context = {
        "years": catalogue(),
        "ledger": _ledger_download(),
        "licence": licence(),
        "pages": site_pages(),
    }
    return render(request, "portal/open_data.html", context)


def _download_json(request: HttpRequest, item: Download) -> dict[str, Any]:
    found = asdict(item)
    found["url"] = request.build_absolute_uri(item.url) if item.url else None
    found["available"] = item.available
    return found


@require_GET
def open_data_json(request: HttpRequest) -> HttpResponse:
    """The catalogue as JSON (absolute URLs), with an ``ETag`` (304 while it is unchanged)."""
    chosen = licence()
    document = {
        "format": "shailoo-open-data/1",
        "licence": {"spdx": chosen.spdx, "name": chosen.name, "url": chosen.url},
        "elections": [
            {
                "code": data.election.code,
                "name": str(data.election.name),
                "polling_day": data.election.polling_day.isoformat(),
                "year": year,
                "downloads": [_download_json(request, d) for d in data.downloads],
                "pages": [_download_json(request, d) for d in data.pages],
            }
            for year, items in catalogue()
            for data in items
        ],
        "ledger": _download_json(request, _ledger_download()),
        "pages": [_download_json(request, d) for d in site_pages()],
    }
    return json_response(request, document)


# -- downloads ------------------------------------------------------------------------------


def _validators(response: HttpResponseBase, etag: str, at: datetime | None) -> None:
    response["ETag"] = etag
    if at is not None:
        response["Last-Modified"] = http_date(at.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"


def _tag(*parts: object) -> str:
    text = "|".join(str(part) for part in parts)
    return f'"{hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]}"'


def _stream(
    request: HttpRequest,
    lines: Iterator[list[object]],
    header: tuple[str, ...],
    filename: str,
    etag: str,
    at: datetime | None,
) -> HttpResponseBase:
    """A streamed CSV download, or 304 when the client's copy is current."""
    cached = get_conditional_response(
        request, etag=etag, last_modified=int(at.timestamp()) if at else None
    )
    if cached is not None:
        _validators(cached, etag, at)
        return cached

    def text() -> Iterator[bytes]:
        yield format_row(header).encode("utf-8")
        for row in lines:
            yield format_row(row).encode("utf-8")

    response = StreamingHttpResponse(text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _validators(response, etag, at)
    return response


@require_GET
def results_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    """The accepted protocols of an election, one row per line (``shailoo results export
    --format csv``), streamed; 404 for an unknown election."""
    election = election_named(code)
    stamp = results_cache.stamp(election)
    return _stream(
        request,
        export.csv_rows(election),
        export.CSV_COLUMNS,
        f"results-{election.code}.csv",
        _tag("results-csv", election.pk, stamp.key()),
        stamp.last,
    )


def _nist(request: HttpRequest, election: Election, kind: schemas.SchemaKind) -> HttpResponse:
    """A NIST document of the election, checked against the official schema before it is
    served, cached (with its ``ETag`` and ``Last-Modified``) until a protocol changes."""
    generated = results_cache.stamp(election).last or timezone.now()

    def build() -> bytes:
        if kind == "nist-err":
            document = export.results_report(election, generated)
        else:
            document = export.cvr_report(election, generated)
        schemas.validate(kind, document)
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")

    response = results_cache.json_answer(request, election, build)
    if response.status_code == 200:
        name = "results-nist" if kind == "nist-err" else "cvr-nist"
        response["Content-Disposition"] = f'attachment; filename="{election.code}-{name}.json"'
    return response


@require_GET
def results_nist(request: HttpRequest, code: str) -> HttpResponse:
    """NIST SP 1500-100 v2 election results report of the accepted protocols."""
    return _nist(request, election_named(code), "nist-err")


@require_GET
def cast_vote_records(request: HttpRequest, code: str) -> HttpResponse:
    """NIST SP 1500-103 cast vote records, only where the deployment publishes them:
    451 (Unavailable For Legal Reasons, RFC 7725) otherwise."""
    election = election_named(code)
    if not cast_vote_records_published():
        context = {"election": election, "licence": licence()}
        return render(request, "portal/open_data_withheld.html", context, status=451)
    return _nist(request, election, "nist-cvr")


def candidate_rows(election: Election) -> Iterator[list[object]]:
    """One row per nomination: what the public page and the candidates API publish."""
    rows = (
        Candidate.objects.filter(election=election)
        .select_related("party")
        .order_by("office", "party__code", "list_position", "surname", "ref")
    )
    for c in rows.iterator(chunk_size=2000):
        yield [
            election.code,
            c.ref,
            c.surname,
            c.given_name,
            c.patronymic,
            c.office,
            c.district,
            c.party.code if c.party else "",
            c.list_position,
            c.status,
            c.nominated_on.isoformat(),
        ]


@require_GET
def candidates_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    """The candidates register of an election as CSV, streamed; 404 for an unknown one."""
    election = election_named(code)
    found = Candidate.objects.filter(election=election).aggregate(
        n=Count("id"), at=Max("updated_at")
    )
    return _stream(
        request,
        candidate_rows(election),
        CANDIDATE_COLUMNS,
        f"candidates-{election.code}.csv",
        _tag("candidates", election.pk, found["n"], found["at"]),
        found["at"],
    )
