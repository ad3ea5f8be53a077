"""The public candidates page as JSON (``/candidates/index.json``): the page's figures and
words as data in three languages, the schema of ``docs/public-candidates.schema.json``, its
validators (304 until a decision), refusals as JSON, and nothing personal beyond the page."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.http import parse_http_date
from test_candidate_pages import nomination, records, refused, signatures

import factories as f
from public_schemas import schema_errors
from shailoo.candidates import services
from shailoo.candidates.models import Candidate, Party

pytestmark = pytest.mark.django_db

URL = "/candidates/index.json"


@pytest.fixture
def world() -> dict[str, Any]:
    """A dual citizen refused, a nomination still undecided, a party's list of one."""
    election = f.election(
        "kg-2025",
        polling_day=datetime.date(2027, 3, 14),
        code="pres-2027",
        name_ky="Президенттик шайлоо",
        name_ru="Выборы Президента",
        name_en="Presidential election",
    )
    party = Party.objects.create(
        code="ata",
        name_ky="Ата Журт",
        name_ru="Ата-Журт",
        registered_on=datetime.date(2010, 1, 1),
        inn="02212201010011",
        leader="Ташиев",
    )
    bad = refused(election)
    waiting = services.nominate("cli", election, nomination("P-2", 43, surname="Бекова"))
    listed = services.nominate(
        "cli", election, nomination("L-1", 44, office="jk_deputy", party="ata", list_position=1)
    )
    return {"election": election, "party": party, "bad": bad, "waiting": waiting, "listed": listed}


def _by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ref"]: c for office in document["offices"] for c in office["candidates"]}


