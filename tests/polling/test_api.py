"""The devices' API: signed requests only; forged, replayed, revoked, foreign and
out-of-order requests refused with a reason and a security event; a device clock an hour off
detected; bad templates located; the sealed package opens only on its device."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from shailoo.integrity import heads, keys
from shailoo.integrity.models import SecurityEvent
from shailoo.polling import devices, hlc, sealing
from shailoo.polling.models import CheckIn, Device

from .day_kit import Kit, captures

pytestmark = pytest.mark.django_db
CHECKINS = "/api/polling/checkins/"


def body(kit: Kit, identity: int, key: str, **more) -> dict:
    return {
        "key": key,
        "hlc": kit.next_hlc(),
        "mode": "identify",
        "templates": captures(identity),
        **more,
    }


def test_a_signed_check_in_issues_and_carries_the_server_time(day) -> None:
    kit, voter = day["kit_a"], day["voters"][0]
    response = kit.signed(Client(), "POST", CHECKINS, body(kit, voter.pk, "api-000001"))
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "issued"
    assert abs(int(response["X-Shailoo-Server-Time"]) - time.time() * 1000) < 60_000


def test_an_unsigned_or_forged_request_is_refused_and_leaves_a_security_event(day) -> None:
    kit, voter = day["kit_a"], day["voters"][0]
    client = Client()
    unsigned = client.post(
        CHECKINS,
        data=json.dumps(body(kit, voter.pk, "api-000002")),
        content_type="application/json",
    )
    assert unsigned.status_code in (401, 403)
    forger = Kit(kit.device, Ed25519PrivateKey.generate(), kit.seal)
    raw = json.dumps(body(kit, voter.pk, "api-000003")).encode()
    headers = forger_headers = __import__(
        "shailoo.integrity.submissions", fromlist=["sign_request"]
    ).sign_request(forger.signing, "POST", CHECKINS, raw, sequence=99)
    forger_headers["X-Shailoo-Key-Id"] = kit.device.key.key_id  # claims to be device A
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    forged = client.post(CHECKINS, data=raw, content_type="application/json", **extra)
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    event = SecurityEvent.objects.get(kind="request.bad_signature")
    assert event.station_number == 801 and event.key_id == kit.device.key.key_id
    assert not CheckIn.objects.exists()


def test_a_replayed_request_is_refused(day) -> None:
    kit, voter = day["kit_a"], day["voters"][1]
    client = Client()
    raw = json.dumps(body(kit, voter.pk, "api-000004")).encode()
    headers = __import__("shailoo.integrity.submissions", fromlist=["sign_request"]).sign_request(
        kit.signing, "POST", CHECKINS, raw, sequence=500
    )
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert (
        client.post(CHECKINS, data=raw, content_type="application/json", **extra).status_code == 200
    )
    replay = client.post(CHECKINS, data=raw, content_type="application/json", **extra)
    assert replay.status_code == 401 and replay.json()["code"] == "replayed_sequence"
    assert SecurityEvent.objects.filter(kind="request.replayed_sequence").exists()


def test_a_revoked_device_is_refused(day) -> None:
    kit, voter = day["kit_b"], day["at_b"][0]
    devices.revoke(kit.device, reason="stolen from the station", actor="cli")
    response = kit.signed(Client(), "POST", CHECKINS, body(kit, voter.pk, "api-000005"))
    assert response.status_code == 401 and response.json()["code"] == "revoked_key"


def test_a_key_that_is_no_device_or_serves_another_station_is_refused(day) -> None:
    signing = Ed25519PrivateKey.generate()
    keys.register_key(keys.raw_public(signing), usage="submission", actor="cli", station_number=801)
    stranger = Kit(day["kit_a"].device, signing, day["kit_a"].seal)
    response = stranger.signed(
        Client(), "POST", CHECKINS, body(stranger, day["voters"][0].pk, "api-000006")
    )
    assert response.status_code == 403 and response.json()["code"] == "not_a_device"
    kit = day["kit_b"]
    keys.bind_key(kit.device.key.key_id, actor="cli", station_number=801)
    moved = kit.signed(Client(), "POST", CHECKINS, body(kit, day["voters"][0].pk, "api-000007"))
    assert moved.status_code == 403 and moved.json()["code"] == "foreign_station"
    assert SecurityEvent.objects.filter(kind="device.foreign_station").exists()


def test_a_clock_reading_going_back_is_refused_as_out_of_order(day) -> None:
    kit, voter = day["kit_a"], day["voters"][2]
    client = Client()
    first = body(kit, voter.pk, "api-000008")
    assert kit.signed(client, "POST", CHECKINS, first).status_code == 200
    back = {**body(kit, day["voters"][3].pk, "api-000009"), "hlc": first["hlc"] - 5}
    response = kit.signed(client, "POST", CHECKINS, back)
    assert response.status_code == 409 and response.json()["code"] == "out_of_order"
    assert SecurityEvent.objects.filter(kind="device.out_of_order").exists()


def test_a_device_clock_an_hour_off_is_refused_then_detected(day) -> None:
    kit, voter = day["kit_a"], day["voters"][4]
    client = Client()
    late = kit.signed(client, "POST", CHECKINS, body(kit, voter.pk, "api-000010"), skew_s=3600)
    assert late.status_code == 401 and late.json()["code"] == "stale_timestamp"
    assert "X-Shailoo-Server-Time" in late
    # The device learns the server time for its signatures, but its own clock is still off:
    ahead = hlc.pack(int(time.time() * 1000) + 3_600_000, 0)
    response = kit.signed(
        client, "POST", CHECKINS, {**body(kit, voter.pk, "api-000011"), "hlc": ahead}
    )
    assert response.status_code == 200
    device = Device.objects.get(pk=kit.device.pk)
    assert device.clock_flagged_at is not None and 3_500_000 < device.clock_offset_ms < 3_700_000
    assert SecurityEvent.objects.filter(kind="device.clock_wrong", station_number=801).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"templates": [{"kind": "finger_iso", "data": "not base64!"}]}, "templates"),
        (
            {
                "templates": [
                    {"kind": "finger_iso", "data": base64.b64encode(b"FMR\0junk").decode()}
                ]
            },
            None,
        ),
        ({"mode": "verify"}, "pin"),
        ({"key": "short"}, "key"),
        ({"hlc": -1}, "hlc"),
        ({"templates": []}, "templates"),
    ],
)
def test_bad_input_is_refused_and_located(day, change, field) -> None:
    kit, voter = day["kit_a"], day["voters"][5]
    response = kit.signed(
        Client(), "POST", CHECKINS, {**body(kit, voter.pk, "api-000012"), **change}
    )
    assert response.status_code == 400, response.content
    if field:
        assert field in response.content.decode()
    assert not CheckIn.objects.exists()


def test_the_package_opens_only_on_its_device_and_holds_only_its_station(day) -> None:
    kit = day["kit_a"]
    response = kit.signed(Client(), "GET", "/api/polling/package/")
    assert response.status_code == 200
    package = sealing.SealedPackage.from_json(response.content)
    commission = keys.raw_public(heads.load_signing_key())
    content = json.loads(
        sealing.open_package(
            package, recipient_private=kit.seal, signer_public=commission, station=801
        )
    )
    refs = {row["ref"] for row in content["list"]}
    assert refs == {v.pk for v in day["voters"]}  # not the barred, not station B's
    assert all(v.pin not in response.content.decode() for v in day["voters"])
    assert {t["ref"] for t in content["templates"]} == refs
    with pytest.raises(sealing.PackageError) as other:
        sealing.open_package(
            package, recipient_private=day["kit_a2"].seal, signer_public=commission
        )
    assert other.value.code == "not_for_this_device"


def test_offline_issues_sync_in_order(day) -> None:
    kit, voters = day["kit_a"], day["voters"]
    issues = [
        {"key": f"sync-{i:05d}", "hlc": kit.next_hlc(), "person": v.pk, "method": "identified"}
        for i, v in enumerate(voters[:3])
    ]
    response = kit.signed(Client(), "POST", "/api/polling/sync/", {"issues": issues})
    assert response.status_code == 200
    assert [a["outcome"] for a in response.json()["answers"]] == ["issued"] * 3
    shuffled = [issues[1], issues[0]]
    refused = kit.signed(Client(), "POST", "/api/polling/sync/", {"issues": shuffled})
    assert refused.status_code == 400
