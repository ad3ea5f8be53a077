"""The station package: what one device needs to work a polling day, even offline.

Only its own station's list and enrolled templates, the law's election-day rules and the
matcher's operating point; sealed to the device's X25519 key (nobody else can open it, not
even another device of the same station) and signed with the commission's ledger key, which
the device pinned at enrolment. PINs are not in it: each list row carries a salted SHA-256 of
the PIN, enough for the device to find the row of a document it reads, useless as a list of
PINs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import asdict
from typing import Any

from django.utils import timezone

from shailoo.biometrics import services as biometrics
from shailoo.biometrics.models import BiometricTemplate
from shailoo.elections.services import current_election
from shailoo.integrity import heads, keys
from shailoo.law.loader import load_edition
from shailoo.polling import sealing
from shailoo.polling.checkin import ballot_style
from shailoo.polling.models import Device

FORMAT = "shailoo-station-list/1"


def pin_digest(salt: str, pin: str) -> str:
    """How a package names a PIN: SHA-256 of the package salt and the PIN, hex."""
    return hashlib.sha256(f"{salt}:{pin}".encode()).hexdigest()


def payload(device: Device) -> dict[str, Any]:
    """The package's content for ``device``'s station (before sealing)."""
    station = device.station
    election = current_election()
    law = load_edition(election.law_edition).election_day
    salt = secrets.token_hex(16)
    voters = list(
        biometrics.voters_at(station)
        .select_related("station__district")
        .order_by("surname", "given_name", "pk")
    )
    rows = [
        {
            "ref": p.pk,
            "row": i,
            "surname": p.surname,
            "given_name": p.given_name,
            "patronymic": p.patronymic,
            "birth_year": p.birth_date.year,
            "pin_sha256": pin_digest(salt, p.pin or ""),
            "ballot_style": ballot_style(p),
            "remote": p.remote_station_id == station.pk,
        }
        for i, p in enumerate(voters, start=1)
    ]
    templates = BiometricTemplate.objects.filter(
        enrolment__active=True, enrolment__person__in=[p.pk for p in voters]
    ).values_list("enrolment__person_id", "kind", "finger", "model_id", "data")
    gallery = [
        {
            "ref": person,
            "kind": kind,
            "finger": finger,
            "model_id": model,
            "data": base64.b64encode(bytes(data)).decode("ascii"),
        }
        for person, kind, finger, model, data in templates
    ]
    return {
        "format": FORMAT,
        "station": station.number,
        "election": election.code,
        "polling_day": election.polling_day.isoformat(),
        "salt": salt,
        "rules": {
            "opens": law.voting_opens.value,
            "closes": law.voting_closes.value,
            "identification_attempts": law.identification_attempts.value,
            "manual_reasons": sorted(law.manual_reasons.value),
            "biometric_modalities": list(law.biometric_modalities.value),
        },
        "thresholds": asdict(biometrics.thresholds()),
        "face_model": biometrics.face_model(),
        "list": rows,
        "templates": gallery,
    }


def sealed(device: Device) -> sealing.SealedPackage:
    """The package sealed to the device and signed by the commission's ledger key.

    The station's matcher gallery is built here too, before the first voter comes: a device
    fetches its package before opening, so no voter waits for the gallery to be prepared.
    """
    content = payload(device)
    biometrics.station_gallery(device.station)
    signer = heads.load_signing_key()
    return sealing.seal(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        recipient_public=bytes(device.seal_public),
        signer=signer,
        signer_id=keys.key_id(keys.raw_public(signer)),
        station=device.station.number,
        election=content["election"],
        created_at=timezone.now(),
    )
