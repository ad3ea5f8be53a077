"""Public pages: self-check (plain and htmx), throttling, stations directory.

The stations' public voter lists: ``test_public_lists.py``.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voter():
    f.election()
    home = f.station(101, name="Мектеп №5", address="Ош ш., Курманжан Датка көч., 5")
    return f.person(home)


def check(client: Client, pin: str, birth: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("portal:check"), {"pin": pin, "birth_date": birth}, headers=headers)


def test_check_page_renders_the_form(client: Client) -> None:
    page = client.get(reverse("portal:check")).content.decode()
    assert 'name="pin"' in page and 'name="birth_date"' in page and "hx-post" in page


def test_voter_sees_station_and_status(client: Client, voter) -> None:
    response = check(client, voter.pin, voter.birth_date.isoformat())
    page = response.content.decode()
    assert response.status_code == 200
    assert "№101" in page and "Курманжан Датка" in page
    assert 'class="ok status"' in page


def test_htmx_gets_only_the_answer_fragment(client: Client, voter) -> None:
    response = check(client, voter.pin, voter.birth_date.strftime("%d.%m.%Y"), htmx=True)
    body = response.content.decode()
    assert "<html" not in body and "№101" in body


def test_wrong_birth_date_and_unknown_pin_get_the_same_answer(client: Client, voter) -> None:
    wrong_date = check(client, voter.pin, "1990-05-18", htmx=True)
    unknown = check(client, "21705199099999", voter.birth_date.isoformat(), htmx=True)
    assert wrong_date.status_code == unknown.status_code == 200
    assert wrong_date.content == unknown.content
    assert "№101" not in wrong_date.content.decode()


@pytest.mark.parametrize(
    ("pin", "birth"),
    [
        ("123", "1990-05-17"),
        ("31705199000001", "1990-05-17"),
        ("abcdefghijklmn", "1990-05-17"),
        ("11705199000001", "1990-13-45"),
        ("11705199000001", ""),
        ("", "1990-05-17"),
    ],
)
def test_bad_input_is_400_with_the_field_named(client: Client, pin: str, birth: str) -> None:
    response = check(client, pin, birth, htmx=True)
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()


def test_self_check_page_is_throttled(client: Client, voter, monkeypatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "3/min"})
    codes = [check(client, voter.pin, "1990-05-17").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # The default interface language is Russian.
    assert "Подождите минуту" in check(client, voter.pin, "1990-05-17").content.decode()


def test_stations_directory_searches_and_filters(client: Client) -> None:
    chui, osh = f.region("KG-C"), f.region("KG-O")
    f.station(11, region=chui, district_=f.district(chui), name="Лицей Чүй")
    f.station(12, region=osh, district_=f.district(osh), name="Мектеп Ош")
    url = reverse("portal:stations")
    assert "Лицей Чүй" in client.get(url, {"q": "Чүй"}).content.decode()
    assert "Мектеп Ош" not in client.get(url, {"q": "Чүй"}).content.decode()
    assert "Мектеп Ош" in client.get(url, {"q": "12"}).content.decode()
    by_region = client.get(url, {"region": "KG-O"}).content.decode()
    assert "Мектеп Ош" in by_region and "Лицей Чүй" not in by_region
    assert client.get(url, {"page": "999"}).status_code == 200
    assert client.get(url, {"page": "x"}).status_code == 200


def test_stations_directory_queries_stay_flat(client, django_assert_max_num_queries) -> None:
    region = f.region()
    district = f.district(region)
    for number in range(200, 260):
        f.station(number, region=region, district_=district)
    with django_assert_max_num_queries(4):
        page = client.get(reverse("portal:stations")).content.decode()
    assert page.count("/list/") == 50


def test_home_links_to_check_and_stations(client: Client) -> None:
    page = client.get("/").content.decode()
    assert reverse("portal:check") in page and reverse("portal:stations") in page


@pytest.mark.parametrize("asset", ["shailoo/htmx.min.js", "shailoo/shailoo.css"])
def test_page_assets_are_served(client: Client, asset: str) -> None:
    """The self-check and search pages need htmx and the style sheet from /static/."""
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200, "settings.STATICFILES_DIRS must include BASE_DIR/static"


def test_a_voter_off_the_list_reads_the_reason_in_words(client: Client) -> None:
    f.election()
    home = f.station(102)
    person = f.person(home, eligible=False, ineligible_codes="BIOMETRICS")
    page = check(client, person.pin, person.birth_date.isoformat(), htmx=True).content.decode()
    assert 'class="bad status"' in page
    assert "Биометрическая регистрация" in page  # the default language is Russian
    assert "BIOMETRICS" not in page
    client.cookies["django_language"] = "ky"
    page = check(client, person.pin, person.birth_date.isoformat(), htmx=True).content.decode()
    assert "Биометрикалык каттоо" in page
