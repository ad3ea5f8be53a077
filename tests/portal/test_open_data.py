"""Open data (``/open-data/``): every election's files by year, downloads that open and
parse (CSV headers, the NIST documents against the official schemas), their validators,
cast vote records withheld by default, and unknown elections."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import factories as f
from shailoo.candidates.models import Candidate
from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest
from shailoo.counting.results import decisions
from shailoo.counting.results.export import CSV_COLUMNS
from shailoo.finance.models import Fund
from shailoo.polling.models import TurnoutPublication
from shailoo.portal.views_open_data import CANDIDATE_COLUMNS

# The protocol helpers live beside the counting tests (not on sys.path when this runs alone).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "counting"))
from counting_results_helpers import (
    enter,
    import_definition,
    lines,
    schema_errors,
    setup_world,
)

pytestmark = pytest.mark.django_db

ERR = "NIST_V2_election_results_reporting.json"
CVR = "NIST_V0_cast_vote_records.json"
CODE = "parl-2027"


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Three stations (101, 102 accepted; 201 reported only), the definition imported."""
    from django.core.cache import cache

    cache.clear()  # the results cache outlives a test's database
    found = setup_world(monkeypatch, tmp_path)
    import_definition(found)
    s1, s2, s3 = found["stations"]
    for station in (s1, s2):
        decisions.accept_protocol(enter(found, station).protocol, "cli")
    enter(found, s3, lines=lines(ballots_unused=1))  # blocked by its arithmetic
    return found


def candidate(election: Any, ref: str, **fields: Any) -> Candidate:
    values = {
        "pin": "21705198000001",
        "surname": "Асанов",
        "given_name": "Бакыт",
        "patronymic": "Уулу",
        "sex": "M",
        "birth_date": datetime.date(1975, 6, 1),
        "office": "president",
        "nominated_on": datetime.date(2027, 1, 10),
        **fields,
    }
    return Candidate.objects.create(election=election, ref=ref, **values)


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def rows_of(page: str) -> dict[str, str]:
    """Row id → the row's HTML, for the download tables."""
    found = {}
    for chunk in page.split("<tr id=")[1:]:
        key, rest = chunk.split(">", 1)
        found[key.strip('"')] = rest.split("</tr>")[0]
    return found


