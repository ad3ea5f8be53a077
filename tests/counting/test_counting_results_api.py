"""Signed protocol submissions: accepted, forged, replayed, misbound, malformed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from counting_results_helpers import VOTES, lines, setup_world
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from shailoo.counting.results.models import AutomaticCount, Protocol
from shailoo.integrity import keys
from shailoo.integrity.models import SUBMISSION, LedgerEntry
from shailoo.integrity.submissions import BODY_SHA256, SIGNATURE, sign_request

pytestmark = [pytest.mark.django_db, pytest.mark.urls("counting_results_test_urls")]

PATH = "/api/results/protocols/"


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    return setup_world(monkeypatch, tmp_path)


def device(station: int | None = 101, commission: str = "") -> Ed25519PrivateKey:
    private = keys.generate()
    keys.register_key(
        keys.raw_public(private),
        usage=SUBMISSION,
        actor="t",
        station_number=station,
        commission_code=commission,
    )
    return private


def body(kind: str = "protocol", **changes: Any) -> bytes:
    doc: dict[str, Any] = {
        "format": "shailoo-protocol/1",
        "kind": kind,
        "election": "parl-2027",
        "station": 101,
        "contest": "pres",
    }
    if kind == "protocol":
        doc.update(lines=lines(), votes=VOTES)
    else:
        doc["counts"] = VOTES
    doc.update(changes)
    return json.dumps(doc).encode()


def post(data: bytes, headers: dict[str, str]) -> Any:
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(PATH, data, content_type="application/json", **extra)


def test_a_device_submits_its_count_then_the_protocol(world: dict[str, Any]) -> None:
    key = device()
    first = body("automatic_count")
    response = post(first, sign_request(key, "POST", PATH, first, sequence=1))
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "automatic_count"
    assert AutomaticCount.objects.get().source == "signed"
    second = body()
    headers = sign_request(key, "POST", PATH, second, sequence=2)
    response = post(second, headers)
    assert response.status_code == 201, response.content
    assert response.json() == {
        "kind": "protocol",
        "election": "parl-2027",
        "station": 101,
        "contest": "pres",
        "version": 1,
        "acceptable": True,
        "reasons": [],
    }
    version = Protocol.objects.get().current
    assert (version.source, version.key_id) == ("signed", keys.key_id(keys.raw_public(key)))
    assert version.request_signature == headers[SIGNATURE]
    assert version.body_sha256 == headers[BODY_SHA256]
    entry = LedgerEntry.objects.filter(kind="counting.protocol_version").get()
    assert headers[BODY_SHA256].encode() in bytes(entry.data)


def test_a_replayed_submission_is_refused(world: dict[str, Any]) -> None:
    key, data = device(), body()
    headers = sign_request(key, "POST", PATH, data, sequence=5)
    assert post(data, headers).status_code == 201
    response = post(data, headers)
    assert response.status_code == 401
    assert response.json()["code"] == "replayed_sequence"
    assert Protocol.objects.get().versions.count() == 1


def test_forged_submissions_are_refused(world: dict[str, Any]) -> None:
    key, data = device(), body()
    headers = sign_request(key, "POST", PATH, data, sequence=1)
    forged = body(votes={**VOTES, "a": 900})
    response = post(forged, headers)  # figures changed after signing
    assert (response.status_code, response.json()["code"]) == (401, "body_hash_mismatch")
    stranger = keys.generate()  # signs with a key nobody registered, claims the device's id
    fake = sign_request(stranger, "POST", PATH, data, sequence=2)
    fake["X-Shailoo-Key-Id"] = headers["X-Shailoo-Key-Id"]
    response = post(data, fake)
    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")
    response = Client().post(PATH, data, content_type="application/json")
    assert response.status_code == 401  # no signature at all
    assert not Protocol.objects.exists()


def test_a_key_submits_only_for_its_station_or_commission(world: dict[str, Any]) -> None:
    data = body(station=201)
    response = post(data, sign_request(device(101), "POST", PATH, data, sequence=1))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    tec_key = device(None, commission="T2")
    assert post(data, sign_request(tec_key, "POST", PATH, data, sequence=1)).status_code == 201
    other = body(station=102)
    response = post(other, sign_request(tec_key, "POST", PATH, other, sequence=2))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"{not json", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),  # once: RecursionError, HTTP 500
        (body().replace(b"101", b"9" * 5000), "body"),  # once: ValueError, HTTP 500
        (body(station=2**70), "body"),  # once: an integer the database cannot hold
        (body()[:-1] + b', "station": 102}', "body"),  # a key given twice: which one counts?
        (body(format="other/1"), "format"),
        (body(kind="guess"), "kind"),
        (body(election="nope"), "election"),
        (body(election=7), "election"),
        (body(station="101"), "station"),
        (body(station=99999), "station"),
        (body(contest=""), "contest"),
        (body(lines={**lines(), "ballots_found": -1}), "lines.ballots_found"),
        (body(votes={"a": True}), "votes.a"),
        (body("automatic_count", counts=[1]), "automatic"),
    ],
)
def test_bad_bodies_are_refused_with_the_field(
    world: dict[str, Any], data: bytes, field: str
) -> None:
    response = post(data, sign_request(device(), "POST", PATH, data, sequence=1))
    assert response.status_code == 400, response.content
    assert field in [p["field"] for p in response.json()["problems"]]
    assert not Protocol.objects.exists() and not AutomaticCount.objects.exists()


def test_the_openapi_schema_describes_the_results_api(db: Any) -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {"/api/results/protocols/", "/api/results/{code}/"} <= set(paths)
    assert "401" in paths["/api/results/protocols/"]["post"]["responses"]
