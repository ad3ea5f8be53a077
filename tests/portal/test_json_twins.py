"""The JSON twins of the public pages: the shared answer (``common.conditional``: the same data
gives the same bytes and the same strong ETag, 304 on either validator, refusals as JSON),
the station directory and turnout as JSON, the open-data catalogue listing every twin, and
each public page naming its twin in its head.

The twins of the candidates, the register of cases and campaign finance are tested beside
their domains (``tests/<app>/test_<app>_json.py``)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from hypothesis import given, settings
from hypothesis import strategies as st

import factories as f
import strategies
from public_schemas import schema_errors
from shailoo.accounts.roles import PAGES, Open
from shailoo.common import conditional
from shailoo.common.refusals import NotFound
from shailoo.geo.models import PollingStation
from shailoo.polling.models import TurnoutPublication

NEW_TWINS = [
    "portal:stations_json",
    "candidates:public_json",
    "incidents:register_json",
    "finance:funds_json",
    "finance:fund_json",
]


# -- the shared answer -------------------------------------------------------------------------

# Payloads as the twins build them: text (Cyrillic included), integers, booleans, null,
# nested objects and lists. No floats: the twins write figures as integers and decimal
# strings.
payloads = strategies.json_values(floats=False)


@settings(max_examples=60, deadline=None)
@given(payload=payloads)
def test_the_body_reads_back_as_the_payload_and_the_tag_follows_the_bytes(payload: Any) -> None:
    body = conditional.dumps(payload)
    assert json.loads(body.decode("utf-8")) == payload
    assert b"\n" not in body and b'": ' not in body  # compact
    tag = conditional.strong_etag(body)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert conditional.strong_etag(conditional.dumps(payload)) == tag


@settings(max_examples=60, deadline=None)
@given(items=st.dictionaries(strategies.json_text, strategies.safe_integers, min_size=2))
def test_the_order_keys_were_added_in_changes_nothing(items: dict[str, int]) -> None:
    backwards = dict(reversed(list(items.items())))
    assert conditional.dumps(items) == conditional.dumps(backwards)
    changed = {**items, next(iter(items)): items[next(iter(items))] + 1}
    assert conditional.strong_etag(conditional.dumps(changed)) != conditional.strong_etag(
        conditional.dumps(items)
    )


def test_text_is_written_as_utf_8_and_decimals_keep_their_kopecks() -> None:
    from decimal import Decimal

    body = conditional.dumps({"name": "Ысык-Көл", "amount": Decimal("651000.00")})
    assert body == '{"amount":"651000.00","name":"Ысык-Көл"}'.encode()


def test_nan_is_refused_rather_than_written() -> None:
    with pytest.raises(ValueError):
        conditional.dumps({"turnout": float("nan")})


def _answer(**headers: str) -> Any:
    request = RequestFactory().get("/x.json", **headers)
    changed = datetime.datetime(2027, 3, 14, 14, 0, 30, 500_000, tzinfo=datetime.UTC)
    return conditional.json_response(request, {"voted": 1200}, last_modified=changed), changed


def test_an_answer_carries_its_validators_and_is_public() -> None:
    response, _ = _answer()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["ETag"] == conditional.strong_etag(b'{"voted":1200}')
    assert response["Last-Modified"] == "Sun, 14 Mar 2027 14:00:30 GMT"
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert json.loads(response.content) == {"voted": 1200}


def test_304_on_the_tag_or_on_the_time_and_200_when_either_is_old() -> None:
    first, changed = _answer()
    tag = first["ETag"]
    by_tag, _ = _answer(HTTP_IF_NONE_MATCH=tag)
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag["ETag"] == tag and by_tag["Last-Modified"] == first["Last-Modified"]
    assert _answer(HTTP_IF_NONE_MATCH=f"W/{tag}")[0].status_code == 304  # weak comparison
    assert _answer(HTTP_IF_NONE_MATCH='"other", ' + tag)[0].status_code == 304
    assert _answer(HTTP_IF_NONE_MATCH='"other"')[0].status_code == 200
    assert _answer(HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])[0].status_code == 304
    earlier = http_date(changed.timestamp() - 1)
    assert _answer(HTTP_IF_MODIFIED_SINCE=earlier)[0].status_code == 200
    # The tag decides when both are sent (RFC 9110 §13.2.2).
    both = _answer(HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert both[0].status_code == 200


def test_without_a_time_of_change_there_is_no_last_modified() -> None:
    request = RequestFactory().get("/x.json", HTTP_IF_MODIFIED_SINCE=http_date(4_000_000_000))
    response = conditional.json_response(request, {"a": 1})
    assert "Last-Modified" not in response and response.status_code == 200


def test_a_refusal_is_json_with_its_status() -> None:
    response = conditional.json_refusal(NotFound("unknown_fund", "No fund has this account."))
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "code": "unknown_fund",
        "detail": "No fund has this account.",
        "problems": [],
    }


def test_newest_ignores_what_is_unknown() -> None:
    a = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    b = a + datetime.timedelta(seconds=1)
    assert conditional.newest(None, b, a, None) == b
    assert conditional.newest(None) is None and conditional.newest_of([]) is None


@pytest.mark.parametrize("asked", ["0", "4", "-1", "abc", "1.5", "9" * 40])
def test_a_page_that_is_not_there_is_not_found(asked: str) -> None:
    request = RequestFactory().get("/x.json", {"page": asked})
    with pytest.raises(NotFound) as refused:
        conditional.page_asked(request, Paginator(list(range(120)), 50))
    assert refused.value.code == "page_not_found"


def test_page_facts_link_the_neighbours_with_the_same_query() -> None:
    request = RequestFactory().get("/stations/index.json", {"q": "Мектеп", "page": "2"})
    page = conditional.page_asked(request, Paginator(list(range(120)), 50))
    facts = conditional.page_facts(request, page)
    assert (facts["count"], facts["page"], facts["pages"], facts["page_size"]) == (120, 2, 3, 50)
    assert facts["next"].startswith("/stations/index.json?") and "page=3" in facts["next"]
    assert "q=%D0%9C" in facts["next"] and "page=1" in facts["previous"]
    last = conditional.page_facts(request, Paginator(list(range(120)), 50).page(3))
    assert last["next"] is None


# -- every twin is public ----------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW_TWINS)
def test_every_twin_is_open_to_everyone(name: str) -> None:
    assert PAGES[name] is Open.PUBLIC


# -- stations ----------------------------------------------------------------------------------


@pytest.fixture
def stations() -> list[PollingStation]:
    north = f.region("KG-C", name_ky="Чүй облусу", name_ru="Чуйская область", name_en="Chüy")
    south = f.region("KG-O", name_ky="Ош облусу", name_ru="Ошская область", name_en="Osh")
    made = [f.station(1000 + n, region=north, name=f"Мектеп №{n}") for n in range(1, 53)]
    made.append(f.station(2001, region=south, name="Лицей", is_remote_voting=True))
    f.person(made[0], "Өмүрова", "Айгүл", "Талантовна")
    return made


def _rows_of_html(page: str) -> list[str]:
    """The station numbers in the HTML table, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [cell.split("<", 1)[0] for cell in body.split('<td class="num">')[1:]]


