"""Numbers, dates and names in the reader's language; machine outputs never localized.

A Kyrgyz or Russian reader sees 121 089 voters and a share of 52,3 %, an English reader
121,089 and 52.3; dates read 14.03.2027 in Kyrgyz and Russian. A station number is a name
(№1234, never "№1 234"), and every output a program reads (the results API, CSV
downloads, numbers inside URLs and attributes) keeps its digits raw whatever the page's
language. Election names follow the reader's language with a fallback (Kyrgyz, Russian,
English); the admin speaks the reader's language with real plurals and offers the packaged
law editions as a choice.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting.results import decisions
from shailoo.elections.models import Election
from shailoo.law.loader import available_editions
from shailoo.register.models import Person

# The protocol helpers live beside the counting tests (plain modules, imported by name).
sys.path.insert(0, str(Path(__file__).resolve().parent / "counting"))
from counting_results_helpers import enter, setup_world

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
TAG = re.compile(r"<[^>]*>")
SKIPPED = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)


def visible(body: str) -> str:
    """The text a reader sees: no tags, scripts or styles; entities decoded."""
    return html.unescape(TAG.sub(" ", SKIPPED.sub(" ", body)))


def page(url: str, lang: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url, headers={"accept-language": lang})
    assert response.status_code == 200, (url, lang, response.status_code)
    assert response["Content-Language"] == lang
    return response.content.decode()


# -- numbers ---------------------------------------------------------------------------------


@pytest.fixture
def many_voters() -> int:
    """121,089 eligible voters on one station's list (rows only: no PIN needed)."""
    station = f.station(101)
    template = {
        "surname": "Өмүрова",
        "given_name": "Айгүл",
        "name_key": "omurova aigul",
        "name_latin": "Omurova Aigul",
        "sex": "F",
        "birth_date": datetime.date(1990, 5, 17),
        "citizenship": "KG",
        "biometric_registered": True,
        "address": "Бишкек ш., Чүй пр., 1",
        "station": station,
        "eligible": True,
        "row_hash": "0" * 32,
    }
    total = 121_089
    Person.objects.bulk_create(
        (Person(dwelling_id=f"DW{n}", **template) for n in range(total)), batch_size=5000
    )
    return total


def test_the_home_page_groups_digits_as_the_language_does(many_voters: int) -> None:
    shown = {"ky": f"121{NBSP}089", "ru": f"121{NBSP}089", "en": "121,089"}
    for lang, grouped in shown.items():
        text = visible(page(reverse("portal:home"), lang))
        assert grouped in text, lang
        assert "121089" not in text, f"{lang}: an ungrouped count"
        other = "121,089" if lang != "en" else f"121{NBSP}089"
        assert other not in text, f"{lang}: another language's grouping"


@pytest.fixture
def results_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """One accepted protocol: 523 of 1,000 valid votes (52.3 %), no invalid ballot."""
    world = setup_world(monkeypatch, tmp_path)
    lines = {
        "voters_on_list": 2000,
        "ballots_received": 2000,
        "ballots_issued": 1000,
        "ballots_spoiled": 0,
        "ballots_unused": 1000,
        "ballots_found": 1000,
        "ballots_invalid": 0,
    }
    entered = enter(world, world["stations"][0], votes={"a": 523, "b": 477, "c": 0}, lines=lines)
    decisions.accept_protocol(entered.protocol, "cli")
    return world


@pytest.mark.parametrize(
    ("lang", "share", "other"),
    [("ky", "52,3", "52.3"), ("ru", "52,3", "52.3"), ("en", "52.3", "52,3")],
)
def test_a_share_has_one_decimal_in_the_languages_own_notation(
    results_world: dict[str, Any], lang: str, share: str, other: str
) -> None:
    text = visible(page(reverse("results:election", args=[results_world["election"].code]), lang))
    assert share in text
    assert other not in text


def test_the_formats_of_each_language() -> None:
    day = datetime.date(2027, 3, 14)
    expected = {
        "ky": ("14.03.2027", f"1{NBSP}234{NBSP}567,5"),
        "ru": ("14.03.2027", f"1{NBSP}234{NBSP}567,5"),
        "en": ("14 March 2027", "1,234,567.5"),
    }
    for lang, (date_text, number_text) in expected.items():
        with translation.override(lang):
            assert formats.date_format(day) == date_text
            assert formats.localize(1234567.5) == number_text
            assert formats.date_format(day, "SHORT_DATE_FORMAT") in ("14.03.2027", "2027-03-14")


def test_machine_outputs_keep_raw_numbers_in_every_language(
    results_world: dict[str, Any],
) -> None:
    code = results_world["election"].code
    for lang in ("ky", "ru"):
        api = Client().get(
            reverse("api-results-election", args=[code]), headers={"accept-language": lang}
        )
        body = api.json()
        country = body["contests"][0]["country"]
        assert {o["option"]: o["votes"] for o in country["options"]}["a"] == 523
        assert NBSP not in api.content.decode() and "52,3" not in api.content.decode()
        download = Client().get(
            reverse("portal:open_data_results_csv", kwargs={"code": code}),
            headers={"accept-language": lang},
        )
        assert download.status_code == 200
        text = b"".join(download.streaming_content).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        cells = {cell for row in rows[1:] for cell in row}
        assert "2000" in cells and "523" in cells, "a count keeps its digits in a CSV"
        assert NBSP not in text and "2 000" not in text


