"""The public turnout page as a reader sees it: the curve through the day, the bars of the
level below and the map of the regions, each with its table carrying the published numbers,
and the drill-down country → region → TEC → polling station by names, not codes.

Publications are written with the product's own arithmetic (``tally.figures``) from ballots
whose numbers are chosen here, so every share on the page is known in advance."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

import factories as f
from shailoo.common.safe_xml import parse_xml
from shailoo.polling.models import TurnoutPublication
from shailoo.polling.tally import Place, Row, figures

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)
DAY = datetime.date(2027, 3, 14)
LISTED = {101: 200, 102: 100, 201: 400}
#: Ballots by (station, hour): by 10:00 and by 12:00.
BY_TEN = [Row(101, 8, 20), Row(201, 9, 40)]
BY_NOON = [*BY_TEN, Row(102, 10, 30), Row(201, 11, 60)]


def tables(page: str) -> dict[str, dict[str, Any]]:
    """Each chart's table by caption: its headers, rows (cells) and row links."""
    found: dict[str, dict[str, Any]] = {}
    for figure in re.findall(r'<figure class="chart">(.*?)</figure>', page, re.S):
        caption = re.search(r"<caption>(.*?)</caption>", figure, re.S)
        if caption is None:
            continue
        headers = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', figure)]
        rows, links = [], []
        for head, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', figure, re.S):
            link = re.match(r'<a href="([^"]*)">(.*)</a>$', head)
            links.append(html.unescape(link.group(1)) if link else None)
            first = link.group(2) if link else head
            rest = re.findall(r'<td class="num">(.*?)</td>', cells)
            rows.append([html.unescape(first), *(html.unescape(c) for c in rest)])
        svg = re.search(r"<svg .*?</svg>", figure, re.S)
        found[html.unescape(caption.group(1))] = {
            "headers": headers,
            "rows": rows,
            "links": links,
            "svg": svg.group(0) if svg else "",
        }
    return found


@pytest.fixture
def published() -> dict[str, Any]:
    election = f.election(polling_day=DAY)
    chuy = f.region("KG-C", name_ky="Чүй облусу", name_ru="Чуйская область", name_en="Chuy")
    city = f.region("KG-GB", name_ky="Бишкек шаары", name_ru="город Бишкек", name_en="Bishkek")
    naryn = f.region("KG-N", name_ky="Нарын облусу", name_ru="Нарынская область", name_en="Naryn")
    alamudun = f.tec(chuy, "TEC-C-01", name="Аламүдүн ТШК")
    lenin = f.tec(city, "TEC-GB-01", name="Ленин ТШК")
    in_chuy, in_city = f.district(chuy), f.district(city)
    stations = {
        101: f.station(101, district_=in_chuy, tec_=alamudun, name="Мектеп Лебединовка"),
        102: f.station(102, district_=in_chuy, tec_=alamudun, name="Клуб Аламүдүн"),
        201: f.station(201, district_=in_city, tec_=lenin, name="Гимназия №5"),
    }
    places = {n: Place(s.tec.code, s.region.code) for n, s in stations.items()}
    for hour, rows in ((10, BY_TEN), (12, BY_NOON)):
        as_of = datetime.datetime.combine(DAY, datetime.time(hour), ZONE)
        TurnoutPublication.objects.create(
            election=election,
            as_of=as_of,
            published_at=as_of,
            figures=figures(rows, LISTED, places),
        )
    return {"election": election, "naryn": naryn}


