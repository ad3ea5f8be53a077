"""``POST /api/incidents/alerts/``: a registered device raises an alert with a signed request."""

from __future__ import annotations

import datetime
import json
import types
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.urls import include, path

import factories as f
from shailoo.incidents import services
from shailoo.incidents.models import Case, CaseEvent
from shailoo.integrity import keys
from shailoo.integrity.heads import CEC
from shailoo.integrity.models import SUBMISSION, LedgerEntry
from shailoo.integrity.submissions import SIGNATURE, sign_request

PATH = "/api/incidents/alerts/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mounted(settings: Any) -> None:
    """The site's URLs with the alert API mounted (as ``shailoo.urls`` mounts it)."""
    from shailoo import urls as site

    patterns = list(site.urlpatterns)
    if not any(str(p.pattern) == "api/incidents/" for p in patterns):
        patterns.insert(0, path("api/incidents/", include("shailoo.incidents.api_urls")))
    urlconf = types.ModuleType("alerts_mounted_urls")
    urlconf.urlpatterns = patterns  # type: ignore[attr-defined]
    urlconf.handler400, urlconf.handler404 = site.handler400, site.handler404  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf


class Device:
    """A key pair registered for submissions, sending signed requests in sequence."""

    def __init__(self, *, station: int | None = None, commission: str = "") -> None:
        self.private: Ed25519PrivateKey = keys.generate()
        self.key = keys.register_key(
            keys.raw_public(self.private),
            usage=SUBMISSION,
            actor="test",
            station_number=station,
            commission_code=commission,
        )
        self.sequence = 0

    @property
    def source(self) -> str:
        return f"device:{self.key.key_id}"

    def headers(self, body: bytes) -> dict[str, str]:
        self.sequence += 1
        return sign_request(self.private, "POST", PATH, body, sequence=self.sequence)

    def send(self, alert: dict[str, Any] | bytes, content_type: str = "application/json") -> Any:
        body = alert if isinstance(alert, bytes) else json.dumps(alert).encode()
        return Client().post(PATH, data=body, content_type=content_type, headers=self.headers(body))


@pytest.fixture
def world() -> dict[str, Any]:
    f.election("kg-2025", polling_day=datetime.date(2027, 3, 14))
    here, there = f.station(1001), f.station(2002)
    return {"here": here, "there": there, "device": Device(station=1001)}


def seal(**changes: Any) -> dict[str, Any]:
    alert = {
        "kind": "seal_broken",
        "category": "count_irregularity",
        "summary": "The seal of ballot box 2 is broken",
        "subject": "box-2",
        "evidence": {"seal_number": "KG-0042117", "photo_sha256": "ab" * 32, "weight_kg": 4.2},
        "severity": "critical",
        "dedupe_key": "box-2-seal",
    }
    alert.update(changes)
    return {key: value for key, value in alert.items() if value is not None}


def test_a_signed_alert_opens_a_case_with_its_evidence(world: dict[str, Any]) -> None:
    device: Device = world["device"]
    answer = device.send(seal())
    assert answer.status_code == 201, answer.content
    body = answer.json()
    case = Case.objects.get()
    assert body["reference"] == case.reference and body["new"] is True
    assert (body["category"], body["severity"], body["agency"]) == (
        "count_irregularity", "critical", "commission",
    )  # fmt: skip
    assert (case.source, case.kind, case.station) == ("alert", "alert", world["here"])
    assert case.alert_kind == f"{device.source}.seal_broken"[:60]
    assert case.alert_subject == "box-2" and case.reporter == device.source
    assert case.description.startswith("The seal of ballot box 2 is broken")
    assert "seal_number: KG-0042117" in case.description and "weight_kg: 4.2" in case.description
    assert case.dedupe_key == f"{device.source}:box-2-seal"
    assert LedgerEntry.objects.filter(kind=services.OPENED).count() == 1
    assert "no-store" in answer["Cache-Control"]