def test_the_page_lists_each_file_with_format_contents_and_licence(
    client: Client, world: dict[str, Any]
) -> None:
    candidate(world["election"], "c1")
    page = client.get(reverse("portal:open_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h2 id="year-2027">2027</h2>' in page
    found = rows_of(page)
    results = found[f"{CODE}-results_csv"]
    assert f'href="/open-data/{CODE}/results.csv"' in results
    assert "2 accepted protocols" in results and "CSV" in results and "CC-BY-4.0" in results
    nist = found[f"{CODE}-results_nist"]
    assert f'href="/open-data/{CODE}/results-nist.json"' in nist and "NIST SP 1500-100" in nist
    cvr = found[f"{CODE}-cvr_nist"]
    assert "href=" not in cvr and "Not published" in cvr
    assert "href=" not in found[f"{CODE}-turnout_csv"]  # nothing published yet
    assert "No turnout has been published yet." in found[f"{CODE}-turnout_csv"]
    assert f'href="/open-data/{CODE}/candidates.csv"' in found[f"{CODE}-candidates_csv"]
    assert "1 nomination" in found[f"{CODE}-candidates_csv"]
    assert "href=" not in found[f"{CODE}-finance_csv"]
    assert 'href="/ledger/entries.jsonl"' in found["ledger-download"]
    assert 'rel="license"' in page and "creativecommons.org/licenses/by/4.0/" in page


def test_every_link_on_the_page_opens(client: Client, world: dict[str, Any]) -> None:
    """What the page links to is there: the turnout, candidates and finance files too."""
    election = world["election"]
    c1 = candidate(election, "c1")
    Fund.objects.create(
        election=election,
        kind="candidate",
        candidate=c1,
        account="1280016012345678",
        opened_on=datetime.date(2027, 1, 20),
    )
    TurnoutPublication.objects.create(
        election=election,
        as_of=timezone.now(),
        published_at=timezone.now(),
        figures={
            "country": {"listed": 3000, "voted": 1200, "turnout": 40.0},
            "stations": {"101": {"listed": 1000, "voted": 400, "turnout": 40.0}},
        },
    )
    page = client.get(reverse("portal:open_data")).content.decode()
    links = [
        chunk.split('"', 1)[0].replace("&amp;", "&")
        for row in rows_of(page).values()
        for chunk in row.split('href="')[1:]
    ]
    assert len(links) == 8  # 7 files of the election (no CVR) and the ledger
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert body(response), link


def test_results_csv_has_the_export_s_header_and_accepted_protocols(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get(reverse("portal:open_data_results_csv", kwargs={"code": CODE}))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="results-{CODE}.csv"'
    reader = csv.DictReader(io.StringIO(body(response).decode("utf-8")))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    found = list(reader)
    assert len(found) == 2 * (7 + 1 + 3)  # two accepted protocols, 7 lines + valid + 3 options
    assert {r["station"] for r in found} == {"101", "102"}
    assert {r["status"] for r in found} == {"accepted"}
    votes = {(r["station"], r["option"]): r["value"] for r in found if r["line"] == "votes"}
    assert votes[("101", "a")] == "300" and votes[("102", "c")] == "50"


def test_results_csv_validators_change_with_an_acceptance(
    client: Client, world: dict[str, Any]
) -> None:
    url = reverse("portal:open_data_results_csv", kwargs={"code": CODE})
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    s3 = world["stations"][2]
    decisions.accept_protocol(enter(world, s3).protocol, "cli")
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert {r["station"] for r in csv.DictReader(io.StringIO(body(after).decode()))} == {
        "101",
        "102",
        "201",
    }


def test_nist_results_report_validates_against_the_official_schema(
    client: Client, world: dict[str, Any]
) -> None:
    url = reverse("portal:open_data_results_nist", kwargs={"code": CODE})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{CODE}-results-nist.json"'
    report = json.loads(response.content)
    assert schema_errors(ERR, report) == []
    assert report["Status"] == "unofficial-partial"  # station 201 is not accepted
    assert '"Count": 600' in json.dumps(report["Election"][0]["Contest"])  # a: 300 + 300
    assert response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_nist_results_without_a_definition_is_a_conflict(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    setup_world(monkeypatch, tmp_path)
    response = client.get(reverse("portal:open_data_results_nist", kwargs={"code": CODE}))
    assert response.status_code == 409


def _sheet(serial: str, fills: list[tuple[str, float]]) -> SheetRead:
    limits = Thresholds()
    contest = classify_contest("pres", fills, 1, limits, against_all="c")
    return SheetRead(
        source=f"{serial}.png",
        status=SheetStatus.READABLE,
        thresholds=limits,
        election_id=CODE,
        style_id="s1",
        station="101",
        serial=serial,
        contests=(contest,),
    )


def test_cast_vote_records_are_withheld_unless_the_deployment_publishes_them(
    client: Client, world: dict[str, Any]
) -> None:
    from shailoo.counting import services as counting

    reads = [_sheet("0001", [("a", 0.8), ("b", 0.0), ("c", 0.0)])]
    counting.record_scan(world["election"], world["stations"][0], reads, None, "cli")
    url = reverse("portal:open_data_cvr", kwargs={"code": CODE})
    refused = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 451
    assert "are not published" in refused.content.decode()
    with override_settings(PUBLISH_CAST_VOTE_RECORDS=True):
        page = client.get(reverse("portal:open_data"), HTTP_ACCEPT_LANGUAGE="en").content
        assert f'href="{url}"'.encode() in page and b"1 ballot sheet" in page
        response = client.get(url)
    assert response.status_code == 200
    report = json.loads(response.content)
    assert schema_errors(CVR, report) == []
    assert len(report["CVR"]) == 1


def test_candidates_csv_publishes_the_register_without_pins_or_birth_dates(
    client: Client, world: dict[str, Any]
) -> None:
    election = world["election"]
    candidate(election, "c1", status=Candidate.Status.REGISTERED)
    candidate(election, "c2", pin="11203198500002", surname="=cmd|' /C calc'!A0", sex="F")
    response = client.get(reverse("portal:open_data_candidates", kwargs={"code": CODE}))
    assert response.status_code == 200 and response.streaming
    text = body(response).decode("utf-8")
    found = list(csv.DictReader(io.StringIO(text)))
    assert tuple(found[0]) == CANDIDATE_COLUMNS
    assert [(r["ref"], r["status"]) for r in found] == [("c2", "nominated"), ("c1", "registered")]
    assert found[0]["surname"].startswith("'=")  # a formula is shown as text
    for secret in ("21705198000001", "11203198500002", "1975-06-01"):
        assert secret not in text
    etag = response["ETag"]
    url = reverse("portal:open_data_candidates", kwargs={"code": CODE})
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Candidate.objects.filter(ref="c2").update(
        status=Candidate.Status.REFUSED, updated_at=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "portal:open_data_results_csv",
        "portal:open_data_results_nist",
        "portal:open_data_cvr",
        "portal:open_data_candidates",
    ],
)
@pytest.mark.parametrize("code", ["no-such-election", "x" * 300, "%00", "parl-2027 OR 1=1"])
def test_an_unknown_election_is_404(client: Client, name: str, code: str) -> None:
    f.election(code=CODE)
    response = client.get(reverse(name, kwargs={"code": code}))
    assert response.status_code == 404


def test_the_archive_goes_by_year_latest_first(client: Client) -> None:
    f.election(code="pres-2021", polling_day=datetime.date(2021, 1, 10), name="Президент 2021")
    f.election(code="parl-2021", polling_day=datetime.date(2021, 11, 28), name="Жогорку Кеңеш")
    f.election(code="local-2024", polling_day=datetime.date(2024, 11, 17), name="Жергиликтүү")
    page = client.get(reverse("portal:open_data")).content.decode()
    assert page.index('id="year-2024"') < page.index('id="year-2021"')
    assert page.index('id="election-parl-2021"') < page.index('id="election-pres-2021"')
    assert page.count('<section class="archive-year"') == 2


def test_the_catalogue_as_json(client: Client, world: dict[str, Any]) -> None:
    response = client.get(reverse("portal:open_data_json"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert document["licence"]["spdx"] == "CC-BY-4.0"
    (election,) = document["elections"]
    assert (election["code"], election["year"], election["polling_day"]) == (
        CODE,
        2027,
        "2027-03-14",
    )
    by_key = {d["key"]: d for d in election["downloads"]}
    assert by_key["results_csv"]["url"] == f"http://testserver/open-data/{CODE}/results.csv"
    assert by_key["cvr_nist"]["url"] is None and not by_key["cvr_nist"]["available"]
    assert document["ledger"]["url"] == "http://testserver/ledger/entries.jsonl"
    again = client.get(reverse("portal:open_data_json"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@override_settings(OPEN_DATA_LICENCE="CC0-1.0")
def test_the_licence_is_the_deployment_s_choice(client: Client) -> None:
    f.election()
    page = client.get(reverse("portal:open_data")).content.decode()
    assert "creativecommons.org/publicdomain/zero/1.0/" in page and "CC0-1.0" in page
