"""The text a ballot's QR code carries, and its strict decoding.

``SHB1|<election>|<style>|<station>|<serial>|<crc>``: a version prefix, the four facts the
reader needs to pick the layout and to refuse a sheet from elsewhere, and a CRC-32 (8 hex
digits) of everything before it. The QR code's own error correction already repairs damage; the
CRC catches a payload that was never ours, or one that was edited and re-encoded by hand, so a
sheet is never read against the wrong layout.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from shailoo.common.refusals import InvalidInput

PREFIX = "SHB1"
SEPARATOR = "|"
_FIELD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SERIAL = re.compile(r"^[0-9]{1,12}$")


class QrPayloadError(InvalidInput):
    """A QR text that is not a valid Shailoo ballot payload; the message says why."""

    default_code = "qr_payload_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


@dataclass(frozen=True, slots=True)
class BallotQr:
    """What the QR code of one printed sheet says."""

    election_id: str
    style_id: str
    station: str
    serial: str

    def __post_init__(self) -> None:
        for name in ("election_id", "style_id", "station"):
            value = getattr(self, name)
            if not _FIELD.match(value):
                raise QrPayloadError(f"{name} {value!r} is not 1-64 of [A-Za-z0-9_.-]")
        if not _SERIAL.match(self.serial):
            raise QrPayloadError(f"serial {self.serial!r} is not 1-12 digits")


def _crc(body: str) -> str:
    return f"{zlib.crc32(body.encode('ascii')):08X}"


def encode(qr: BallotQr) -> str:
    """The payload text for a sheet."""
    body = SEPARATOR.join((PREFIX, qr.election_id, qr.style_id, qr.station, qr.serial))
    return f"{body}{SEPARATOR}{_crc(body)}"


def decode(text: str) -> BallotQr:
    """Parse and check a payload; any deviation raises :class:`QrPayloadError`."""
    if not text.isascii():
        raise QrPayloadError("payload is not ASCII")
    parts = text.split(SEPARATOR)
    if parts[0] != PREFIX:
        raise QrPayloadError(f"payload does not start with {PREFIX}{SEPARATOR}")
    if len(parts) != 6:
        raise QrPayloadError(f"payload has {len(parts)} fields, expected 6")
    body, crc = text.rsplit(SEPARATOR, 1)
    if crc != _crc(body):
        raise QrPayloadError("payload check digits do not match")
    return BallotQr(parts[1], parts[2], parts[3], parts[4])


def serial_text(number: int) -> str:
    """Sheet serials are printed with six digits (more when a station prints over a million)."""
    if number < 0:
        raise ValueError("serial numbers are not negative")
    return f"{number:06d}"
