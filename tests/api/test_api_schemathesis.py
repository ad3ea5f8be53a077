"""Schemathesis against the OpenAPI description the site serves (``/api/schema/``).

Every operation is called with generated input, valid and invalid (schemathesis' examples,
fuzzing and coverage phases), through Django's WSGI application, once anonymously and once
with a CEC administrator's session (password and second factor passed, CSRF token sent),
over a small synthetic country: the geography from ``shailoo.synth``, a current election,
voters, an accepted and signed protocol, a ledger with signed heads, a nomination refused
for a second citizenship. Each answer must be no server error, a status code the schema
documents, of the documented content type, and match the documented body (refusals
included: ``common.api.RefusalSerializer``). Bounded: a few examples per operation,
derandomized, so every machine runs the same cases.

A second test sends what a generator cannot guess — a real PIN with its birth date, real
election codes and station numbers, requests signed by a registered device key — and holds
those answers (200, 201, and the refusals a device meets) to the same checks.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WsgiClient

import factories as f

pytestmark = pytest.mark.django_db

#: Generated cases per operation in the fuzzing phase (the coverage phase adds its boundary
#: cases, a few dozen): the bound that keeps the whole file near 20 s on two cores.
MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = 7
STATIONS = 12
ELECTION = "parl-2027"
BIRTH = datetime.date(1990, 5, 17)
LINES = {
    "voters_on_list": 1000,
    "ballots_received": 1000,
    "ballots_issued": 565,
    "ballots_spoiled": 5,
    "ballots_unused": 430,
    "ballots_found": 560,
    "ballots_invalid": 10,
}
VOTES = {"a": 300, "b": 200, "c": 50}
#: The staff session's CSRF secret, sent as cookie and header as the API docs page does.
CSRF_TOKEN = "s" * 32

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    APP,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "deterministic": True},
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


class World:
    """What the requests can find: real rows, a device key, a staff session."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from shailoo.accounts.roles import Role
        from shailoo.accounts.testing import login_verified, make_user
        from shailoo.counting.results import decisions, services
        from shailoo.geo.importer import import_geography
        from shailoo.geo.models import PollingStation
        from shailoo.integrity import heads, keys
        from shailoo.integrity.models import SUBMISSION
        from shailoo.synth.geography import generate_geography, write_geography_csv

        for name in ("SIGNING", "PROTOCOL"):  # the tree-head and protocol-acceptance keys
            path = tmp / "keys" / f"{name.lower()}.pem"
            keys.write_private_key(path, keys.generate())
            monkeypatch.setenv(f"SHAILOO_{name}_KEY_FILE", str(path))
        geo_csv = tmp / "geography.csv"
        write_geography_csv(generate_geography(SEED, STATIONS), geo_csv)
        assert not import_geography(geo_csv).rejects
        self.election = f.election("kg-2025", code=ELECTION)
        self.stations = list(PollingStation.objects.select_related("region").order_by("number"))
        self.voter = f.person(self.stations[0], birth_date=BIRTH)
        f.person(self.stations[1], birth_date=BIRTH, eligible=False)
        self.candidate = refused_candidate(self.election)
        services.record_automatic_count(
            self.election, self.stations[0], "pres", VOTES, "cli", source="scanner"
        )
        version = services.enter_protocol(
            self.election, self.stations[0], "pres", LINES, VOTES, "cli"
        )
        decisions.accept_protocol(version.protocol, "cli")
        heads.sign_head()
        heads.sign_head()
        self.ledger_size = heads.latest_head().size  # type: ignore[union-attr]
        self.device: Ed25519PrivateKey = keys.generate()
        keys.register_key(
            keys.raw_public(self.device),
            usage=SUBMISSION,
            actor="test",
            station_number=self.stations[2].number,
        )
        self.sequence = 0
        client = Client()
        login_verified(client, make_user("schemathesis-admin", Role.CEC_ADMIN))
        self.staff = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }

    def signed(self, path: str, body: bytes = b"", *, key: Any = None, method: str = "POST") -> Any:
        """``body`` to ``path`` signed with the device key, as a station device does."""
        from shailoo.integrity.submissions import sign_request

        self.sequence += 1
        headers = sign_request(key or self.device, method, path, body, sequence=self.sequence)
        if method == "GET":
            return WsgiClient(APP).get(path, headers=headers)
        return WsgiClient(APP).post(
            path, data=body, headers=headers, content_type="application/json"
        )

    def polling_device(self) -> Ed25519PrivateKey:
        """An identification device enrolled at the voter's station; the voter enrolled."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        from shailoo.biometrics import services as biometrics
        from shailoo.integrity import keys
        from shailoo.polling import devices
        from shailoo.synth.enrolment import person_templates

        biometrics.enrol(self.voter, person_templates(self.voter.pk, SEED, 0, "standard"), "test")
        signing = keys.generate()
        devices.enrol(
            self.stations[0],
            signing_public=keys.raw_public(signing),
            seal_public=X25519PrivateKey.generate().public_key().public_bytes_raw(),
            actor="test",
        )
        return signing


def refused_candidate(election: Any) -> Any:
    """A nomination refused for a second citizenship: the public API lists its reasons."""
    from shailoo.candidates import registry_models as registry
    from shailoo.candidates import services as candidates
    from shailoo.register.pin import build_pin

    data = candidates.NominationData(
        ref="P-1",
        pin=build_pin("M", BIRTH, 77),
        surname="Асанов",
        given_name="Бакыт",
        patronymic="",
        sex="M",
        birth_date=BIRTH,
        office="jk_deputy",
        district="1",
        nominated_on=datetime.date(2027, 1, 20),
        deposit_som=300_000,  # paid: the refusal is for the second citizenship alone
    )
    candidate = candidates.nominate("cli", election, data)
    on = datetime.date(2027, 1, 15)
    registry.CitizenshipRecord.objects.create(pin=data.pin, citizenships="KG;RU", as_of=on)
    registry.ResidenceStay.objects.create(pin=data.pin, started_on=BIRTH, as_of=on)
    registry.LanguageTest.objects.create(pin=data.pin, result="passed", tested_on=on)
    registry.EducationRecord.objects.create(pin=data.pin, level="higher", as_of=on)
    registry.RecordsChecked.objects.create(pin=data.pin, as_of=on)
    candidates.check_candidate("cli", candidate)
    candidates.decide_registration("cli", candidate)
    return candidate


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from rest_framework.throttling import SimpleRateThrottle

    # The self-check limit (429, documented) would otherwise answer most generated cases.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "10000/min"})
    # The WSGI handler closes the database connection after each request, which would end
    # the test's transaction on PostgreSQL; Django's test client leaves it open the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    cache.clear()
    try:
        yield World(tmp_path, monkeypatch)
    finally:
        cache.clear()
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: Any, world: World) -> None:
    case.call_and_validate(checks=CHECKS)  # anonymous
    case.call_and_validate(cookies=world.staff, headers={"X-CSRFToken": CSRF_TOKEN}, checks=CHECKS)


def _call(label: str, *, staff: dict[str, str] | None = None, **parts: Any) -> Any:
    """One hand-made case of the operation ``label``, called and checked like the others."""
    if "body" in parts:
        parts.setdefault("media_type", "application/json")
    case = schema.find_operation_by_label(label).Case(**parts)  # type: ignore[union-attr]
    headers = {"X-CSRFToken": CSRF_TOKEN} if staff else None
    return case.call_and_validate(cookies=staff, headers=headers, checks=CHECKS)


def _check(label: str, response: Any, **parts: Any) -> Any:
    """Check a response to a request made outside schemathesis (a signed one)."""
    case = schema.find_operation_by_label(label).Case(**parts)  # type: ignore[union-attr]
    case.validate_response(response, checks=CHECKS)
    return response


def test_known_records_answer_as_documented(world: World) -> None:
    station, voter, size = world.stations[0], world.voter, world.ledger_size
    pin = {"pin": voter.pin, "birth_date": BIRTH.isoformat()}
    statuses = {
        "POST /api/selfcheck/": _call("POST /api/selfcheck/", body=pin),
        "POST /api/persons/eligibility/": _call(
            "POST /api/persons/eligibility/",
            staff=world.staff,
            body={"pin": voter.pin, "lang": "ky"},
        ),
        "GET /api/stations/": _call(
            "GET /api/stations/", query={"region": station.region.code, "page_size": 2}
        ),
        "GET /api/stations/{number}/": _call(
            "GET /api/stations/{number}/", path_parameters={"number": station.number}
        ),
        "GET /api/results/{code}/": _call(
            "GET /api/results/{code}/", path_parameters={"code": ELECTION}
        ),
        "GET /api/results/{code}/stations/{number}/": _call(
            "GET /api/results/{code}/stations/{number}/",
            path_parameters={"code": ELECTION, "number": station.number},
        ),
        "GET /api/candidates/": _call(
            "GET /api/candidates/", query={"election": ELECTION, "status": "refused"}
        ),
        "GET /api/candidates/parties/": _call("GET /api/candidates/parties/"),
        "GET /api/integrity/head/": _call("GET /api/integrity/head/"),
        "GET /api/integrity/keys/": _call("GET /api/integrity/keys/"),
        "GET /api/integrity/entries/{index}/proof/": _call(
            "GET /api/integrity/entries/{index}/proof/",
            path_parameters={"index": 3},
            query={"size": size},
        ),
        "GET /api/integrity/consistency/": _call(
            "GET /api/integrity/consistency/", query={"first": 1, "second": size}
        ),
        "POST /api/integrity/signed/ping/": _check(
            "POST /api/integrity/signed/ping/", world.signed("/api/integrity/signed/ping/")
        ),
    }
    document = {
        "format": "shailoo-protocol/1",
        "kind": "protocol",
        "election": ELECTION,
        "station": world.stations[2].number,
        "contest": "pres",
        "lines": LINES,
        "votes": VOTES,
    }
    submit = "POST /api/results/protocols/"
    for changes in ({"station": world.stations[0].number}, {"votes": {"a": -1}}, {}):
        body = {**document, **changes}
        response = world.signed("/api/results/protocols/", json.dumps(body).encode())
        statuses[submit] = _check(submit, response, body=body, media_type="application/json")
        expected = 403 if "station" in changes else 400 if changes else 201
        assert response.status_code == expected, response.get_data()
    alert = "POST /api/incidents/alerts/"
    seal = {
        "kind": "seal_broken",
        "category": "count_irregularity",
        "summary": "The seal of ballot box 2 is broken",
        "station": world.stations[2].number,
        "subject": "box-2",
        "evidence": {"seal_number": "KG-0042117", "weight_kg": 4.2},
        "severity": "critical",
        "dedupe_key": "box-2-seal",
    }
    response = world.signed("/api/incidents/alerts/", json.dumps(seal).encode())
    statuses[alert] = _check(alert, response, body=seal, media_type="application/json")
    response = world.signed("/api/incidents/alerts/", json.dumps(seal).encode())
    again = _check(alert, response, body=seal, media_type="application/json")
    assert again.status_code == 200 and again.get_json()["new"] is False, again.get_data()
    statuses.update(_polling_day(world))
    # The public proof holds no entry bytes; the CEC administrator (an auditor) asks for them.
    proof = "GET /api/integrity/entries/{index}/proof/"
    assert statuses[proof].json()["entry"] is None
    full = _call(
        proof, staff=world.staff, path_parameters={"index": 3}, query={"size": size, "view": "full"}
    )
    assert full.status_code == 200 and full.json()["entry"], full.content
    # Every operation the schema lists has a known-good case here: add one with a new endpoint.
    labels = {operation.ok().label for operation in schema.get_all_operations()}
    assert set(statuses) == labels
    (refused,) = statuses["GET /api/candidates/"].json()["results"]
    assert [r["code"] for r in refused["refusal_reasons"]] == ["OTHER_CITIZENSHIP"]
    answered = {label: response.status_code for label, response in statuses.items()}
    created = (submit, alert, "POST /api/polling/open/", "POST /api/polling/close/")
    assert answered == {label: 201 if label in created else 200 for label in labels}


def _polling_day(world: World) -> dict[str, Any]:
    """A device's day in known-good requests: package, opening, a check-in, a sync, closing."""
    import base64

    from shailoo.biometrics import iso19794
    from shailoo.biometrics.embedding import EmbeddingTemplate
    from shailoo.biometrics.minutiae import FingerTemplate
    from shailoo.polling import hlc
    from shailoo.synth.enrolment import person_templates

    device, clock, other = world.polling_device(), hlc.Clock(), f.person(world.stations[0])
    items = person_templates(world.voter.pk, SEED, 1, "standard")
    fingers = [t for t in items if isinstance(t, FingerTemplate)]
    (face,) = [t for t in items if isinstance(t, EmbeddingTemplate)]
    templates = [
        {"kind": "finger_iso", "data": base64.b64encode(iso19794.to_bytes(fingers)).decode()},
        {"kind": "embedding", "data": base64.b64encode(face.to_bytes()).decode()},
    ]
    bodies = {
        "POST /api/polling/open/": {
            "hlc": clock.tick(), "ballots_received": 100, "package_sha256": "ab" * 32
        },
        "POST /api/polling/checkins/": {
            "key": "schema-000001", "hlc": clock.tick(), "mode": "identify",
            "templates": templates,
        },
        "POST /api/polling/sync/": {
            "issues": [
                {"key": "schema-000002", "hlc": clock.tick(), "person": other.pk,
                 "method": "identified"}
            ]
        },
        "POST /api/polling/close/": {
            "hlc": clock.tick(), "ballots_unused": 98, "ballots_spoiled": 0
        },
    }  # fmt: skip
    package = world.signed("/api/polling/package/", key=device, method="GET")
    statuses = {"GET /api/polling/package/": _check("GET /api/polling/package/", package)}
    for label, body in bodies.items():
        path = label.split(" ")[1]
        response = world.signed(path, json.dumps(body).encode(), key=device)
        statuses[label] = _check(label, response, body=body, media_type="application/json")
    assert statuses["POST /api/polling/checkins/"].get_json()["outcome"] == "issued"
    return statuses