def get(client: Client, **query: str) -> str:
    response = client.get(reverse("polling:public"), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_country_page_charts_the_curve_the_regions_and_the_map(published) -> None:
    page = get(Client())
    charts = tables(page)
    curve = charts["Turnout through the day"]
    # 60 of 700 by ten, 150 of 700 by noon; a column per place of the path (the country).
    assert curve["headers"] == ["Reporting time", "Kyrgyz Republic"]
    assert curve["rows"] == [["10:00", "8.57\u00a0%"], ["12:00", "21.43\u00a0%"]]
    bars = charts["Turnout by region"]
    # Highest first: Bishkek 100 of 400, Chuy 50 of 300; Naryn published no figure.
    assert bars["rows"] == [
        ["Bishkek", "25.00\u00a0%"],
        ["Chuy", "16.67\u00a0%"],
        ["Naryn", "—"],
    ]
    assert bars["links"][0] == "?region=KG-GB"
    tiles = charts["Map of turnout by region"]
    assert sorted(tiles["rows"]) == sorted(bars["rows"])
    assert tiles["links"] == ["?region=KG-C", "?region=KG-GB", "?region=KG-N"]
    for caption, chart in charts.items():
        root = parse_xml(chart["svg"].encode(), "page")
        assert root.get("role") in ("img", "group") and root[0].text == caption
    # The map's tiles are links to the regions' turnout, and say the value in text.
    assert 'href="?region=KG-C"' in tiles["svg"] and "16.67\u00a0%" in tiles["svg"]
    # The figures table is still there for programs that read it.
    assert re.search(r'<tr id="country" data-listed="700" data-voted="150" data-code=""', page)


def test_a_region_drills_down_to_its_commissions_and_keeps_the_time(published) -> None:
    page = get(Client(), region="KG-C", at="10:00")
    assert "<h1>Turnout: Chuy</h1>" in page
    assert re.search(r'id="crumbs".*?<a href="\?at=10%3A00">Kyrgyz Republic</a>', page, re.S)
    charts = tables(page)
    curve = charts["Turnout through the day"]
    assert curve["headers"] == ["Reporting time", "Kyrgyz Republic", "Chuy"]
    assert curve["rows"] == [
        ["10:00", "8.57\u00a0%", "6.67\u00a0%"],
        ["12:00", "21.43\u00a0%", "16.67\u00a0%"],
    ]
    bars = charts["Turnout by territorial election commission"]
    assert bars["rows"] == [["Аламүдүн ТШК", "6.67\u00a0%"]]
    assert bars["links"] == ["?at=10%3A00&tec=TEC-C-01"]
    assert re.search(r'<tr id="current" data-listed="300" data-voted="20" data-code="KG-C"', page)
    # the reporting-time form keeps the region
    assert '<input type="hidden" name="region" value="KG-C">' in page


def test_a_commission_lists_its_stations_and_a_station_shows_its_curve(published) -> None:
    client = Client()
    charts = tables(get(client, tec="TEC-C-01"))
    bars = charts["Turnout by polling station"]
    # 102: 30 of 100; 101: 20 of 200 (noon, the latest publication)
    assert bars["rows"] == [
        ["№102 Клуб Аламүдүн", "30.00\u00a0%"],
        ["№101 Мектеп Лебединовка", "10.00\u00a0%"],
    ]
    assert bars["links"] == ["?station=102", "?station=101"]
    assert "Map of turnout by region" not in charts

    page = get(client, station="101")
    charts = tables(page)
    curve = charts["Turnout through the day"]
    assert curve["headers"][2:] == ["Chuy", "Аламүдүн ТШК", "№101 Мектеп Лебединовка"]
    assert [row[-1] for row in curve["rows"]] == ["10\u00a0%", "10\u00a0%"]
    assert set(charts) == {"Turnout through the day"}
    assert re.search(r'id="crumbs".*Chuy.*Аламүдүн ТШК.*aria-current="page">№101', page, re.S)


def test_unknown_places_are_refused_and_the_open_data_still_works(published) -> None:
    client = Client()
    for query in ({"region": "KG-X"}, {"tec": "nope"}, {"station": "999"}, {"station": "1e3"}):
        response = client.get(reverse("polling:public"), query)
        assert response.status_code == 404
    csv_response = client.get(reverse("polling:public_csv"), {"at": "12:00"})
    body = b"".join(csv_response.streaming_content).decode()
    assert body.splitlines()[1:] == [
        "2027-03-14T12:00:00+06:00,KG-C,TEC-C-01,101,200,20,10.00",
        "2027-03-14T12:00:00+06:00,KG-C,TEC-C-01,102,100,30,30.00",
        "2027-03-14T12:00:00+06:00,KG-GB,TEC-GB-01,201,400,100,25.00",
    ]
    assert client.get(reverse("polling:public_json")).status_code == 200


def test_in_kyrgyz_and_russian_the_numbers_use_a_decimal_comma(published) -> None:
    for language in ("ky", "ru"):
        response = Client().get(reverse("polling:public"), HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        with translation.override(language):
            caption, country = gettext("Turnout through the day"), gettext("Kyrgyz Republic")
            bars = gettext("Turnout by region")
        charts = tables(page)
        assert charts[caption]["rows"][-1] == ["12:00", "21,43\u00a0%"]
        assert charts[caption]["headers"][1] == country
        name = "Чүй облусу" if language == "ky" else "Чуйская область"
        assert [name, "16,67\u00a0%"] in charts[bars]["rows"]


def test_nothing_published_shows_no_chart(published) -> None:
    TurnoutPublication.objects.all().delete()
    page = get(Client())
    assert 'id="nothing-published"' in page and '<figure class="chart">' not in page
