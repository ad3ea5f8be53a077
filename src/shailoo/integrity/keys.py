"""The key registry: Ed25519 public keys of commissions and polling-station devices.

A device or commission makes its own key pair and hands over only the public key; the
commission registers it, bound to a polling station (devices) or a commission code, and may
later rebind, rotate or revoke it. Every such act is written to the ledger in the same
transaction, so the registry's history is as tamper-evident as the data it protects.

Times are kept to the millisecond, the resolution tree heads and the verifier use, so a
validity window means the same thing in the database and in an exported ``keys.json``.
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction
from django.utils import timezone

from shailoo.common.refusals import Refusal
from shailoo.integrity import ledger
from shailoo.integrity.canonical import JSONValue
from shailoo.integrity.models import SUBMISSION, TREE_HEAD, RegisteredKey
from shailoo.integrity.verifier import KeyRecord, key_id, stored_bytes

USAGES = (TREE_HEAD, SUBMISSION)


class KeyRegistryError(Refusal):
    """A refused key operation: ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


# --- key material ----------------------------------------------------------------------------


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32-byte raw public key (what key ids and the registry use)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def parse_public_key(text: str) -> bytes:
    """Accept a raw key as 64 hex digits or base64, or a PEM SubjectPublicKeyInfo."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            public = serialization.load_pem_public_key(text.encode("ascii"))
        except ValueError as exc:
            raise KeyRegistryError("malformed_key", f"unreadable PEM public key: {exc}") from None
        if not isinstance(public, Ed25519PublicKey):
            raise KeyRegistryError("malformed_key", "the PEM key is not an Ed25519 key")
        return raw_public(public)
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise KeyRegistryError("malformed_key", "an Ed25519 public key is 32 bytes (64 hex)")
    return raw


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write a PKCS#8 PEM readable by its owner only (0600, directory 0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_private_key(path: Path, *, strict_mode: bool = False) -> Ed25519PrivateKey:
    """Read a PEM Ed25519 private key; ``strict_mode`` refuses a group/world-readable file."""
    try:
        if strict_mode and path.stat().st_mode & 0o077:
            raise KeyRegistryError("key_file", f"{path} must be readable by its owner only (0600)")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise KeyRegistryError("key_file", f"cannot read key file {path}: {exc.strerror}") from None
    except ValueError:
        raise KeyRegistryError("key_file", f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRegistryError("key_file", f"{path} does not hold an Ed25519 key")
    return key


# --- times -----------------------------------------------------------------------------------


def now_ms() -> int:
    return int(timezone.now().timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def in_force(key: RegisteredKey, at_ms: int) -> bool:
    """Active, not revoked by then, and ``valid_from <= at <= valid_to``."""
    record = key_record(key)
    if key.status != RegisteredKey.Status.ACTIVE or at_ms < record.valid_from_ms:
        return False
    return record.valid_to_ms is None or at_ms <= record.valid_to_ms


def key_record(key: RegisteredKey) -> KeyRecord:
    """The key as the standalone verifier sees it (``keys.json``)."""
    return KeyRecord(
        key.key_id,
        stored_bytes(key.public_key),  # DamagedValue (503) if text was edited into it
        key.usage,
        to_ms(key.valid_from) or 0,
        to_ms(key.valid_to),
        to_ms(key.revoked_at),
    )


# --- registry --------------------------------------------------------------------------------


def get_key(kid: str) -> RegisteredKey:
    key = RegisteredKey.objects.filter(key_id=kid).first()
    if key is None:
        raise KeyRegistryError("unknown_key", f"no registered key {kid}")
    return key


def _binding(station_number: int | None, commission_code: str) -> dict[str, JSONValue]:
    if (station_number is None) == (not commission_code):
        raise KeyRegistryError(
            "binding", "bind a key to exactly one polling station number or commission code"
        )
    if station_number is not None and station_number <= 0:
        raise KeyRegistryError("binding", "a polling station number is a positive integer")
    return {"station": station_number, "commission": commission_code or None}


def _log(kind: str, key: RegisteredKey, actor: str, **extra: JSONValue) -> None:
    data: dict[str, JSONValue] = {
        "key_id": key.key_id,
        "public_key": bytes(key.public_key).hex(),
        "usage": key.usage,
        "station": key.station_number,
        "commission": key.commission_code or None,
        **extra,
    }
    ledger.record(kind, actor=actor, subject=f"key:{key.key_id}", data=data)


def register_key(
    public_key: bytes,
    *,
    usage: str,
    actor: str,
    station_number: int | None = None,
    commission_code: str = "",
    label: str = "",
    replaces: RegisteredKey | None = None,
) -> RegisteredKey:
    """Register a public key, in force from now; refused if it is already registered."""
    if usage not in USAGES:
        raise KeyRegistryError("usage", f"usage must be one of {', '.join(USAGES)}")
    if usage == TREE_HEAD and station_number is not None:
        raise KeyRegistryError("binding", "tree heads are signed by a commission, not a station")
    _binding(station_number, commission_code)
    if len(public_key) != 32:
        raise KeyRegistryError("malformed_key", "an Ed25519 public key is 32 bytes")
    kid = key_id(public_key)
    with transaction.atomic():
        if RegisteredKey.objects.filter(key_id=kid).exists():
            raise KeyRegistryError("duplicate", f"key {kid} is already registered")
        key = RegisteredKey.objects.create(
            key_id=kid,
            public_key=public_key,
            usage=usage,
            label=label,
            station_number=station_number,
            commission_code=commission_code,
            valid_from=from_ms(now_ms()),
            replaces=replaces,
        )
        _log("key.register", key, actor, valid_from_ms=to_ms(key.valid_from))
    return key


def bind_key(
    kid: str, *, actor: str, station_number: int | None = None, commission_code: str = ""
) -> RegisteredKey:
    """Move an active key to another polling station or commission."""
    binding = _binding(station_number, commission_code)
    with transaction.atomic():
        key = RegisteredKey.objects.select_for_update().filter(key_id=kid).first()
        if key is None:
            raise KeyRegistryError("unknown_key", f"no registered key {kid}")
        if key.status != RegisteredKey.Status.ACTIVE:
            raise KeyRegistryError("revoked_key", f"key {kid} is revoked")
        if key.usage == TREE_HEAD and station_number is not None:
            raise KeyRegistryError("binding", "tree heads are signed by a commission")
        key.station_number, key.commission_code = station_number, commission_code
        key.save(update_fields=["station_number", "commission_code"])
        _log("key.bind", key, actor, **binding)
    return key


def revoke_key(kid: str, *, actor: str, reason: str) -> RegisteredKey:
    """Revoke a key from now on (lost device, suspected compromise); it signs nothing more."""
    if not reason.strip():
        raise KeyRegistryError("reason", "say why the key is revoked")
    with transaction.atomic():
        key = RegisteredKey.objects.select_for_update().filter(key_id=kid).first()
        if key is None:
            raise KeyRegistryError("unknown_key", f"no registered key {kid}")
        if key.status == RegisteredKey.Status.REVOKED:
            raise KeyRegistryError("revoked_key", f"key {kid} is already revoked")
        key.status = RegisteredKey.Status.REVOKED
        key.revoked_at = from_ms(now_ms())
        key.revocation_reason = reason.strip()[:300]
        key.save(update_fields=["status", "revoked_at", "revocation_reason"])
        _log("key.revoke", key, actor, reason=key.revocation_reason)
    return key


def rotate_key(kid: str, new_public_key: bytes, *, actor: str) -> RegisteredKey:
    """Replace a key by a new one with the same usage and binding.

    The old key stays registered, its validity closed at the rotation time, so everything
    it signed before still verifies; it signs nothing after.
    """
    with transaction.atomic():
        old = RegisteredKey.objects.select_for_update().filter(key_id=kid).first()
        if old is None:
            raise KeyRegistryError("unknown_key", f"no registered key {kid}")
        if old.status != RegisteredKey.Status.ACTIVE:
            raise KeyRegistryError("revoked_key", f"key {kid} is revoked: register a new one")
        if RegisteredKey.objects.filter(replaces=old).exists():
            raise KeyRegistryError("rotated", f"key {kid} was already rotated")
        new = register_key(
            new_public_key,
            usage=old.usage,
            actor=actor,
            station_number=old.station_number,
            commission_code=old.commission_code,
            label=old.label,
            replaces=old,
        )
        old.valid_to = new.valid_from
        old.save(update_fields=["valid_to"])
        _log("key.rotate", old, actor, replaced_by=new.key_id, valid_to_ms=to_ms(old.valid_to))
    return new
