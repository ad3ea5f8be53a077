"""A station's voter list in public: as much as the current election's law edition allows.

``voters.public_list`` of the edition decides: ``paper_only`` (every Kyrgyz edition) shows
the count, where and when the list is posted on paper, and the self-check; ``names_only``
shows surname and initials; ``full`` the list as posted (PINs masked, years of birth). The
file is a download only under ``full``, and every list page is rate-limited per client.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

import factories as f
import strategies as sx
from shailoo.elections.models import Election
from shailoo.portal.views import PublicListThrottle, initials
from shailoo.register.lists import write_precinct_list
from shailoo.register.pin import mask_pin

pytestmark = pytest.mark.django_db

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
POLLING_DAY = datetime.date(2027, 3, 14)
_BLOCK = re.compile(r"^  public_list:\n(?:    .*\n)*", re.MULTILINE)


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def edition_file() -> Iterator[Callable[[str], str]]:
    """Writes kg-2025 with ``public_list`` set (confirmed) as a file an election can name.

    A short directory: ``Election.law_edition`` holds 40 characters, path included.
    """
    folder = Path(tempfile.mkdtemp(prefix="sh", dir="/tmp"))

    def write(mode: str) -> str:
        suffix = mode.split("_")[0]
        text = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
        block = f"  public_list:\n    value: {mode}\n    cite: Art. 15\n    source: law-68\n"
        text = _BLOCK.sub(lambda _: block, text).replace(
            "  id: kg-2025\n", f"  id: kg-2025-{suffix}\n"
        )
        path = folder / f"kg-2025-{suffix}.yaml"
        path.write_text(text, encoding="utf-8")
        assert len(str(path)) <= 40, path
        return str(path)

    yield write
    shutil.rmtree(folder)


def station_with_voter(edition: str = "kg-2025"):
    f.election(edition, POLLING_DAY)
    home = f.station(101, name="Мектеп №5", address="Ош ш., Курманжан Датка көч., 5")
    return f.person(home, address="Ош ш., Ленин көч., 12-кв. 4")


def page_of(client: Client, number: int = 101, **extra: str) -> str:
    response = client.get(reverse("portal:station_list", args=[number]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def csv_of(client: Client, number: int = 101):
    return client.get(reverse("portal:station_list_csv", args=[number]))


def names_of(person) -> list[str]:
    """What must never reach a page that publishes no names."""
    return [
        person.surname,
        person.given_name,
        person.patronymic,
        person.address,
        mask_pin(person.pin),
        person.pin,
        str(person.birth_date.year),
    ]


# -- paper_only: the packaged editions ---------------------------------------------------------


def test_by_default_the_page_says_where_and_when_to_read_the_list_on_paper(client: Client) -> None:
    voter = station_with_voter()
    f.person(voter.station, given_name="Бакыт")
    page = page_of(client)
    assert "2 избирателя" in page or "2 voters" in page  # the count, in Russian by default
    assert "Курманжан Датка көч., 5" in page  # the precinct where the list is posted
    # Posted 70 days before polling day, corrections until 15 days before (Art. 15).
    assert "03.01.2027" in page and "27.02.2027" in page
    assert "(ст. 15)" in page and "ст. 15, Конституционный закон" in page
    assert f'href="{reverse("portal:check")}"' in page
    for secret in names_of(voter):
        assert secret not in page
    assert "<table" not in page and reverse("portal:station_list_csv", args=[101]) not in page


def test_by_default_the_list_is_not_a_download(client: Client) -> None:
    voter = station_with_voter()
    response = csv_of(client)
    body = response.content.decode()
    assert response.status_code == 451
    assert response["Content-Type"].startswith("text/html")
    assert 'id="csv-refused"' in body and "Курманжан Датка көч., 5" in body
    for secret in names_of(voter):
        assert secret not in body


@pytest.mark.parametrize("lang", ["ky", "en"])
def test_the_rule_is_cited_in_the_readers_language(client: Client, lang: str) -> None:
    station_with_voter()
    client.cookies["django_language"] = lang
    page = page_of(client)
    expected = "15-берене, «Кыргыз" if lang == "ky" else "Art. 15, Constitutional Law No. 68"
    assert expected in page


def test_without_a_current_election_no_names_and_no_dates(client: Client) -> None:
    voter = station_with_voter()
    Election.objects.update(is_current=False)
    page = page_of(client)
    assert 'id="list-rule"' in page and "2027" not in page
    for secret in names_of(voter):
        assert secret not in page
    assert csv_of(client).status_code == 451


def test_the_commission_keeps_its_full_list(tmp_path: Path) -> None:
    """The setting is about the public: the printed list for the commission is unchanged."""
    voter = station_with_voter()
    out = tmp_path / "list.csv"
    assert write_precinct_list(101, out, "csv", public=False) == 1
    text = out.read_text(encoding="utf-8")
    assert voter.pin in text and voter.address in text and voter.given_name in text


# -- names_only ------------------------------------------------------------------------------


def test_names_only_shows_surname_and_initials_and_nothing_that_locates(
    client: Client, edition_file: Callable[[str], str]
) -> None:
    voter = station_with_voter(edition_file("names_only"))
    f.person(voter.station, surname="Асанов", given_name="Бакыт", patronymic="")
    page = page_of(client)
    assert "Өмүрова" in page and "А. Т." in page
    assert "Асанов" in page and "<td>Б.</td>" in page
    for secret in names_of(voter)[1:]:
        assert secret not in page
    assert reverse("portal:station_list_csv", args=[101]) not in page
    assert csv_of(client).status_code == 451


def test_names_only_pages_through_a_long_list(
    client: Client, edition_file: Callable[[str], str], django_assert_max_num_queries
) -> None:
    voter = station_with_voter(edition_file("names_only"))
    for i in range(150):
        f.person(voter.station, surname=f"Ж{i:03d}", birth_date=datetime.date(1980, 1, 1))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:station_list", args=[101]), {"page": 2})
    assert len(response.context["page"].object_list) == 51
    assert "1980" not in response.content.decode()


@given(names=st.lists(st.text(alphabet=sx.KYRGYZ_LETTERS + " -", max_size=20), max_size=3))
def test_initials_keep_one_letter_of_each_name(names: list[str]) -> None:
    text = initials(*names)
    given = [name.strip() for name in names if name.strip()]
    assert text.split(" ") == [f"{name[0]}." for name in given] or (not given and text == "")


# -- full (an edition that confirms publishing the list) ------------------------------------


def test_full_list_masks_pins_and_shows_years(
    client: Client, edition_file: Callable[[str], str]
) -> None:
    voter = station_with_voter(edition_file("full"))
    page = page_of(client)
    assert voter.surname in page and voter.given_name in page and voter.address in page
    assert mask_pin(voter.pin) in page and voter.pin not in page
    assert "1990" in page and "17.05.1990" not in page
    assert reverse("portal:station_list_csv", args=[101]) in page


def test_full_list_csv_download(client: Client, edition_file: Callable[[str], str]) -> None:
    voter = station_with_voter(edition_file("full"))
    response = csv_of(client)
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0] == "no,pin,surname,given_name,patronymic,birth_year,address"
    assert mask_pin(voter.pin) in body and voter.pin not in body


def test_full_list_csv_neutralises_cells_a_spreadsheet_would_run(
    client: Client, edition_file: Callable[[str], str]
) -> None:
    f.election(edition_file("full"), POLLING_DAY)
    home = f.station(101)
    f.person(home, surname='=HYPERLINK("http://evil","x")', address="@SUM(1+1)")
    f.person(home, surname="-2+3", given_name="+cmd", patronymic="\tx", address="\rx")
    rows = list(csv.reader(io.StringIO(b"".join(csv_of(client).streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert all(cell[:1] not in "=+-@\t\r" or cell == "" for cell in cells)
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'@SUM(1+1)" in cells
    assert {"'-2+3", "'+cmd", "'\tx", "'\rx"} <= set(cells)
    assert [row[0] for row in rows[1:]] == ["1", "2"]  # numbers stay numbers


def test_full_list_queries_stay_flat(
    client: Client, edition_file: Callable[[str], str], django_assert_max_num_queries
) -> None:
    voter = station_with_voter(edition_file("full"))
    for i in range(150):
        f.person(voter.station, given_name=f"Аты{i}", birth_date=datetime.date(1980, 1, 1))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:station_list", args=[101]), {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 51


# -- every mode ------------------------------------------------------------------------------


def test_unknown_station_is_404(client: Client) -> None:
    f.election()
    assert client.get(reverse("portal:station_list", args=[4040])).status_code == 404
    assert client.get(reverse("portal:station_list_csv", args=[4040])).status_code == 404
    assert client.get("/stations/abc/list/").status_code == 404


def test_list_pages_are_rate_limited_per_client(
    client: Client, edition_file: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"publiclist": "3/min"})
    voter = station_with_voter(edition_file("full"))
    url = reverse("portal:station_list", args=[101])
    # Pages, files and unknown stations draw on one budget: no walking station numbers.
    codes = [
        client.get(url).status_code,
        csv_of(client).status_code,
        client.get(reverse("portal:station_list", args=[4040])).status_code,
        client.get(url, {"page": 2}).status_code,
        csv_of(client).status_code,
    ]
    assert codes == [200, 200, 404, 429, 429]
    refused = client.get(url)
    body = refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 60
    assert 'id="list-throttled"' in body and voter.surname not in body
    # Another address has its own budget.
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_list_budget_is_not_the_self_check_budget(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"publiclist": "1/min", "selfcheck": "5/min"}
    )
    voter = station_with_voter()
    assert client.get(reverse("portal:station_list", args=[101])).status_code == 200
    assert client.get(reverse("portal:station_list", args=[101])).status_code == 429
    answer = client.post(
        reverse("portal:check"), {"pin": voter.pin, "birth_date": voter.birth_date.isoformat()}
    )
    assert answer.status_code == 200 and "№101" in answer.content.decode()


def test_the_default_rate_lets_a_reader_page_a_whole_station() -> None:
    throttle = PublicListThrottle()
    count, per = throttle.num_requests, throttle.duration
    assert count >= 30  # a 3,000-voter list is 30 pages
    assert 2_500 * 30 / count * per >= 7 * 24 * 3600  # the country's lists: a week or more
