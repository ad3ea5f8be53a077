"""The public candidates API: nominations with status and refusal reasons, and parties.

Anyone may read it, so every answer is searched for what must never be in it: a PIN, a birth
date, what a registry said and its reference.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, get_args

import pytest
from django.test import Client

import factories as f
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Candidate, Party, SignatureSubmission
from shailoo.law.loader import load_edition
from shailoo.law.schema import NominationDocument
from shailoo.register.pin import build_pin

pytestmark = pytest.mark.django_db

POLLING_DAY = datetime.date(2027, 3, 14)
BIRTH = datetime.date(1975, 6, 2)
URL = "/api/candidates/"
PARTIES = "/api/candidates/parties/"


def records(pin: str, citizenships: str = "KG") -> None:
    on = datetime.date(2027, 1, 15)
    reg.CitizenshipRecord.objects.create(
        pin=pin, citizenships=citizenships, as_of=on, reference="CIT-2027-0042"
    )
    reg.ResidenceStay.objects.create(pin=pin, started_on=BIRTH, as_of=on, reference="RES-7")
    reg.LanguageTest.objects.create(
        pin=pin, result="passed", tested_on=datetime.date(2026, 12, 1), certificate="LT-9"
    )
    reg.EducationRecord.objects.create(pin=pin, level="higher", as_of=on, document="DIP-3")
    reg.RecordsChecked.objects.create(pin=pin, as_of=on, reference="NCR-5")


def deposit(office: str) -> int | None:
    """The deposit the law asks of a candidate for ``office`` (none when it asks none)."""
    rules = getattr(load_edition("kg-2025").candidates.offices, office)
    return rules.deposit_som.value if rules.deposit_som is not None else None


#: Every document a checklist may ask for, filed.
ALL_DOCUMENTS = tuple((kind, f"{kind[:3].upper()}-1") for kind in get_args(NominationDocument))


def nominate(election: Any, ref: str, serial: int, **fields: Any) -> Candidate:
    office = fields.pop("office", "president")
    if fields.get("list_position") is None:  # a list's deposit is the party's
        fields.setdefault("deposit_som", deposit(office))
    fields.setdefault("documents", ALL_DOCUMENTS)
    data = services.NominationData(
        ref=ref,
        pin=build_pin("M", BIRTH, serial),
        surname="Асанов",
        given_name="Бакыт",
        patronymic="Эркинович",
        sex="M",
        birth_date=BIRTH,
        office=office,
        nominated_on=datetime.date(2027, 1, 20),
        **fields,
    )
    return services.nominate("cli", election, data)


def decided(election: Any, ref: str, serial: int, citizenships: str, **fields: Any) -> Candidate:
    candidate = nominate(election, ref, serial, **fields)
    records(candidate.pin, citizenships)
    services.check_candidate("cli", candidate)
    SignatureSubmission.objects.create(
        candidate=candidate,
        file_name="signers.csv",
        file_sha256="0" * 64,
        rows=31_000,
        valid=30_500,
        counts={"VALID": 30_500, "DEAD": 500},
        invalid_share=500 / 31_000,
        verdict="sufficient",
        actor="cli",
    )
    services.decide_registration("cli", candidate)
    candidate.refresh_from_db()
    return candidate


@pytest.fixture
def world() -> dict[str, Any]:
    election = f.election("kg-2025", polling_day=POLLING_DAY, code="pres-2027")
    Party.objects.create(
        code="ata",
        name_ky="Ата Журт",
        name_ru="Ата Журт",
        registered_on=datetime.date(2010, 1, 1),
        registration_number="PP-17",
    )
    Party.objects.create(
        code="idle", name_ky="Жок", name_ru="Нет", registered_on=datetime.date(2012, 1, 1)
    )
    return {
        "election": election,
        "refused": decided(election, "P-1", 1, "KG;RU"),
        "registered": decided(election, "P-2", 2, "KG"),
        "nominated": nominate(election, "P-3", 3),
        "listed": nominate(election, "L-1", 4, office="jk_deputy", party="ata", list_position=1),
        "listed2": decided(
            election, "L-2", 5, "KG", office="jk_deputy", party="ata", list_position=2
        ),
    }


def _no_secrets(body: Any, world: dict[str, Any]) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for key in ("refused", "registered", "nominated", "listed", "listed2"):
        assert world[key].pin not in text
    for secret in ("1975-06-02", "CIT-2027-0042", "RES-7", "KG;RU", "evidence", "birth"):
        assert secret not in text


def test_every_nomination_with_status_and_the_refusal_reasons(client: Client, world) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    by_ref = {row["ref"]: row for row in body["results"]}
    refused = by_ref["P-1"]
    assert refused["status"] == "refused" and refused["decision"]["outcome"] == "refused"
    (reason,) = refused["refusal_reasons"]
    stored = {c["code"]: c for c in world["refused"].checks.get().checks}["OTHER_CITIZENSHIP"]
    assert reason["code"] == "OTHER_CITIZENSHIP"
    assert reason["rule"] == {
        "ky": "Башка мамлекеттин жарандыгы",
        "ru": "Гражданство другого государства",
        "en": "Citizenship of another state",
    }
    # the stored citation, marked where the law file says the citation is not confirmed
    assert stored["unconfirmed"] is True
    for lang in ("ky", "ru", "en"):
        assert reason["citation"][lang].startswith(stored["citation"][lang])
    assert reason["citation"]["en"].endswith("(citation unconfirmed)")
    assert by_ref["P-2"]["status"] == "registered" and by_ref["P-2"]["refusal_reasons"] == []
    assert by_ref["P-3"]["decision"] is None
    assert by_ref["L-1"]["party"] == "ata" and by_ref["L-1"]["list_position"] == 1
    assert by_ref["P-1"]["party"] is None
    _no_secrets(body, world)


def test_an_appeal_upheld_clears_the_public_reasons(client: Client, world) -> None:
    decision = world["refused"].decisions.get()
    appeal = services.file_appeal("cli", decision, "Асанов", "renounced", datetime.date(2027, 2, 1))
    services.decide_appeal("cli", appeal, "upheld", "certificate of renunciation")
    row = next(r for r in client.get(URL).json()["results"] if r["ref"] == "P-1")
    assert row["status"] == "registered" and row["refusal_reasons"] == []


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ({"office": "jk_deputy"}, ["L-1", "L-2"]),
        ({"status": "refused"}, ["P-1"]),
        ({"status": "registered", "office": "president"}, ["P-2"]),
        ({"party": "ata"}, ["L-1", "L-2"]),
        ({"party": "-"}, ["P-1", "P-2", "P-3"]),
        ({"party": "idle"}, []),
        ({"election": "pres-2027"}, ["L-1", "L-2", "P-1", "P-2", "P-3"]),
    ],
)
def test_filters(client: Client, world, query: dict[str, str], refs: list[str]) -> None:
    body = client.get(URL, query).json()
    assert sorted(row["ref"] for row in body["results"]) == refs


def test_pages(client: Client, world) -> None:
    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(URL, {"page_size": 2, "page": 3}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get(URL, {"page": 9}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"office": "king"}, "office"),
        ({"status": "elected"}, "status"),
        ({"party": "a b"}, "party"),
        ({"party": "x" * 33}, "party"),
        ({"election": "pres\x002027"}, "election"),
        ({"election": "x" * 51}, "election"),
    ],
)
def test_a_bad_filter_is_a_located_refusal(client: Client, world, query, field: str) -> None:
    response = client.get(URL, query)
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == [field]


def test_an_unknown_election_is_404_and_no_current_one_is_409(client: Client, world) -> None:
    response = client.get(URL, {"election": "nope"})
    assert (response.status_code, response.json()["code"]) == (404, "election_not_found")
    world["election"].is_current = False
    world["election"].save()
    response = client.get(URL)
    assert (response.status_code, response.json()["code"]) == (409, "no_current_election")
    assert client.get(URL, {"election": "pres-2027"}).status_code == 200
    assert client.get(PARTIES).status_code == 409


def test_parties_with_how_many_stand(client: Client, world) -> None:
    other = f.election("kg-2025", polling_day=POLLING_DAY, code="other", is_current=False)
    nominate(other, "X-1", 9, office="jk_deputy", party="idle", list_position=1)
    body = client.get(PARTIES).json()
    assert body["election"] == "pres-2027"
    (ata,) = body["parties"]  # "idle" nominated nobody in this election
    assert ata == {
        "code": "ata",
        "name_ky": "Ата Журт",
        "name_ru": "Ата Журт",
        "registration_number": "PP-17",
        "registered_on": "2010-01-01",
        "leader": "",
        "dissolved_on": None,
        "nominated": 2,
        "registered": 1,
    }
    assert [p["code"] for p in client.get(PARTIES, {"election": "other"}).json()["parties"]] == [
        "idle"
    ]


def test_the_api_takes_no_writes(client: Client, world) -> None:
    assert client.post(URL, {"ref": "Z"}).status_code in (403, 405)
    assert Candidate.objects.filter(ref="Z").count() == 0
