"""The public results drill-down: country → region → TEC → station, names, winners, JSON.

A reader starts at the country, follows the links to a region, a TEC and a station, and sees
names where codes were (regions in the reader's language, TECs by name), the winner marked,
and a breadcrumb on every level. Every page has a JSON sibling that follows the shipped
schema and answers ``304`` while nothing changed; accepting a protocol changes both at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from public_world import accept, enter, named_world, schema_errors, visible

from shailoo.counting.results import aggregation
from shailoo.counting.results.public_names import reader_language

pytestmark = pytest.mark.django_db
LATER = {"a": 311, "b": 189, "c": 50}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path)


def links(html: str) -> list[str]:
    return re.findall(r'href="(/results/[^"]+)"', html)


def get(client: Client, url: str, lang: str = "ru") -> str:
    response = client.get(url, headers={"accept-language": lang})
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_reader_drills_down_from_the_country_to_a_station_by_names(
    world: dict[str, Any],
) -> None:
    s101, _, s201 = world["stations"]
    accept(world, s101)
    accept(world, s201, votes=LATER)
    code = world["election"].code
    client = Client()
    country = get(client, reverse("results:election", args=[code]))
    text = visible(country)
    assert "Чуйская область" in text and "Нарынская область" in text
    assert not re.search(r"\bKG-[CN]\b", text), "a region code where its name belongs"

    region_url = reverse("results:region", args=[code, "KG-C"])
    assert region_url in links(country), "the region table and the map link the region"
    region = get(client, region_url)
    text = visible(region)
    assert "Аламүдүн районунун ТШК" in text and not re.search(r"\bT1\b", text)
    assert "Нарын районунун ТШК" not in text, "only the region's own TECs"

    tec_url = reverse("results:tec", args=[code, "T1"])
    assert tec_url in links(region)
    tec = get(client, tec_url)
    station_url = reverse("results:station", args=[code, 101])
    assert station_url in links(tec)
    assert reverse("results:station", args=[code, 201]) not in links(tec)

    station = get(client, station_url)
    crumbs = visible(station.split('<nav class="crumbs"')[1].split("</nav>")[0])
    for name in (world["election"].name, "Чуйская область", "Аламүдүн районунун ТШК", "№101"):
        assert name in crumbs, f"{name} missing from the breadcrumb"
    for page, level_crumbs in ((region, 2), (tec, 3)):
        nav = page.split('<nav class="crumbs"')[1].split("</nav>")[0]
        assert nav.count("<li>") == level_crumbs + 1  # "Results", then country → here
        assert 'aria-current="page"' in nav


def test_names_follow_the_readers_language(world: dict[str, Any]) -> None:
    accept(world, world["stations"][0])
    url = reverse("results:election", args=[world["election"].code])
    client = Client()
    client.cookies["django_language"] = "ky"
    kyrgyz = visible(client.get(url).content.decode())
    assert "Чүй облусу" in kyrgyz and "Asanov ky" in kyrgyz and "President ky" in kyrgyz
    assert "Чуйская область" not in kyrgyz
    client.cookies["django_language"] = "en"
    english = visible(client.get(url).content.decode())
    assert "Chüy Region" in english
    with translation.override("en"):
        assert reader_language() == "en"


def test_the_winner_is_marked_and_provisional_until_every_protocol_is_accepted(
    world: dict[str, Any],
) -> None:
    s101, s102, s201 = world["stations"]
    accept(world, s101)
    accept(world, s102)
    code = world["election"].code
    data = Client().get(reverse("results:election_json", args=[code])).json()
    (contest,) = data["contests"]
    assert contest["outcome"]["status"] == "elected" and contest["outcome"]["final"] is False
    assert contest["outcome"]["winners"] == ["a"]
    assert [o["option"] for o in contest["options"] if o["winner"]] == ["a"]
    assert contest["outcome"]["required"] == 561  # more than half of 1,120 who took part
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    table = page.split('<table class="results">')[1].split("</table>")[0]
    winner_row = re.search(r'<tr class="winner">(.*?)</tr>', table, re.S)
    assert winner_row and "Asanov ru" in winner_row.group(1)
    with translation.override("ru"):
        from django.utils.translation import gettext

        leading, elected = gettext("leading"), gettext("elected")
    assert leading in winner_row.group(1) and elected not in winner_row.group(1)
    assert 'class="outcome provisional"' in page

    accept(world, s201)
    data = Client().get(reverse("results:election_json", args=[code])).json()
    assert data["contests"][0]["outcome"]["final"] is True
    assert data["contests"][0]["complete"] is True
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    winner_row = re.search(r'<tr class="winner">(.*?)</tr>', page, re.S)
    assert winner_row and elected in winner_row.group(1)
    assert 'class="outcome provisional"' not in page
    assert "✓" in page.split("<svg", 1)[1].split("</svg>")[0], "the chart marks the winner"


def test_one_compact_table_by_region_and_a_turnout_map(world: dict[str, Any]) -> None:
    """However many options, the region table has five columns: name, protocols, turnout,
    the leader and its share; the map links each region."""
    s101, _, s201 = world["stations"]
    accept(world, s101)
    accept(world, s201, votes=LATER)
    code = world["election"].code
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    (table,) = re.findall(r'<table class="units">.*?</table>', page, re.S)
    header = re.search(r"<thead>(.*?)</thead>", table, re.S)
    assert header and header.group(1).count("<th") == 5
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) == 2
    chuy = visible(rows[0])
    assert "Чуйская область" in chuy and re.search(r"\b1\b.*\b2\b", chuy)  # 1 of 2
    assert "Asanov ru" in chuy and "54,55" in chuy and "56,50" in chuy
    naryn = visible(rows[1])
    assert "Asanov ru" in naryn and "56,55" in naryn  # 311 of 550
    figure = page.split("<h2>", 2)[2]
    assert 'class="chart"' in figure and reverse("results:region", args=[code, "KG-N"]) in figure


def test_every_level_answers_json_that_follows_the_schema(world: dict[str, Any]) -> None:
    s101, s102, s201 = world["stations"]
    accept(world, s101)
    version = enter(world, s102)
    from shailoo.counting.results import decisions

    decisions.dispute_protocol(version.protocol, "cli", "the seal was broken")
    code = world["election"].code
    urls = [
        reverse("results:index_json"),
        reverse("results:election_json", args=[code]),
        reverse("results:contest_json", args=[code, "pres"]),
        reverse("results:region_json", args=[code, "KG-C"]),
        reverse("results:tec_json", args=[code, "T1"]),
        reverse("results:station_json", args=[code, 101]),
        reverse("results:station_json", args=[code, 102]),
        reverse("results:station_json", args=[code, s201.number]),
    ]
    levels = []
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        doc = response.json()
        assert schema_errors(doc) == [], url
        levels.append(doc["level"])
    assert levels == [
        "index",
        "country",
        "contest",
        "region",
        "tec",
        "station",
        "station",
        "station",
    ]
    country = Client().get(urls[1]).json()
    (contest,) = country["contests"]
    assert sum(Decimal(o["share_percent"]) for o in contest["options"]) == Decimal("100.00")
    assert contest["status"] == {
        "accepted": 1,
        "reported": 0,
        "disputed": 1,
        "missing": 1,
        "expected": 3,
    }
    bad = {**country, "status": {**country["status"], "accepted": -1}}
    assert schema_errors(bad), "the schema refuses a negative count"
    index = Client().get(urls[0]).json()
    assert [e["code"] for e in index["elections"]] == [code]


def test_json_answers_carry_validators_and_304_until_an_acceptance(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    s101, _, s201 = world["stations"]
    accept(world, s101)
    code = world["election"].code
    url = reverse("results:election_json", args=[code])
    page_url = reverse("results:election", args=[code])
    client = Client()
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

    calls: list[int] = []
    real = aggregation.results
    monkeypatch.setattr(aggregation, "results", lambda *a, **k: calls.append(1) or real(*a, **k))
    before = client.get(page_url).content.decode()
    again = client.get(page_url).content.decode()
    assert len(calls) == 1, "the second reader got the cached page figures"
    assert visible(before) == visible(again) and ">611<" not in before

    accept(world, s201, votes=LATER)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    country = changed.json()["contests"][0]
    assert {o["option"]: o["votes"] for o in country["options"]}["a"] == 611
    after = client.get(page_url).content.decode()
    assert ">611<" in after, "the accepted protocol's votes are on the page at once"


def test_a_disputed_protocol_leaves_the_published_figures(world: dict[str, Any]) -> None:
    from shailoo.counting.results import decisions

    s101, _, s201 = world["stations"]
    accept(world, s101)
    accepted = accept(world, s201, votes=LATER)
    code = world["election"].code
    url = reverse("results:election_json", args=[code])
    assert Client().get(url).json()["contests"][0]["protocols"] == 2
    decisions.dispute_protocol(accepted.protocol, "cli", "a recount was ordered")
    contest = Client().get(url).json()["contests"][0]
    assert contest["protocols"] == 1
    assert {o["option"]: o["votes"] for o in contest["options"]}["a"] == 300
    region = Client().get(reverse("results:region_json", args=[code, "KG-N"])).json()
    assert region["units"]["rows"][0]["leader"] is None
    assert region["status"]["disputed"] == 1


@pytest.mark.parametrize(
    "name,args",
    [
        ("results:election", ["nope"]),
        ("results:contest", ["{code}", "nope"]),
        ("results:region", ["{code}", "KG-Q"]),
        ("results:tec", ["{code}", "T99"]),
        ("results:station", ["{code}", 999]),
        ("results:station", ["nope", 101]),
        ("results:protocol_pdf", ["{code}", 101, "pres"]),
        ("results:region", ["{code}", "K" * 300]),
        ("results:contest", ["{code}", "п" * 100]),
        ("results:station", ["{code}", 10**20]),
        ("results:protocol_pdf", ["{code}", 10**20, "pres"]),
    ],
)
def test_unknown_things_are_a_404_page_in_the_readers_language(
    world: dict[str, Any], name: str, args: list[Any]
) -> None:
    code = world["election"].code
    url = reverse(name, args=[a.format(code=code) if isinstance(a, str) else a for a in args])
    client = Client()
    client.cookies["django_language"] = "ky"
    response = client.get(url)
    assert response.status_code == 404
    with translation.override("ky"):
        from django.utils.translation import gettext

        title = gettext("Page not found")
    assert title != "Page not found" and title in response.content.decode()


@pytest.mark.parametrize(
    "name,args",
    [
        ("results:election_json", ["nope"]),
        ("results:contest_json", ["{code}", "nope"]),
        ("results:region_json", ["{code}", "KG-Q"]),
        ("results:tec_json", ["{code}", "T99"]),
        ("results:station_json", ["{code}", 999]),
        ("results:station_json", ["{code}", 10**20]),
        ("results:election_json", ["x" * 500]),
    ],
)
def test_unknown_things_in_json_are_a_json_refusal(
    world: dict[str, Any], name: str, args: list[Any]
) -> None:
    code = world["election"].code
    url = reverse(name, args=[a.format(code=code) if isinstance(a, str) else a for a in args])
    response = Client().get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "not_found" and body["detail"] and body["problems"] == []


def test_the_station_lookup_still_opens_a_station(world: dict[str, Any]) -> None:
    accept(world, world["stations"][1])
    code = world["election"].code
    url = reverse("results:election", args=[code])
    response = Client().get(url, {"station": "№102"})
    assert response.status_code == 302
    assert response["Location"] == reverse("results:station", args=[code, 102])
    page = Client().get(url, {"station": "abc"}).content.decode()
    assert 'aria-invalid="true"' in page and 'role="alert"' in page


def test_the_pages_read_a_fixed_number_of_queries_however_many_stations(
    world: dict[str, Any],
) -> None:
    """A results night at 2,500 stations: no query per station, region or TEC."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import factories as f
    from shailoo.counting.models import BallotStyle

    def queries(url: str) -> int:
        django_cache.clear()
        with CaptureQueriesContext(connection) as seen:
            assert Client().get(url).status_code == 200
        return len(seen.captured_queries)

    code = world["election"].code
    urls = [
        reverse("results:election", args=[code]),
        reverse("results:election_json", args=[code]),
        reverse("results:region", args=[code, "KG-C"]),
        reverse("results:tec", args=[code, "T1"]),
        reverse("results:contest", args=[code, "pres"]),
    ]
    for station in world["stations"]:
        accept(world, station)
    few = [queries(url) for url in urls]
    region, tec = world["regions"][0], world["tecs"][0]
    style = BallotStyle.objects.get(election=world["election"])
    for number in range(301, 307):
        station = f.station(number, district_=f.district(region), tec_=tec)
        style.stations.add(station)
        accept(world, station)
    assert [queries(url) for url in urls] == few


def test_an_election_before_its_first_protocol(world: dict[str, Any]) -> None:
    """Every page answers before the night begins: nothing accepted, everything missing."""
    code = world["election"].code
    for name, args in (
        ("election", [code]),
        ("contest", [code, "pres"]),
        ("region", [code, "KG-N"]),
        ("tec", [code, "T2"]),
        ("station", [code, 201]),
    ):
        assert Client().get(reverse(f"results:{name}", args=args)).status_code == 200
        doc = Client().get(reverse(f"results:{name}_json", args=args)).json()
        assert schema_errors(doc) == [], name
    country = Client().get(reverse("results:election_json", args=[code])).json()
    assert country["status"]["missing"] == 3 and country["status"]["accepted"] == 0
    assert country["contests"][0]["outcome"] is None
    assert all(row["leader"] is None for row in country["units"]["rows"])
