"""The reference station-device client against the real server (pytest-django's live server):
the sealed package, check-ins online and offline, retries that count once, double votes at a
second device, two offline devices issuing to one voter, a clock an hour off, a restart; and
the device's state directory on its own (crash-safe queue, counters, located refusals)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import factories as f
from shailoo.biometrics import iso19794
from shailoo.biometrics import services as biometrics
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.incidents.models import Case
from shailoo.integrity import heads, keys
from shailoo.integrity.models import SecurityEvent
from shailoo.integrity.submissions import sign_request
from shailoo.polling import devices, sealing
from shailoo.polling.client import transport as transport_module
from shailoo.polling.client.device import (
    Capture,
    StationDevice,
    open_station_package,
)
from shailoo.polling.client.state import DeviceState, QueuedIssue, StateError
from shailoo.polling.client.transport import Offline, ServerRefused, sign
from shailoo.polling.models import CheckIn, Device, SecondIssue
from shailoo.synth.enrolment import person_templates

SEED = 77
STRANGER = 10**9  # an identity enrolled nowhere


def captures(identity: int, session: int = 1) -> list[Capture]:
    items = person_templates(identity, SEED, session, "standard")
    fingers = [t for t in items if isinstance(t, FingerTemplate)]
    faces = [t for t in items if isinstance(t, EmbeddingTemplate)]
    return [
        Capture("finger_iso", iso19794.to_bytes(fingers)),
        Capture("embedding", faces[0].to_bytes()),
    ]


class World:
    def __init__(self, live_server: Any, folder: Path) -> None:
        biometrics.forget_galleries()
        self.url = live_server.url
        self.folder = folder
        self.election = f.election("kg-2025", timezone.localdate())
        self.a, self.b = f.station(811), f.station(812)
        self.voters = [f.person(self.a, surname=f"Сайлоочу{i}") for i in range(6)]
        self.elsewhere = f.person(self.b, surname="Башка")
        for person in [*self.voters, self.elsewhere]:
            biometrics.enrol(person, person_templates(person.pk, SEED, 0, "standard"), "cli")
        self.commission = keys.raw_public(heads.load_signing_key())

    def state(self, station: Any, name: str) -> DeviceState:
        signing, seal = sealing.new_device_keys()
        devices.enrol(
            station,
            signing_public=keys.raw_public(signing),
            seal_public=sealing.raw_public_x25519(seal),
            actor="cli",
            label=name,
        )
        return DeviceState.create(
            self.folder / name,
            server=self.url,
            station=station.number,
            signing_key=signing,
            seal_key=seal,
            commission_key=self.commission,
            timeout_s=20,
        )

    def device(self, station: Any, name: str, **options: Any) -> StationDevice:
        device = StationDevice(self.state(station, name), backoff_s=0.01, **options)
        device.download_package()
        return device


@pytest.fixture
def world(transactional_db: Any, live_server: Any, tmp_path: Path) -> World:
    return World(live_server, tmp_path)


# -- package ------------------------------------------------------------------------------------


def test_the_package_opens_with_the_stations_list_and_gallery_and_is_kept(world: World) -> None:
    device = world.device(world.a, "a1")
    package = device.package
    assert package is not None and package.station == world.a.number
    assert {row.ref for row in package.rows.values()} == {v.pk for v in world.voters}
    assert world.elsewhere.pk not in package.rows and len(package.gallery) == 6
    voter = world.voters[3]
    assert package.row_of_pin(voter.pin).ref == voter.pk
    assert package.row_of_pin(world.elsewhere.pin) is None
    raw = (device.state.path / "package.json").read_bytes()
    assert voter.pin.encode() not in raw and b"\xd0\xa1" not in raw  # sealed: no names in clear
    again = StationDevice.load(device.state.path)  # restart: the kept package opens again
    assert again.package is not None and again.package.sha256 == package.sha256


@pytest.mark.parametrize(
    ("field", "code"),
    [("station", "bad_signature"), ("ciphertext", "bad_signature"), ("signer", "bad_signature")],
)
def test_a_tampered_package_is_refused_and_not_kept(world: World, field: str, code: str) -> None:
    device = world.device(world.a, "a1")
    document = json.loads(device.state.package_bytes() or b"")
    if field == "station":
        document["station"] = world.b.number
    elif field == "ciphertext":
        data = bytearray(base64.b64decode(document["ciphertext"]))
        data[10] ^= 1
        document["ciphertext"] = base64.b64encode(bytes(data)).decode()
        document["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    else:
        document["signer"] = "0" * 32
    with pytest.raises(sealing.PackageError) as refused:
        open_station_package(json.dumps(document).encode(), state=device.state)
    assert refused.value.code == code


def test_a_package_for_another_device_does_not_open(world: World) -> None:
    first = world.device(world.a, "a1")
    other = world.state(world.a, "a2")
    with pytest.raises(sealing.PackageError) as refused:
        open_station_package(first.state.package_bytes() or b"", state=other)
    assert refused.value.code == "not_for_this_device"


def test_a_server_sending_a_tampered_package_leaves_the_device_without_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = StationDevice(world.state(world.a, "a1"), backoff_s=0.01)
    real = transport_module.Transport._send

    def tampered(self: Any, *args: Any, **kwargs: Any) -> Any:
        answer = real(self, *args, **kwargs)
        document = json.loads(answer.raw)
        document["election"] = "other"
        return transport_module.Answer(
            answer.status, document, answer.server_time_ms, json.dumps(document).encode()
        )

    monkeypatch.setattr(transport_module.Transport, "_send", tampered)
    with pytest.raises(sealing.PackageError):
        device.download_package()
    assert device.package is None and device.state.package_bytes() is None


# -- online check-in ------------------------------------------------------------------------------


def test_a_voter_is_identified_and_issued_and_opening_is_reported(world: World) -> None:
    device = world.device(world.a, "a1")
    assert device.open(500)["station"] == world.a.number
    assert device.open(500)["already_reported"] is True  # a restart's second report
    voter = world.voters[1]
    answer = device.check_in(captures(voter.pk))
    assert answer["outcome"] == "issued" and answer["offline"] is False
    assert answer["voter"]["ref"] == voter.pk
    checkin = CheckIn.objects.get(person=voter)
    assert checkin.station == world.a and not checkin.offline
    assert checkin.device.key.key_id == device.state.config.key_id
    assert device.state.voted(voter.pk) is not None
    closing = device.close(480, 19)
    assert closing["ballots_received"] == 500 and closing["difference"] == 0


def test_a_lost_answer_is_retried_with_the_same_key_and_counts_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = world.device(world.a, "a1")
    real = transport_module.Transport._send
    lost: list[str] = []

    def lose_first_checkin_answer(self: Any, method: str, path: str, *rest: Any) -> Any:
        answer = real(self, method, path, *rest)
        if path.endswith("/checkins/") and not lost:
            lost.append(answer.body["key"])
            raise Offline("connection reset after the server committed")
        return answer

    monkeypatch.setattr(transport_module.Transport, "_send", lose_first_checkin_answer)
    voter = world.voters[2]
    answer = device.check_in(captures(voter.pk))
    assert answer["outcome"] == "issued" and answer["repeat"] is True
    assert answer["key"] == lost[0]
    assert CheckIn.objects.filter(person=voter).count() == 1
    # The simulator's "retry" visit: the same key sent again reaches the server, first answer.
    again = device.check_in(captures(voter.pk, 2), key=answer["key"])
    assert again["repeat"] is True and again["checkin"] == answer["checkin"]
    assert CheckIn.objects.filter(person=voter).count() == 1


def test_a_5xx_is_retried_and_then_decided_offline(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = world.device(world.a, "a1")

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        return transport_module.Answer(503, {"code": "unavailable"}, None, b"")

    monkeypatch.setattr(transport_module.Transport, "_send", failing)
    voter = world.voters[4]
    answer = device.check_in(captures(voter.pk))
    assert answer["outcome"] == "issued" and answer["offline"] is True
    assert [q.person for q in device.state.pending()] == [voter.pk]
    monkeypatch.undo()
    (synced,) = device.sync()
    assert synced["outcome"] == "issued"
    assert CheckIn.objects.get(person=voter).offline is True


def test_a_double_vote_at_a_second_device_is_refused_with_where_and_when(world: World) -> None:
    first, second = world.device(world.a, "a1"), world.device(world.a, "a2")
    voter = world.voters[0]
    assert first.check_in(captures(voter.pk))["outcome"] == "issued"
    answer = second.check_in(captures(voter.pk, 2))
    assert answer["outcome"] == "already_voted"
    assert answer["voted_station"] == world.a.number and answer["voted_at"]
    assert CheckIn.objects.filter(person=voter).count() == 1
    assert Case.objects.exists()  # the response groups have the double-vote alert
    # The second device remembers: offline later it refuses the voter by itself.
    second.go_offline()
    local = second.check_in(captures(voter.pk, 3))
    assert local["outcome"] == "already_voted" and local["offline"] is True


def test_a_voter_listed_elsewhere_is_told_where(world: World) -> None:
    device = world.device(world.a, "a1")
    answer = device.check_in(captures(world.elsewhere.pk), pin=world.elsewhere.pin)
    assert answer["outcome"] == "not_on_list" and answer["listed_at"] == world.b.number


def test_a_bad_template_is_refused_by_the_client_before_sending(world: World) -> None:
    device = world.device(world.a, "a1")
    with pytest.raises(ServerRefused) as refused:
        device.check_in([Capture("finger_iso", b"FMR\x00 20\x00garbage")])
    assert refused.value.status == 400
    with pytest.raises(Exception) as local:
        device.check_in([Capture("finger_bmp", b"x")])
    assert "templates.0.kind" in str(local.value)


# -- offline ------------------------------------------------------------------------------------


def test_offline_issue_then_sync_on_the_next_online_request(world: World) -> None:
    device = world.device(world.a, "a1")
    device.go_offline()
    voter, later = world.voters[3], world.voters[5]
    answer = device.check_in(captures(voter.pk))
    assert answer["outcome"] == "issued" and answer["offline"] is True
    assert answer["voter"]["ref"] == voter.pk
    assert not CheckIn.objects.filter(person=voter).exists()
    again = device.check_in(captures(voter.pk, 2))
    assert again["outcome"] == "already_voted" and again["offline"] is True
    stranger = device.check_in(captures(STRANGER))
    assert stranger["outcome"] == "not_identified"
    manual = device.check_in(
        pin=world.voters[1].pin, manual_reason="not_identified_document_checked", attempts=3
    )
    assert manual["outcome"] == "issued" and manual["method"] == "manual"
    assert len(device.state.pending()) == 2
    device.go_online()
    online = device.check_in(captures(later.pk))  # the queue goes first, then this check-in
    assert online["outcome"] == "issued" and online["offline"] is False
    assert device.state.pending() == []
    record = CheckIn.objects.get(person=voter)
    assert record.offline is True and record.device.key.key_id == device.state.config.key_id
    assert CheckIn.objects.get(person=world.voters[1]).method == "manual"


def test_two_offline_devices_issuing_to_one_voter_give_a_second_issue_on_sync(
    world: World,
) -> None:
    first, second = world.device(world.a, "a1"), world.device(world.a, "a2")
    voter = world.voters[2]
    first.go_offline()
    second.go_offline()
    assert first.check_in(captures(voter.pk))["outcome"] == "issued"
    time.sleep(0.01)
    assert second.check_in(captures(voter.pk, 2))["outcome"] == "issued"
    first.go_online()
    second.go_online()
    assert [a["outcome"] for a in second.sync()] == ["issued"]
    (answer,) = first.sync()
    # Earliest issue stands as the vote (the law edition's rule): the second device's ballot
    # became the second issue, and whoever synced last is told so.
    assert answer["outcome"] == "second_issue" and answer["case"]
    assert first.alerts == [answer]
    second_issue = SecondIssue.objects.get(person=voter)
    assert CheckIn.objects.get(person=voter).device.key.key_id == first.state.config.key_id
    assert second_issue.device.key.key_id == second.state.config.key_id
    assert first.state.pending() == [] and second.state.pending() == []


def test_a_retry_of_an_offline_decision_gets_the_first_answer(world: World) -> None:
    device = world.device(world.a, "a1")
    device.go_offline()
    voter = world.voters[0]
    first = device.check_in(captures(voter.pk))
    again = device.check_in(captures(voter.pk), key=first["key"])
    assert again["outcome"] == "issued" and again["repeat"] is True
    assert len(device.state.pending()) == 1


def test_offline_home_voting_is_left_to_the_server(world: World) -> None:
    device = world.device(world.a, "a1")
    device.go_offline()
    answer = device.check_in(captures(world.voters[0].pk), kind="home")
    assert answer["outcome"] == "needs_server" and device.state.pending() == []


# -- clock and restart ----------------------------------------------------------------------------


def test_a_clock_an_hour_behind_is_refused_once_then_corrected(world: World) -> None:
    device = StationDevice(
        world.state(world.a, "slow"), clock=lambda: time.time() - 3600, backoff_s=0.01
    )
    device.download_package()
    assert device.transport.clock_corrections == 1
    assert abs(device.state.offset_ms - 3_600_000) < 60_000
    assert SecurityEvent.objects.filter(kind="request.stale_timestamp").exists()
    answer = device.check_in(captures(world.voters[1].pk))
    assert answer["outcome"] == "issued"
    assert device.transport.clock_corrections == 1  # learnt once, kept
    record = Device.objects.get(key__key_id=device.state.config.key_id)
    assert abs(record.clock_offset_ms) < 60_000  # its readings now follow the server's time
    restarted = StationDevice.load(device.state.path, clock=lambda: time.time() - 3600)
    assert restarted.transport.now_ms() == pytest.approx(time.time() * 1000, abs=60_000)


def test_a_restarted_device_reuses_no_sequence_and_keeps_its_queue(world: World) -> None:
    device = world.device(world.a, "a1")
    device.check_in(captures(world.voters[0].pk))
    device.go_offline()
    device.check_in(captures(world.voters[1].pk))
    sequence, clock = device.state.sequence, device.clock.last
    device.transport.close()
    restarted = StationDevice.load(device.state.path, backoff_s=0.01)
    assert restarted.state.sequence == sequence and restarted.clock.last >= clock
    assert [q.person for q in restarted.state.pending()] == [world.voters[1].pk]
    assert restarted.state.voted(world.voters[0].pk) is not None
    (synced,) = restarted.sync()  # would be refused as a replay if a sequence came back
    assert synced["outcome"] == "issued" and restarted.state.sequence == sequence + 1
    offline_again = restarted.check_in(captures(world.voters[0].pk, 2))
    assert offline_again["outcome"] == "already_voted"


def test_the_client_signs_exactly_as_the_server_scheme_says() -> None:
    key = Ed25519PrivateKey.generate()
    body = b'{"hlc":1}'
    ours = sign(key, "POST", "/api/polling/checkins/", body, sequence=7, timestamp=1_700_000_000)
    theirs = sign_request(
        key, "POST", "/api/polling/checkins/", body, sequence=7, timestamp=1_700_000_000
    )
    assert ours == theirs


# -- the state directory on its own ----------------------------------------------------------------


def new_state(folder: Path) -> DeviceState:
    return DeviceState.create(
        folder,
        server="http://127.0.0.1:9",
        station=5,
        signing_key=Ed25519PrivateKey.generate(),
        seal_key=X25519PrivateKey.generate(),
        commission_key=keys.raw_public(Ed25519PrivateKey.generate()),
    )


def test_the_state_is_private_and_a_second_create_is_refused(tmp_path: Path) -> None:
    state = new_state(tmp_path / "dev")
    assert (state.path.stat().st_mode & 0o777) == 0o700
    for name in ("signing.pem", "seal.pem", "counters.json"):
        assert ((state.path / name).stat().st_mode & 0o777) == 0o600
    with pytest.raises(StateError):
        new_state(tmp_path / "dev")
    os.chmod(state.path, 0o755)
    with pytest.raises(StateError) as refused:
        DeviceState.load(state.path)
    assert refused.value.code == "device_state_mode"


def test_a_torn_last_line_is_ignored_and_a_damaged_one_is_located(tmp_path: Path) -> None:
    state = new_state(tmp_path / "dev")
    state.enqueue(QueuedIssue("key-00000001", 10, 1, "identified"))
    with (state.path / "queue.jsonl").open("ab") as fh:
        fh.write(b'{"key":"key-0000')  # the crash came in the middle of an append
    reloaded = DeviceState.load(state.path)
    assert [q.key for q in reloaded.pending()] == ["key-00000001"]
    reloaded.enqueue(QueuedIssue("key-00000002", 11, 2, "manual", manual_reason="no_fingers"))
    assert [q.key for q in DeviceState.load(state.path).pending()] == [
        "key-00000001",
        "key-00000002",
    ]
    with (state.path / "queue.jsonl").open("ab") as fh:
        fh.write(b'{"key":"key-00000003","hlc":"x"}\n')
    with pytest.raises(StateError) as refused:
        DeviceState.load(state.path)
    problem = refused.value.problems[0]
    assert problem.line == 3 and problem.where == "hlc" and problem.source == "queue.jsonl"


def test_a_config_that_is_not_a_devices_is_refused_by_field(tmp_path: Path) -> None:
    state = new_state(tmp_path / "dev")
    config = json.loads((state.path / "config.json").read_text())
    config.update(server="ftp://x", commission_key_id="0" * 32)
    (state.path / "config.json").write_text(json.dumps(config))
    with pytest.raises(StateError) as refused:
        DeviceState.load(state.path)
    assert {p.where for p in refused.value.problems} == {"server", "commission_key_id"}


def test_an_unreachable_server_is_offline(tmp_path: Path) -> None:
    state = new_state(tmp_path / "dev")
    device = StationDevice(state, retries=1, backoff_s=0.0, timeout_s=2)
    with pytest.raises(Offline):
        device.download_package()
    assert state.sequence == 2  # each try used (and saved) its own sequence


@hsettings(max_examples=25)
@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=10**6)), max_size=30))
def test_the_queue_after_a_restart_is_what_was_queued_and_not_answered(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[bool, int]]
) -> None:
    state = new_state(tmp_path_factory.mktemp("q") / "dev")
    expected: dict[str, int] = {}
    hlc_value = 0
    for n, (answer, person) in enumerate(steps):
        if answer and expected:
            key = sorted(expected)[person % len(expected)]
            state.mark_done(key, "issued")
            del expected[key]
        else:
            hlc_value += 1 + person % 7
            key = f"key-{n:08d}"
            state.enqueue(QueuedIssue(key, hlc_value, person, "identified"))
            expected[key] = hlc_value
    reloaded = DeviceState.load(state.path)
    pending = reloaded.pending()
    assert [q.key for q in pending] == sorted(expected, key=expected.__getitem__)
    assert [q.hlc for q in pending] == sorted(expected.values())
    assert reloaded.hlc_last >= max(expected.values(), default=0)


def test_a_kept_alive_connection_closed_meanwhile_is_replaced_at_once(world: World) -> None:
    """A server restarted (or a proxy's idle limit) closes the device's kept-alive connection;
    the next voter is sent again at once on a new connection, with no back-off and no
    offline decision."""
    slept: list[float] = []
    device = world.device(world.a, "a1", sleep=slept.append)
    first = device.check_in(captures(world.voters[0].pk))
    assert first["offline"] is False
    connection = device.transport._conn
    assert connection is not None and connection.sock is not None
    connection.sock.close()  # the connection is gone while the device was idle
    voter = world.voters[1]
    answer = device.check_in(captures(voter.pk))
    assert answer["outcome"] == "issued" and answer["offline"] is False
    assert slept == []
    assert CheckIn.objects.filter(person=voter).count() == 1