@pytest.mark.django_db
def test_the_station_twin_is_the_page_as_data(client: Client, stations: Any) -> None:
    url = reverse("portal:stations_json")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert schema_errors("public-stations", document) == []
    assert (document["count"], document["pages"], document["page_size"]) == (53, 2, 50)
    html = client.get(reverse("portal:stations"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert [str(s["number"]) for s in document["stations"]] == _rows_of_html(html)
    first = document["stations"][0]
    assert first["region"] == {
        "code": "KG-C",
        "name": "Chüy",
        "names": {"ky": "Чүй облусу", "ru": "Чуйская область", "en": "Chüy"},
    }
    assert "Chüy" in html  # the page names the region in English too
    assert first["voter_list"] == reverse("portal:station_list", args=[1001])
    assert document["next"] == f"{url}?page=2" and document["previous"] is None
    second = client.get(document["next"]).json()
    assert [s["number"] for s in second["stations"]] == [1051, 1052, 2001]
    assert second["stations"][-1]["remote_voting"] is True
    # The directory names no voter, whatever the voter-list rule.
    assert "Өмүрова" not in response.content.decode()
    # No time of change is kept for the geography: the tag alone validates.
    assert "Last-Modified" not in response


@pytest.mark.django_db
def test_the_station_twin_searches_as_the_page_does(client: Client, stations: Any) -> None:
    url = reverse("portal:stations_json")
    osh = client.get(url, {"region": "KG-O"}).json()
    assert [s["number"] for s in osh["stations"]] == [2001] and osh["query"]["region"] == "KG-O"
    by_number = client.get(url, {"q": "1007"}).json()
    assert [s["number"] for s in by_number["stations"]] == [1007]
    by_name = client.get(url, {"q": "Лицей"}).json()
    assert [s["number"] for s in by_name["stations"]] == [2001]
    page = client.get(reverse("portal:stations"), {"q": "1007"}).content.decode()
    assert f'href="{url}?q=1007"' in page  # the page's link keeps its search


@pytest.mark.django_db
def test_the_station_twin_answers_304_until_a_station_changes(
    client: Client, stations: Any
) -> None:
    url = reverse("portal:stations_json")
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    PollingStation.objects.filter(number=1001).update(address="Бишкек ш., Жаңы көч., 1")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert again.json()["stations"][0]["address"] == "Бишкек ш., Жаңы көч., 1"
    assert client.head(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"page": "3"}, 404, "page_not_found"),
        ({"page": "x"}, 404, "page_not_found"),
        ({"region": "KG-CHUY-REGION"}, 400, "invalid_search"),
        ({"q": "x" * 101}, 400, "invalid_search"),
    ],
)
def test_bad_input_to_the_station_twin_is_refused_in_json(
    client: Client, stations: Any, query: dict[str, str], status: int, code: str
) -> None:
    response = client.get(reverse("portal:stations_json"), query)
    assert response.status_code == status and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    if status == 400:
        assert body["problems"] and body["problems"][0]["field"] in {"q", "region"}


