"""Sealed station packages (format ``shailoo-station-package/1``).

Before polling day each identification device downloads its station's package: the station's
gallery and list, and nothing of any other station. The package is

* **sealed to the one device**: an ephemeral X25519 key agreement with the device's X25519
  key, HKDF-SHA256 (no salt; info = the format name, a zero byte, the station number as 8
  bytes big-endian, the election's UTF-8 name) gives a fresh AES-256-GCM key; a copy taken
  off the server, the network or another device's storage opens nowhere else;
* **bound to its station and election**: the header (format, station, election, created_at,
  recipient, ephemeral, nonce, signer) is the AEAD's associated data, so a package relabelled
  for another station or election does not open even if the commission's key signed the
  relabelled header;
* **signed by the commission**: an Ed25519 signature over the canonical JSON of the header
  with the SHA-256 of the ciphertext (sorted keys, no spaces, UTF-8: RFC 8785 for this
  header, which holds only text and integers), so the device refuses a package the
  commission did not issue before it spends effort on it.

The ciphertext's hash cannot be associated data (it is computed from the ciphertext), so it
is signed instead. :func:`open_package` checks, in order, each refusal a
:class:`PackageError` with its ``code``: ``bad_signature``, ``wrong_station``,
``wrong_election``, ``not_for_this_device``, ``hash_mismatch``, ``cannot_open``; a file that
is not a package at all is ``malformed``.

Pure: no Django (the reference device client uses it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.common.safe_json import JsonInputError, loads

__all__ = [
    "FORMAT",
    "MAX_PACKAGE_BYTES",
    "PackageError",
    "SealedPackage",
    "new_device_keys",
    "open_package",
    "raw_public_ed25519",
    "raw_public_x25519",
    "recipient_id",
    "seal",
]

FORMAT = "shailoo-station-package/1"
#: A station's gallery and list, base64 in JSON: a few megabytes; far more is no package.
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
#: Station numbers have at most nine digits.
MAX_STATION = 999_999_999
MAX_ELECTION_CHARS = 200
MAX_SIGNER_CHARS = 128
_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_SIGNATURE_BYTES = 64
_BYTE_FIELDS = ("ephemeral", "nonce", "ciphertext", "signature")
_CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PackageError(InvalidInput):
    """A station package refused; ``code`` says which check failed (see the module)."""

    def __init__(self, code: str, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(code, message, problems=problems or ())


def _printable(text: str) -> bool:
    """Text without control characters or lone surrogates (it is signed as UTF-8)."""
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _field_problems(values: dict[str, Any]) -> list[Problem]:
    """Every way the fields of a package can be ill-formed, each named by its field."""
    found: list[Problem] = []

    def bad(where: str, why: str) -> None:
        found.append(Problem(where, why))

    if values["format"] != FORMAT:
        bad("format", f"must be {FORMAT!r}")
    station = values["station"]
    if isinstance(station, bool) or not isinstance(station, int):
        bad("station", "must be a whole number")
    elif not 1 <= station <= MAX_STATION:
        bad("station", f"must be a station number from 1 to {MAX_STATION}")
    election = values["election"]
    if not isinstance(election, str) or not election or len(election) > MAX_ELECTION_CHARS:
        bad("election", f"must be text of 1 to {MAX_ELECTION_CHARS} characters")
    elif not _printable(election):
        bad("election", "must not hold control characters")
    created_at = values["created_at"]
    if not isinstance(created_at, str) or not _CREATED_AT.match(created_at):
        bad("created_at", "must be a UTC time YYYY-MM-DDTHH:MM:SSZ")
    else:
        try:
            datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            bad("created_at", "is not a real date and time")
    if not isinstance(values["recipient"], str) or not _HEX32.match(values["recipient"]):
        bad("recipient", "must be 32 lower-case hex digits")
    if not isinstance(values["sha256"], str) or not _HEX64.match(values["sha256"]):
        bad("sha256", "must be 64 lower-case hex digits")
    signer = values["signer"]
    if not isinstance(signer, str) or not signer or len(signer) > MAX_SIGNER_CHARS:
        bad("signer", f"must be a key id of 1 to {MAX_SIGNER_CHARS} characters")
    elif not _printable(signer):
        bad("signer", "must not hold control characters")
    sizes = {
        "ephemeral": (_KEY_BYTES, _KEY_BYTES),
        "nonce": (_NONCE_BYTES, _NONCE_BYTES),
        "ciphertext": (_TAG_BYTES, None),
        "signature": (_SIGNATURE_BYTES, _SIGNATURE_BYTES),
    }
    for name, (least, most) in sizes.items():
        value = values[name]
        if not isinstance(value, bytes):
            bad(name, "must be bytes")
        elif len(value) < least or (most is not None and len(value) > most):
            size = f"{least}" if least == most else f"at least {least}"
            bad(name, f"must be {size} bytes, got {len(value)}")
    return found


def _canonical(document: dict[str, str | int]) -> bytes:
    """Sorted keys, no spaces, UTF-8: RFC 8785 for a document of text and small integers."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class SealedPackage:
    """A sealed, signed station package; every instance is well-formed (else ``malformed``)."""

    format: str
    station: int
    election: str
    created_at: str
    recipient: str
    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes
    sha256: str
    signer: str
    signature: bytes

    def __post_init__(self) -> None:
        problems = _field_problems({f.name: getattr(self, f.name) for f in fields(self)})
        if problems:
            raise PackageError("malformed", "not a well-formed station package", problems)

    def _header(self, *, with_hash: bool) -> dict[str, str | int]:
        header: dict[str, str | int] = {
            "format": self.format,
            "station": self.station,
            "election": self.election,
            "created_at": self.created_at,
            "recipient": self.recipient,
            "ephemeral": _b64(self.ephemeral),
            "nonce": _b64(self.nonce),
            "signer": self.signer,
        }
        if with_hash:
            header["sha256"] = self.sha256
        return header

    def associated_data(self) -> bytes:
        """What the AEAD binds the content to: the header without the ciphertext's hash."""
        return _canonical(self._header(with_hash=False))

    def signed_bytes(self) -> bytes:
        """What the commission's signature covers: the header with the ciphertext's hash."""
        return _canonical(self._header(with_hash=True))

    def to_json(self) -> bytes:
        """The package as a JSON file: bytes in base64, keys sorted, no spaces."""
        document = self._header(with_hash=True)
        document["ciphertext"] = _b64(self.ciphertext)
        document["signature"] = _b64(self.signature)
        return _canonical(document)

    @classmethod
    def from_json(
        cls, data: bytes, *, source: str = "", max_bytes: int = MAX_PACKAGE_BYTES
    ) -> SealedPackage:
        """Read a package file strictly: exactly the fields of the format, each of its type;
        anything else is :class:`PackageError` ``malformed`` naming every field at fault."""
        try:
            document = loads(data, source=source, max_bytes=max_bytes)
        except JsonInputError as exc:
            raise PackageError("malformed", "not a station package: " + exc.message) from None
        if not isinstance(document, dict):
            raise PackageError(
                "malformed", "not a station package", [Problem("", "must be a JSON object")]
            )
        names = [f.name for f in fields(cls)]
        problems = [Problem(name, "required field is missing") for name in names]
        problems = [p for p in problems if p.where not in document]
        problems += [
            Problem(str(key), "unknown field") for key in sorted(document) if key not in names
        ]
        values: dict[str, Any] = {}
        for name in names:
            value = document.get(name)
            if name in _BYTE_FIELDS and name in document:
                decoded = _unbase64(value)
                if decoded is None:
                    problems.append(Problem(name, "must be base64 text"))
                values[name] = decoded
            else:
                values[name] = value
        if not problems:
            problems = _field_problems(values)
        if problems:
            raise PackageError("malformed", "not a well-formed station package", problems)
        return cls(**values)