# -- station numbers and numbers in URLs ------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_a_station_number_is_a_name_never_grouped(lang: str) -> None:
    f.station(1234)
    body = page(reverse("portal:stations") + "?q=1234", lang)
    text = visible(body)
    assert "1234" in text
    assert f"1{NBSP}234" not in text and "1,234" not in text
    assert f"1{NBSP}234" not in body and "/1,234/" not in body, "a grouped number in a URL"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_urls_and_attributes_built_from_numbers_stay_raw(
    results_world: dict[str, Any], lang: str
) -> None:
    """The public station page of station 101 and its links: no grouped digit anywhere in an
    attribute (a href, an id, an SVG coordinate), whatever the language."""
    code = results_world["election"].code
    body = page(reverse("results:election", args=[code]), lang)
    attributes = re.findall(r'\s[\w:-]+="([^"]*)"', body)
    grouped = [a for a in attributes if re.search(rf"\d{NBSP}\d{{3}}|\d,\d", a)]
    assert grouped == [], grouped[:5]


# -- names -----------------------------------------------------------------------------------


def test_the_election_name_follows_the_reader_with_a_fallback(
    results_world: dict[str, Any],
) -> None:
    election: Election = results_world["election"]
    election.name_ky, election.name_ru, election.name_en = (
        "Президентти шайлоо 2027",
        "Выборы Президента 2027",
        "",
    )
    election.save()
    url = reverse("results:election", args=[election.code])
    assert "Президентти шайлоо 2027" in visible(page(url, "ky"))
    assert "Выборы Президента 2027" in visible(page(url, "ru"))
    # No English name: the English page falls back to Kyrgyz, then Russian.
    assert "Президентти шайлоо 2027" in visible(page(url, "en"))
    for lang in ("ky", "en"):  # programs read one stable name, whatever the language asked
        api = (
            Client()
            .get(
                reverse("api-results-election", args=[election.code]),
                headers={"accept-language": lang},
            )
            .json()
        )
        assert api["name"] == "Выборы Президента 2027"
        assert api["names"] == {
            "ky": "Президентти шайлоо 2027",
            "ru": "Выборы Президента 2027",
            "en": "",
        }


def test_an_election_named_before_translation_keeps_its_name_as_the_russian_one() -> None:
    """The migration copied every existing name into the Russian column; a new election
    created with one name stores it as the name in the language it was created in."""
    with translation.override("ru"):
        election = f.election(name="Выборы в местные кенеши 2028")
    election.refresh_from_db()
    assert election.name_ru == "Выборы в местные кенеши 2028"
    for lang in ("ky", "ru", "en"):
        with translation.override(lang):
            assert election.name == "Выборы в местные кенеши 2028"
    assert election.stable_name == "Выборы в местные кенеши 2028"


# -- the admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    user = make_user("chief", Role.CEC_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    login_verified(client, user)
    return client


@pytest.mark.parametrize(
    ("lang", "plurals"),
    [
        ("ru", ("Регионы", "Протоколы", "Избирательные участки")),
        ("ky", ("Аймактар", "Протоколдор", "Шайлоо участоктору")),
    ],
)
def test_the_admin_names_sections_and_plurals_in_the_readers_language(
    admin_client: Client, lang: str, plurals: tuple[str, ...]
) -> None:
    text = visible(page(reverse("admin:index"), lang, admin_client))
    for word in plurals:
        assert word in text
    assert "Electoral geography" not in text and "Protocols and results" not in text
    broken = re.findall(r"[А-Яа-яЁёӨөҮүҢң]+s\b", text)
    assert broken == [], f"an English plural glued to a translated name: {broken}"


def test_the_admin_offers_the_packaged_law_editions_as_a_choice(admin_client: Client) -> None:
    body = page(reverse("admin:elections_election_add"), "ru", admin_client)
    select = re.search(r'<select name="law_edition"[^>]*>(.*?)</select>', body, re.S)
    assert select is not None, "the law edition is a choice, not free text"
    offered = re.findall(r'<option value="([^"]+)"', select.group(1))
    assert offered == available_editions()
    for lang in ("ky", "ru", "en"):
        assert f'name="name_{lang}"' in body, "a name field per language"


def test_the_admin_refuses_an_unknown_law_edition_and_a_nameless_election(
    admin_client: Client,
) -> None:
    url = reverse("admin:elections_election_add")
    form = {"code": "x-2030", "polling_day": "2030-03-14", "law_edition": "kg-1999"}
    response = admin_client.post(url, form, headers={"accept-language": "en"})
    assert response.status_code == 200 and not Election.objects.filter(code="x-2030").exists()
    assert "kg-1999" in response.content.decode()
    form["law_edition"] = available_editions()[-1]
    response = admin_client.post(url, form, headers={"accept-language": "en"})
    assert "one language at least" in response.content.decode()
    form["name_en"] = "Local kenesh elections 2030"
    response = admin_client.post(url, form, headers={"accept-language": "en"})
    assert response.status_code == 302
    created = Election.objects.get(code="x-2030")
    assert created.stable_name == "Local kenesh elections 2030"
    with translation.override("ru"):
        assert created.name == "Local kenesh elections 2030", "falls back to the English name"
    with translation.override("en"):
        assert formats.date_format(created.polling_day) == "14 March 2030"