# -- turnout -----------------------------------------------------------------------------------


def _publish(election: Any, hour: int, voted: int) -> TurnoutPublication:
    moment = datetime.datetime(2027, 3, 14, hour, tzinfo=timezone.get_default_timezone())
    return TurnoutPublication.objects.create(
        election=election,
        as_of=moment,
        published_at=moment + datetime.timedelta(minutes=7),
        figures={
            "country": {"listed": 3000, "voted": voted, "turnout": round(100 * voted / 3000, 2)},
            "stations": {"101": {"listed": 3000, "voted": voted}},
        },
    )


@pytest.mark.django_db
def test_turnout_json_is_validated_until_the_next_publication(client: Client) -> None:
    election = f.election(code="parl-2027", name_ky="Шайлоо", name_ru="Выборы", name_en="Vote")
    ten = _publish(election, 10, 300)
    url = f"{reverse('polling:public_json')}?election=parl-2027"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Last-Modified"] == http_date(ten.published_at.timestamp())
    assert first.json()["names"] == {"ky": "Шайлоо", "ru": "Выборы", "en": "Vote"}
    assert [p["country"]["voted"] for p in first.json()["publications"]] == [300]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    noon = _publish(election, 12, 900)
    later = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200 and later["ETag"] != first["ETag"]
    assert later["Last-Modified"] == http_date(noon.published_at.timestamp())
    assert [p["country"]["voted"] for p in later.json()["publications"]] == [300, 900]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["no-such-election", "x" * 300])
def test_turnout_json_of_an_unknown_election_is_404_json(client: Client, code: str) -> None:
    f.election(code="parl-2027")
    response = client.get(reverse("polling:public_json"), {"election": code})
    assert response.status_code == 404 and response.json()["code"] == "election_not_found"


@pytest.mark.django_db
def test_turnout_json_before_any_publication_has_no_last_modified(client: Client) -> None:
    f.election(code="parl-2027")
    response = client.get(reverse("polling:public_json"))
    assert response.status_code == 200 and response.json()["publications"] == []
    assert "Last-Modified" not in response and response["ETag"]