def test_the_same_dedupe_key_adds_to_the_open_case(world: dict[str, Any]) -> None:
    device: Device = world["device"]
    first = device.send(seal()).json()
    again = device.send(seal(evidence={"seal_number": "KG-0042118"}))
    assert again.status_code == 200, again.content
    assert again.json()["reference"] == first["reference"] and again.json()["new"] is False
    case = Case.objects.get()
    (added,) = CaseEvent.objects.filter(case=case, kind="alert_again")
    assert added.actor == device.source
    assert added.data == {"alert": "seal_broken", "evidence": {"seal_number": "KG-0042118"}}
    other = device.send(seal(dedupe_key="box-3-seal"))
    assert other.status_code == 201 and other.json()["reference"] != first["reference"]
    # a key is the device's own: another device's alert with the same key is its own case
    neighbour = Device(commission=world["here"].tec.code)
    theirs = neighbour.send(seal())
    assert theirs.status_code == 201 and theirs.json()["reference"] != first["reference"]
    # without a dedupe key, the same kind and subject are the same alert
    plain = device.send(seal(dedupe_key=None, subject="scanner-7")).json()
    assert device.send(seal(dedupe_key=None, subject="scanner-7")).json() == {**plain, "new": False}
    # once the case is decided, the same key opens a new one
    services.decide("cli", case, outcome="no_violation", legal_basis="Art. 38")
    reopened = device.send(seal())
    assert reopened.status_code == 201 and reopened.json()["reference"] != first["reference"]


def test_unsigned_and_badly_signed_requests_are_refused(world: dict[str, Any]) -> None:
    device: Device = world["device"]
    body = json.dumps(seal()).encode()
    unsigned = Client().post(PATH, data=body, content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "not_authenticated"
    assert set(unsigned.json()) == {"code", "detail", "problems"}

    headers = device.headers(body)
    tampered = body.replace(b"broken", b"intact")
    answer = Client().post(PATH, data=tampered, content_type="application/json", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "body_hash_mismatch")

    headers = device.headers(body)
    signature = headers[SIGNATURE]
    headers[SIGNATURE] = signature[:10] + ("B" if signature[10] == "A" else "A") + signature[11:]
    answer = Client().post(PATH, data=body, content_type="application/json", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")

    headers = device.headers(body)
    sent = Client().post(PATH, data=body, content_type="application/json", headers=headers)
    assert sent.status_code == 201
    replayed = Client().post(PATH, data=body, content_type="application/json", headers=headers)
    assert (replayed.status_code, replayed.json()["code"]) == (401, "replayed_sequence")

    stranger = keys.generate()  # a key nobody registered
    headers = sign_request(stranger, "POST", PATH, body, sequence=1)
    answer = Client().post(PATH, data=body, content_type="application/json", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "unknown_key")

    other_path = sign_request(device.private, "POST", "/api/results/protocols/", body, sequence=99)
    answer = Client().post(PATH, data=body, content_type="application/json", headers=other_path)
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")
    assert Case.objects.count() == 1  # only the one properly signed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": None}, "category"),
        ({"category": "witchcraft"}, "category"),
        ({"kind": "Seal Broken!"}, "kind"),
        ({"summary": "  "}, "summary"),
        ({"summary": "x" * 1001}, "summary"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"evidence": {"photo": {"nested": True}}}, "evidence"),
        ({"evidence": {"note": "a\x07b"}}, "evidence"),
        ({"evidence": {"bad key!": 1}}, "evidence"),
        ({"evidence": {f"k{n}": n for n in range(31)}}, "evidence"),
        ({"station": 0}, "station"),
        ({"station": 4242}, "station"),  # no such station
        ({"dedupe_key": "k" * 121}, "dedupe_key"),
    ],
)
def test_a_bad_alert_is_refused_with_located_problems(
    world: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    answer = world["device"].send(seal(**changes))
    assert answer.status_code == 400, answer.content
    assert field in [p["field"] for p in answer.json()["problems"]], answer.json()
    assert Case.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(world: dict[str, Any]) -> None:
    device: Device = world["device"]
    form = device.send(b"kind=seal_broken", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415, form.content
    broken = device.send(b'{"kind": ')
    assert broken.status_code == 400 and broken.json()["code"] == "json_invalid"
    assert Case.objects.count() == 0


def test_a_key_speaks_only_for_its_station_or_its_commission(world: dict[str, Any]) -> None:
    device: Device = world["device"]
    elsewhere = device.send(seal(station=2002))
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "forbidden"
    tec = Device(commission=world["here"].tec.code)
    assert tec.send(seal(station=1001)).status_code == 201
    assert tec.send(seal(station=2002)).status_code == 403
    cec = Device(commission=CEC)
    assert cec.send(seal(station=2002)).status_code == 201
    nowhere = cec.send(seal(station=None, dedupe_key="cyber-1", category="cyber_incident"))
    assert nowhere.status_code == 201
    assert Case.objects.get(reference=nowhere.json()["reference"]).station is None
    assert Case.objects.count() == 3