def _unbase64(value: object) -> bytes | None:
    """Canonical standard base64 (padding included), else None."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if _b64(decoded) == value else None


def raw_public_x25519(key: X25519PrivateKey | X25519PublicKey) -> bytes:
    """The 32 raw bytes of an X25519 public key (of a private key: its public half)."""
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_public_ed25519(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key (of a private key: its public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def recipient_id(public: bytes) -> str:
    """A device's sealing-key id: the first 32 hex digits of SHA-256 of its raw X25519 key."""
    return hashlib.sha256(public).hexdigest()[:32]


def new_device_keys() -> tuple[Ed25519PrivateKey, X25519PrivateKey]:
    """A device's two keys: Ed25519 to sign its requests, X25519 to open its package."""
    return Ed25519PrivateKey.generate(), X25519PrivateKey.generate()


def _content_key(shared: bytes, station: int, election: str) -> bytes:
    info = FORMAT.encode() + b"\x00" + station.to_bytes(8, "big") + election.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("created_at needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seal(
    payload: bytes,
    *,
    recipient_public: bytes,
    signer: Ed25519PrivateKey,
    signer_id: str,
    station: int,
    election: str,
    created_at: datetime,
) -> SealedPackage:
    """Seal ``payload`` to the device whose raw X25519 key is ``recipient_public`` and sign
    it with the commission's key ``signer`` (registered as ``signer_id``)."""
    device = X25519PublicKey.from_public_bytes(recipient_public)
    ephemeral_key = X25519PrivateKey.generate()
    shared = ephemeral_key.exchange(device)
    unsigned = SealedPackage(
        format=FORMAT,
        station=station,
        election=election,
        created_at=_utc_text(created_at),
        recipient=recipient_id(recipient_public),
        ephemeral=raw_public_x25519(ephemeral_key),
        nonce=os.urandom(_NONCE_BYTES),
        ciphertext=bytes(_TAG_BYTES),
        sha256="0" * 64,
        signer=signer_id,
        signature=bytes(_SIGNATURE_BYTES),
    )
    key = _content_key(shared, station, election)
    ciphertext = AESGCM(key).encrypt(unsigned.nonce, payload, unsigned.associated_data())
    hashed = _replace(unsigned, ciphertext=ciphertext, sha256=_sha256(ciphertext))
    return _replace(hashed, signature=signer.sign(hashed.signed_bytes()))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _replace(package: SealedPackage, **changes: Any) -> SealedPackage:
    values = {f.name: getattr(package, f.name) for f in fields(package)}
    values.update(changes)
    return SealedPackage(**values)


