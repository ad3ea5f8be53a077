"""Sealed station packages: only the device they were sealed to opens them, only as the
commission signed them, only for their station and election; every tamper has its refusal."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.polling.sealing import (
    FORMAT,
    PackageError,
    SealedPackage,
    new_device_keys,
    open_package,
    raw_public_ed25519,
    raw_public_x25519,
    recipient_id,
    seal,
)

COMMISSION = Ed25519PrivateKey.generate()
COMMISSION_PUBLIC = raw_public_ed25519(COMMISSION)
COMMISSION_ID = "a" * 32
_, DEVICE = new_device_keys()
_, OTHER_DEVICE = new_device_keys()
STATION = 1361
ELECTION = "parliament-2025"
CREATED = datetime(2025, 11, 29, 9, 30, tzinfo=timezone(timedelta(hours=6)))
PAYLOAD = json.dumps({"station": STATION, "voters": [{"ref": "v1"}, {"ref": "v2"}]}).encode()


def sealed(payload: bytes = PAYLOAD, **changes: Any) -> SealedPackage:
    arguments: dict[str, Any] = {
        "recipient_public": raw_public_x25519(DEVICE),
        "signer": COMMISSION,
        "signer_id": COMMISSION_ID,
        "station": STATION,
        "election": ELECTION,
        "created_at": CREATED,
    }
    arguments.update(changes)
    return seal(payload, **arguments)


def opened(package: SealedPackage, **changes: Any) -> bytes:
    arguments: dict[str, Any] = {
        "recipient_private": DEVICE,
        "signer_public": COMMISSION_PUBLIC,
        "station": STATION,
        "election": ELECTION,
    }
    arguments.update(changes)
    return open_package(package, **arguments)


def refusal(package: SealedPackage, **changes: Any) -> str:
    with pytest.raises(PackageError) as caught:
        opened(package, **changes)
    return caught.value.code


def flip(data: bytes, index: int = 0, mask: int = 0x01) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def resigned(package: SealedPackage, **changes: Any) -> SealedPackage:
    """The package changed and signed again with the commission's key (a stolen key, or a
    commission mistake): what only the AEAD binding can still catch."""
    changed = dataclasses.replace(package, **changes)
    return dataclasses.replace(changed, signature=COMMISSION.sign(changed.signed_bytes()))


# -- the good path ---------------------------------------------------------------------------


def test_the_device_opens_what_the_commission_sealed_to_it() -> None:
    package = sealed()
    assert opened(package) == PAYLOAD
    assert opened(package, station=None, election=None) == PAYLOAD
    assert package.format == FORMAT
    assert package.recipient == recipient_id(raw_public_x25519(DEVICE))
    assert len(package.recipient) == 32 and package.signer == COMMISSION_ID
    assert package.created_at == "2025-11-29T03:30:00Z"
    assert PAYLOAD not in package.ciphertext and PAYLOAD not in package.to_json()


def test_the_json_file_round_trips_and_is_canonical() -> None:
    package = sealed()
    text = package.to_json()
    document = json.loads(text)
    assert list(document) == sorted(document)
    assert b" " not in text
    assert base64.b64decode(document["ciphertext"]) == package.ciphertext
    again = SealedPackage.from_json(text)
    assert again == package
    assert opened(again) == PAYLOAD


def test_two_seals_of_one_payload_share_nothing_secret() -> None:
    first, second = sealed(), sealed()
    assert first.ephemeral != second.ephemeral and first.ciphertext != second.ciphertext


def test_an_empty_and_a_large_payload_seal() -> None:
    assert opened(sealed(b"")) == b""
    big = bytes(range(256)) * 20_000
    assert opened(sealed(big)) == big


def test_the_signature_covers_the_header_with_the_hash_in_canonical_form() -> None:
    package = sealed()
    signed = json.loads(package.signed_bytes())
    assert set(signed) == {
        "format", "station", "election", "created_at", "recipient", "ephemeral", "nonce",
        "signer", "sha256",
    }  # fmt: skip
    assert json.loads(package.associated_data()) == {
        k: v for k, v in signed.items() if k != "sha256"
    }


# -- every tamper, its refusal ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda p: {"ciphertext": flip(p.ciphertext)}, "hash_mismatch"),
        (lambda p: {"ciphertext": flip(p.ciphertext, -1, 0x80)}, "hash_mismatch"),
        (lambda p: {"ciphertext": p.ciphertext + b"\x00"}, "hash_mismatch"),
        (lambda p: {"nonce": flip(p.nonce, 5)}, "bad_signature"),
        (lambda p: {"ephemeral": flip(p.ephemeral, 31)}, "bad_signature"),
        (lambda p: {"station": STATION + 1}, "bad_signature"),
        (lambda p: {"election": "president-2026"}, "bad_signature"),
        (lambda p: {"created_at": "2025-11-29T03:30:01Z"}, "bad_signature"),
        (lambda p: {"recipient": recipient_id(raw_public_x25519(OTHER_DEVICE))}, "bad_signature"),
        (lambda p: {"signer": "b" * 32}, "bad_signature"),
        (lambda p: {"sha256": "0" * 64}, "bad_signature"),
        (lambda p: {"signature": flip(p.signature, 10)}, "bad_signature"),
    ],
)
def test_a_tampered_package_is_refused_with_its_code(change: Any, code: str) -> None:
    package = sealed()
    assert refusal(dataclasses.replace(package, **change(package))) == code


def test_another_devices_key_does_not_open_it() -> None:
    assert refusal(sealed(), recipient_private=OTHER_DEVICE) == "not_for_this_device"


def test_a_package_for_another_station_or_election_is_refused_before_opening() -> None:
    other = sealed(station=STATION + 1)
    assert refusal(other) == "wrong_station"
    assert refusal(sealed(election="president-2026")) == "wrong_election"
    # The device of station 1362 opens that package; this one refuses it.
    assert opened(other, station=STATION + 1) == PAYLOAD


def test_another_commission_key_is_not_the_commission() -> None:
    impostor = Ed25519PrivateKey.generate()
    assert refusal(sealed(signer=impostor)) == "bad_signature"
    assert refusal(sealed(), signer_public=raw_public_ed25519(impostor)) == "bad_signature"


def test_the_checks_run_in_the_documented_order() -> None:
    package = sealed(station=STATION + 1, election="other")
    tampered = dataclasses.replace(package, ciphertext=flip(package.ciphertext))
    assert refusal(tampered, recipient_private=OTHER_DEVICE) == "wrong_station"
    resigned_tampered = resigned(package, ciphertext=flip(package.ciphertext))
    assert refusal(resigned_tampered, station=STATION + 1) == "wrong_election"
    assert refusal(resigned_tampered, station=None, election=None) == "hash_mismatch"
    assert (
        refusal(resigned_tampered, station=None, election=None, recipient_private=OTHER_DEVICE)
        == "not_for_this_device"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"station": STATION + 1},
        {"election": "president-2026"},
        {"created_at": "2026-01-01T00:00:00Z"},
        {"nonce": bytes(12)},
        {"signer": "c" * 32},
    ],
)
def test_a_relabelled_package_does_not_open_even_when_signed_again(
    changes: dict[str, Any],
) -> None:
    package = resigned(sealed(), **changes)
    station = changes.get("station", STATION)
    election = changes.get("election", ELECTION)
    assert refusal(package, station=station, election=election) == "cannot_open"


def test_a_different_ciphertext_with_its_own_hash_signed_again_does_not_open() -> None:
    package = sealed()
    ciphertext = flip(package.ciphertext, 3)
    forged = resigned(package, ciphertext=ciphertext, sha256=hashlib.sha256(ciphertext).hexdigest())
    assert refusal(forged) == "cannot_open"


def test_an_ephemeral_key_of_low_order_does_not_open() -> None:
    package = resigned(sealed(), ephemeral=bytes(32))  # the all-zero point: no shared secret
    assert refusal(package) == "cannot_open"


# -- random payloads and flips ---------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(payload=st.binary(max_size=4096), data=st.data())
def test_random_payloads_round_trip_and_any_flip_is_refused(
    payload: bytes, data: st.DataObject
) -> None:
    package = sealed(payload)
    assert opened(SealedPackage.from_json(package.to_json())) == payload
    index = data.draw(st.integers(0, len(package.ciphertext) - 1), label="index")
    mask = data.draw(st.integers(1, 255), label="mask")
    ciphertext = flip(package.ciphertext, index, mask)
    assert refusal(dataclasses.replace(package, ciphertext=ciphertext)) == "hash_mismatch"
    rehashed = resigned(
        package, ciphertext=ciphertext, sha256=hashlib.sha256(ciphertext).hexdigest()
    )
    assert refusal(rehashed) == "cannot_open"


# -- reading a package file ------------------------------------------------------------------


def _document() -> dict[str, Any]:
    return dict(json.loads(sealed().to_json()))


def _malformed(data: bytes) -> list[str]:
    with pytest.raises(PackageError) as caught:
        SealedPackage.from_json(data, source="station-1361.json")
    assert caught.value.code == "malformed"
    return [problem.where for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d.pop("nonce"), ["nonce"]),
        (lambda d: d.update(extra=1), ["extra"]),
        (lambda d: d.update(station="1361"), ["station"]),
        (lambda d: d.update(station=True), ["station"]),
        (lambda d: d.update(station=0), ["station"]),
        (lambda d: d.update(station=1_000_000_000), ["station"]),
        (lambda d: d.update(election=""), ["election"]),
        (lambda d: d.update(election="a\nb"), ["election"]),
        (lambda d: d.update(election=["x"]), ["election"]),
        (lambda d: d.update(format="shailoo-station-package/2"), ["format"]),
        (lambda d: d.update(created_at="2025-11-29 03:30:00"), ["created_at"]),
        (lambda d: d.update(created_at="2025-02-30T03:30:00Z"), ["created_at"]),
        (lambda d: d.update(recipient="A" * 32), ["recipient"]),
        (lambda d: d.update(sha256="0" * 63), ["sha256"]),
        (lambda d: d.update(signer=""), ["signer"]),
        (lambda d: d.update(nonce=base64.b64encode(bytes(11)).decode()), ["nonce"]),
        (lambda d: d.update(ephemeral=base64.b64encode(bytes(33)).decode()), ["ephemeral"]),
        (lambda d: d.update(signature="not base64!"), ["signature"]),
        (lambda d: d.update(signature=d["signature"].rstrip("=")), ["signature"]),
        (lambda d: d.update(ciphertext=12), ["ciphertext"]),
        (lambda d: d.update(ciphertext=""), ["ciphertext"]),
    ],
)
def test_a_file_that_is_not_a_package_is_refused_naming_the_field(
    edit: Any, where: list[str]
) -> None:
    document = _document()
    edit(document)
    assert _malformed(json.dumps(document).encode()) == where


@pytest.mark.parametrize(
    "data",
    [b"", b"[]", b'"package"', b"{", b'{"station": NaN}', b"\xff\xfe", b"{" * 100 + b"}" * 100],
)
def test_a_file_that_is_not_json_or_not_an_object_is_malformed(data: bytes) -> None:
    with pytest.raises(PackageError) as caught:
        SealedPackage.from_json(data)
    assert caught.value.code == "malformed"


def test_an_oversized_file_is_refused_unread() -> None:
    with pytest.raises(PackageError) as caught:
        SealedPackage.from_json(sealed().to_json(), max_bytes=100)
    assert caught.value.code == "malformed"


def test_seal_needs_an_instant_and_a_station_the_format_can_carry() -> None:
    with pytest.raises(ValueError, match="time zone"):
        sealed(created_at=datetime(2025, 11, 29, 9, 30))
    with pytest.raises(PackageError):
        sealed(station=0)
    with pytest.raises(ValueError):
        sealed(recipient_public=b"short")
    assert sealed(created_at=datetime(2025, 11, 29, 3, 30, 59, 999, tzinfo=UTC)).created_at == (
        "2025-11-29T03:30:59Z"
    )


def test_device_keys_are_a_signing_and_a_sealing_key() -> None:
    signing, sealing = new_device_keys()
    assert isinstance(signing, Ed25519PrivateKey) and isinstance(sealing, X25519PrivateKey)
    assert len(raw_public_ed25519(signing)) == len(raw_public_x25519(sealing)) == 32
    assert raw_public_x25519(sealing.public_key()) == raw_public_x25519(sealing)