def test_the_twin_is_the_page_as_data(client: Client, world: dict[str, Any]) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert schema_errors("public-candidates", document) == []
    assert document["election"]["code"] == "pres-2027"
    assert document["election"]["names"] == {
        "ky": "Президенттик шайлоо",
        "ru": "Выборы Президента",
        "en": "Presidential election",
    }
    page = client.get(reverse("candidates:public"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    found = _by_ref(document)
    assert set(found) == {"P-1", "P-2", "L-1"}
    for ref, shown in found.items():
        row_id = f'id="candidate-{Candidate.objects.get(ref=ref).pk}"'
        row = page.split(row_id, 1)[1].split("</tr>", 1)[0]
        assert shown["full_name"] in row and shown["status_name"] in row, ref
    # The offices in the page's order, named in every language.
    assert [o["office"] for o in document["offices"]] == ["jk_deputy", "president"]
    president = document["offices"][1]
    with translation.override("en"):
        assert president["names"]["en"] == "President of the Kyrgyz Republic"
    assert president["name"] == president["names"]["ru"] and president["name"] in page
    # The refusal: each rule not met, its basis, in three languages.
    bad = found["P-1"]
    assert (bad["status"], bad["party"], bad["list_position"]) == ("refused", None, None)
    ((reason,),) = [bad["refusal_reasons"]]
    stored = {c["code"]: c for c in world["bad"].checks.get().checks}["OTHER_CITIZENSHIP"]
    assert reason["code"] == "OTHER_CITIZENSHIP"
    for lang in ("ky", "ru", "en"):  # as stored, marked where the sources do not confirm it
        assert reason["citation"][lang].startswith(stored["citation"][lang])
    assert reason["rule"]["ru"] in page and reason["citation"]["ru"] in page
    assert found["P-2"]["refusal_reasons"] == [] and found["P-2"]["status"] == "nominated"
    listed = found["L-1"]
    assert (listed["party"], listed["list_position"]) == ("ata", 1)
    (party,) = document["parties"]
    assert party == {
        "code": "ata",
        "name": "Ата-Журт",
        "names": {"ky": "Ата Журт", "ru": "Ата-Журт"},
        "nominated": 1,
        "registered": 0,
    }


def test_the_twin_tells_nothing_the_page_does_not(client: Client, world: dict[str, Any]) -> None:
    body = client.get(URL).content.decode()
    people = (world["bad"], world["waiting"], world["listed"])
    secrets = [c.pin for c in people] + ["1975-06-02", "02.06.1975", "CIT-2027-0042", "RES-7"]
    secrets += ["KG;RU", "NCR-5", "DIP-3", "02212201010011", "Ташиев"]
    assert [s for s in secrets if s in body] == []
    for candidate in _by_ref(json.loads(body)).values():
        assert not {"pin", "birth_date", "sex", "nominated_on", "minority"} & set(candidate)


def test_names_follow_the_reader_and_every_language_is_in_each_answer(
    client: Client, world: dict[str, Any]
) -> None:
    ky = client.get(URL, HTTP_ACCEPT_LANGUAGE="ky")
    en = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert "Accept-Language" in ky["Vary"] and ky["Content-Language"] == "ky"
    ky_doc, en_doc = ky.json(), en.json()
    assert ky_doc["election"]["name"] == "Президенттик шайлоо"
    assert en_doc["election"]["name"] == "Presidential election"
    assert ky_doc["parties"][0]["name"] == "Ата Журт"
    ky_bad, en_bad = _by_ref(ky_doc)["P-1"], _by_ref(en_doc)["P-1"]
    assert ky_bad["status_names"] == en_bad["status_names"]
    assert ky_bad["status_name"] == ky_bad["status_names"]["ky"] != en_bad["status_name"]
    assert en_bad["status_name"] == "refused registration"
    assert ky["ETag"] != en["ETag"]  # the reader's names differ, so the bytes do


def test_304_until_a_candidate_s_status_is_decided(client: Client, world: dict[str, Any]) -> None:
    first = client.get(URL)
    assert first.status_code == 200 and first["Last-Modified"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.head(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    waiting = world["waiting"]
    records(waiting.pin)
    services.check_candidate("cli", waiting)
    signatures(waiting, 30_500, 31_000, "sufficient")
    assert services.decide_registration("cli", waiting).outcome == "registered"
    after = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert _by_ref(after.json())["P-2"]["status"] == "registered"
    assert parse_http_date(after["Last-Modified"]) >= parse_http_date(first["Last-Modified"])
    assert client.get(URL, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_a_party_renamed_changes_the_tag(client: Client, world: dict[str, Any]) -> None:
    first = client.get(URL)
    Party.objects.filter(code="ata").update(name_ru="Ата-Журт Кыргызстан")
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Ата-Журт Кыргызстан" in again.content.decode()


def test_an_earlier_election_by_its_code(client: Client, world: dict[str, Any]) -> None:
    older = f.election(code="pres-2021", polling_day=datetime.date(2021, 1, 10), is_current=False)
    old = services.nominate(
        "cli",
        older,
        nomination("OLD-1", 45, surname="Жапаров", nominated_on=datetime.date(2020, 12, 1)),
    )
    document = client.get(URL, {"election": "pres-2021"}).json()
    assert document["election"]["code"] == "pres-2021"
    assert set(_by_ref(document)) == {old.ref}
    assert schema_errors("public-candidates", document) == []


@pytest.mark.parametrize("code", ["no-such-election", "x" * 300, "a b", "%00", "\x00"])
def test_an_unknown_election_is_404_in_json(
    client: Client, world: dict[str, Any], code: str
) -> None:
    response = client.get(URL, {"election": code})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "election_not_found"


def test_no_current_election_is_a_conflict_in_json(client: Client) -> None:
    f.election(code="pres-2021", is_current=False)
    response = client.get(URL)
    assert response.status_code == 409 and response["Content-Type"] == "application/json"
    assert re.fullmatch(r"[a-z_]+", response.json()["code"])


def test_the_page_links_its_twin(client: Client, world: dict[str, Any]) -> None:
    page = client.get(reverse("candidates:public")).content.decode()
    assert f'<link rel="alternate" type="application/json" href="{URL}">' in page
    assert f'href="{URL}" type="application/json">JSON</a>' in page
    assert client.post(URL).status_code == 405