def test_throttled_selfchecks_answer_as_documented(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "1/min"})
    body = {"pin": world.voter.pin, "birth_date": BIRTH.isoformat()}
    assert _call("POST /api/selfcheck/", body=body).status_code == 200
    throttled = _call("POST /api/selfcheck/", body=body)
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert "retry-after" in throttled.headers


def test_what_once_crashed_is_refused_as_documented(world: World) -> None:
    """Found by this run on PostgreSQL (NUL bytes reached SQL) or next to it (Django's HTML
    400/404 under /api/): each now a documented refusal, on every database."""
    assert _call("GET /api/stations/", query={"region": "KG\x00"}).status_code == 400
    for label, code in (
        ("GET /api/results/{code}/", "parl\x002027"),
        ("GET /api/stations/{number}/", -1),  # no route: Django's 404, as JSON
    ):
        key = "code" if "code" in label else "number"
        response = _call(label, path_parameters={key: code})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    submit = "POST /api/results/protocols/"
    body = {"format": "shailoo-protocol/1", "kind": "automatic_count", "election": ELECTION}
    body |= {"station": world.stations[2].number, "contest": "pres", "counts": {"a\x00": 1}}
    response = world.signed("/api/results/protocols/", json.dumps(body).encode())
    _check(submit, response, body=body, media_type="application/json")
    problems = [(p["field"], p["reason"]) for p in response.get_json()["problems"]]
    assert response.status_code == 400, response.get_data()
    assert problems == [("counts.a\x00", "contains a NUL character (U+0000)")]
    from shailoo.integrity.submissions import KEY_ID, sign_request

    headers = sign_request(world.device, "POST", "/api/integrity/signed/ping/", b"", sequence=99)
    headers[KEY_ID] = headers[KEY_ID][:8] + "\x00"
    response = WsgiClient(APP).post("/api/integrity/signed/ping/", headers=headers)
    _check("POST /api/integrity/signed/ping/", response)
    assert (response.status_code, response.get_json()["code"]) == (401, "malformed_header")
    too_big = b"{" + b" " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b"}"
    response = world.signed("/api/results/protocols/", too_big)
    _check(submit, response, body={}, media_type="application/json")
    assert (response.status_code, response.get_json()["code"]) == (400, "request_too_large")