def open_package(
    package: SealedPackage,
    *,
    recipient_private: X25519PrivateKey,
    signer_public: bytes,
    station: int | None = None,
    election: str | None = None,
) -> bytes:
    """The payload of ``package``, after every check (module docstring) passed.

    ``station`` and ``election``, when given, are what the device was enrolled for: a valid
    package for another station or election is refused before it is opened.
    """
    commission = Ed25519PublicKey.from_public_bytes(signer_public)
    try:
        commission.verify(package.signature, package.signed_bytes())
    except InvalidSignature:
        raise PackageError(
            "bad_signature", "the package is not signed by the commission's key, or was altered"
        ) from None
    if station is not None and package.station != station:
        raise PackageError(
            "wrong_station", f"the package is for station {package.station}, not {station}"
        )
    if election is not None and package.election != election:
        raise PackageError(
            "wrong_election", f"the package is for election {package.election!r}, not {election!r}"
        )
    own = raw_public_x25519(recipient_private)
    if package.recipient != recipient_id(own):
        raise PackageError("not_for_this_device", "the package is sealed to another device's key")
    if _sha256(package.ciphertext) != package.sha256:
        raise PackageError("hash_mismatch", "the content does not match its signed hash")
    try:
        shared = recipient_private.exchange(X25519PublicKey.from_public_bytes(package.ephemeral))
        key = _content_key(shared, package.station, package.election)
        return AESGCM(key).decrypt(package.nonce, package.ciphertext, package.associated_data())
    except (InvalidTag, ValueError):
        raise PackageError(
            "cannot_open", "the package does not open with this device's key"
        ) from None
