"""A small polling day for tests: four stations (one remote-voting, one abroad), enrolled
voters, one device per station, and signed requests to the devices' API."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import Client
from django.utils import timezone

import factories as f
from shailoo.biometrics import calibration, iso19794, services
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.integrity import keys
from shailoo.integrity.submissions import sign_request
from shailoo.polling import devices, hlc
from shailoo.polling.models import Device
from shailoo.register.models import Person
from shailoo.synth import embeddings
from shailoo.synth.biometric_evaluation import synthetic_impostor_scores
from shailoo.synth.enrolment import person_templates

SEED = 77


@pytest.fixture(scope="session")
def calibration_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("polling-calibration")
    finger = calibration.fit(synthetic_impostor_scores(1000, 5, pool=40))
    spec = embeddings.CLUSTERED
    rows = embeddings.captures(spec, 2, embeddings.identities(spec, 1, 2000))
    face = calibration.fit((rows[:1000] @ rows[1000:].T).ravel(), matcher=spec.model_id)
    calibration.write_calibration(finger, folder / "finger.json")
    calibration.write_calibration(face, folder / "face.json")
    return folder / "finger.json", folder / "face.json"


@dataclass
class Kit:
    """A device with its private keys and the clock and sequence it signs with."""

    device: Device
    signing: Ed25519PrivateKey
    seal: X25519PrivateKey
    sequence: int = 0
    clock: hlc.Clock = field(default_factory=lambda: hlc.Clock())

    def next_hlc(self) -> int:
        return self.clock.tick()

    def signed(
        self, client: Client, method: str, path: str, body: Any = None, *, skew_s: int = 0
    ) -> Any:
        raw = b"" if body is None else json.dumps(body).encode()
        self.sequence += 1
        headers = sign_request(
            self.signing,
            method,
            path,
            raw,
            sequence=self.sequence,
            timestamp=int(time.time()) + skew_s,
        )
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if method == "GET":
            return client.get(path, **extra)
        return client.post(path, data=raw, content_type="application/json", **extra)


def enrol_device(station: Any, label: str = "") -> Kit:
    signing, seal = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    device = devices.enrol(
        station,
        signing_public=keys.raw_public(signing),
        seal_public=seal.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        actor="cli",
        label=label,
    )
    return Kit(device, signing, seal)


def captures(identity: int, session: int = 1) -> list[dict[str, str]]:
    """What a device sends: the finger record and the face embedding, base64."""
    items = person_templates(identity, SEED, session, "standard")
    fingers = [t for t in items if isinstance(t, FingerTemplate)]
    faces = [t for t in items if isinstance(t, EmbeddingTemplate)]
    out = [{"kind": "finger_iso", "data": base64.b64encode(iso19794.to_bytes(fingers)).decode()}]
    out += [{"kind": "embedding", "data": base64.b64encode(faces[0].to_bytes()).decode()}]
    return out


def capture_objects(identity: int, session: int = 1) -> tuple[services.Capture, ...]:
    return tuple(
        services.Capture(c["kind"], base64.b64decode(c["data"]))
        for c in captures(identity, session)
    )


@pytest.fixture
def day(settings, calibration_files) -> dict[str, Any]:
    finger, face = calibration_files
    settings.BIOMETRICS_FINGER_CALIBRATION = str(finger)
    settings.BIOMETRICS_FACE_CALIBRATIONS = {embeddings.CLUSTERED.model_id: str(face)}
    # A strict operating point: the test calibration is fitted on few impostors, and a
    # looser one lets a stranger come second above the threshold (ambiguous).
    settings.BIOMETRICS_THRESHOLDS = {"target_fpir": 1e-5, "verify_fmr": 1e-5}
    services.forget_galleries()
    election = f.election("kg-2025", timezone.localdate())
    a, b = f.station(801), f.station(802)
    remote = f.station(803, is_remote_voting=True)
    abroad = f.station(804, is_abroad=True)
    voters = [f.person(a, surname=f"Сайлоочу{i}") for i in range(6)]
    at_b = [f.person(b, surname=f"Бешинчи{i}") for i in range(3)]
    remote_voter = f.person(b, surname="Алыскы", remote_station=remote)
    barred = f.person(a, surname="Укуксуз", eligible=False, ineligible_codes="incapable")
    stranger = f.person(b, surname="Башка")  # enrolled nowhere near station A's gallery
    for person in [*voters, *at_b, remote_voter, barred, stranger]:
        services.enrol(person, person_templates(person.pk, SEED, 0, "standard"), "cli")
    return {
        "election": election,
        "a": a,
        "b": b,
        "remote": remote,
        "abroad": abroad,
        "voters": voters,
        "at_b": at_b,
        "remote_voter": remote_voter,
        "barred": barred,
        "stranger": stranger,
        "kit_a": enrol_device(a, "A-1"),
        "kit_a2": enrol_device(a, "A-2"),
        "kit_b": enrol_device(b, "B-1"),
        "kit_remote": enrol_device(remote, "R-1"),
        "kit_abroad": enrol_device(abroad, "X-1"),
    }


def person(pk: int) -> Person:
    return Person.objects.get(pk=pk)