# -- the refactored twins keep their validators ------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_ledger_and_catalogue_answer_304_and_are_compact(client: Client) -> None:
    f.election()
    for name in ("portal:calendar_json", "portal:ledger_json", "portal:open_data_json"):
        first = client.get(reverse(name))
        assert first.status_code == 200, name
        assert b"\n" not in first.content, name
        assert client.get(reverse(name), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# -- the catalogue lists every twin ------------------------------------------------------------


@pytest.mark.django_db
def test_open_data_lists_the_twins_of_each_election_and_of_the_site(client: Client) -> None:
    from shailoo.candidates.models import Candidate

    quiet = f.election(code="local-2024", polling_day=datetime.date(2024, 11, 17))
    busy = f.election(code="parl-2027")
    Candidate.objects.create(
        election=busy, ref="c1", pin="21705198000001", surname="Асанов", given_name="Бакыт",
        sex="M", birth_date=datetime.date(1975, 6, 1), office="president",
        nominated_on=datetime.date(2027, 1, 10),
    )  # fmt: skip
    _publish(busy, 10, 300)
    page = client.get(reverse("portal:open_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    busy_pages = page.split('id="parl-2027-pages"', 1)[1].split("</p>", 1)[0]
    assert 'href="/candidates/index.json?election=parl-2027"' in busy_pages
    assert 'href="/calendar.json?election=parl-2027"' in busy_pages
    quiet_pages = page.split('id="local-2024-pages"', 1)[1].split("</p>", 1)[0]
    assert "/candidates/index.json" not in quiet_pages
    assert "No candidate has been nominated." in quiet_pages
    site = page.split('id="site-pages"', 1)[1].split("</p>", 1)[0]
    for address in ("/stations/index.json", "/cases/index.json", "/ledger/index.json"):
        assert f'href="{address}"' in site
    # Turnout is linked, as CSV and as JSON, once published.
    assert "/turnout/turnout.csv?election=parl-2027" in page
    assert "/turnout/turnout.json?election=parl-2027" in page
    assert quiet.code in page

    catalogue = client.get(reverse("portal:open_data_json")).json()
    by_code = {e["code"]: e for e in catalogue["elections"]}
    twins = {p["key"]: p for p in by_code["parl-2027"]["pages"]}
    assert twins["candidates_json"]["url"] == (
        "http://testserver/candidates/index.json?election=parl-2027"
    )
    assert twins["finance_json"]["url"] is None and not twins["finance_json"]["available"]
    downloads = {d["key"]: d for d in by_code["parl-2027"]["downloads"]}
    assert downloads["turnout_json"]["url"].endswith("/turnout/turnout.json?election=parl-2027")
    site_keys = {p["key"] for p in catalogue["pages"]}
    assert {"stations_json", "cases_json", "ledger_json", "results_index_json"} <= site_keys
    # Every twin the catalogue links to answers JSON.
    links = [p["url"] for e in catalogue["elections"] for p in e["pages"] if p["url"]]
    links += [p["url"] for p in catalogue["pages"]]
    for link in links:
        response = client.get(link.removeprefix("http://testserver"))
        assert response.status_code == 200, link
        assert response["Content-Type"] == "application/json", link
        assert response["ETag"], link


# -- each page names its twin ------------------------------------------------------------------


@pytest.mark.django_db
def test_each_public_page_names_its_twin_in_its_head(client: Client, stations: Any) -> None:
    _publish(f.election(code="parl-2027"), 10, 3)
    for page, twin in [
        (reverse("portal:stations"), reverse("portal:stations_json")),
        (reverse("candidates:public"), reverse("candidates:public_json")),
        (reverse("incidents:register"), reverse("incidents:register_json")),
        (reverse("finance:funds"), f"{reverse('finance:funds_json')}?election=parl-2027"),
        (reverse("polling:public"), f"{reverse('polling:public_json')}?election=parl-2027"),
    ]:
        html = client.get(page).content.decode()
        head = html.split("</head>", 1)[0]
        assert f'<link rel="alternate" type="application/json" href="{twin}">' in head, page
        assert client.get(twin).status_code == 200, twin
