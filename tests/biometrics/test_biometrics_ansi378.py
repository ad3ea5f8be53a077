"""ANSI/INCITS 378-2004 codec: known bytes, 2-degree angles, both length forms, refusals."""

from __future__ import annotations

import math
import struct

import pytest

from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.iso19794 import FingerRecord, FingerView, TemplateError
from shailoo.biometrics.minutiae import FingerTemplate, Minutia, MinutiaKind

# The ISO test's finger in the ANSI header: CBEFF product 0x0033/0x0001, a ridge ending at
# (100, 150) pointing up on the image: angle 45 (x 2 = 90 degrees).
KNOWN = bytes.fromhex(
    "464d5200"
    "20323000"
    "0026"  # record length 38 (short form)
    "0033"
    "0001"  # CBEFF product owner / type
    "0000"  # capture equipment
    "0190"
    "01f4"
    "00c5"
    "00c5"
    "01"
    "00"
    "02"
    "00"
    "50"
    "01"
    "4064"
    "0096"
    "2d"
    "46"
    "0000"
)


def test_known_bytes_decode_to_a_minutia_pointing_up() -> None:
    record = ansi378.decode(KNOWN)
    assert record.product == (0x33, 1)
    (template,) = record.templates()
    (m,) = template.minutiae
    assert (m.x, m.y, m.kind, m.quality) == (100, 150, MinutiaKind.RIDGE_ENDING, 70)
    assert m.theta == pytest.approx(math.pi / 2)
    assert m.direction()[1] == pytest.approx(-1.0)


def test_writer_produces_the_known_bytes() -> None:
    up = Minutia(100, 150, math.pi / 2, MinutiaKind.RIDGE_ENDING, 70)
    record = iso19794.record_of([FingerTemplate(400, 500, (up,), finger=2, quality=80)])
    record = FingerRecord(record.width, record.height, 197, 197, record.views, product=(0x33, 1))
    assert ansi378.encode(record) == KNOWN


@pytest.mark.parametrize(("degrees", "unit"), [(0, 0), (90, 45), (180, 90), (270, 135), (358, 179)])
def test_angles_are_two_degree_units_counter_clockwise(degrees, unit) -> None:
    template = FingerTemplate(64, 64, (Minutia(3, 4, math.radians(degrees)),))
    data = ansi378.to_bytes([template])
    assert data[26 + 4 + 4] == unit
    (back,) = ansi378.from_bytes(data)
    assert back.minutiae[0].theta == pytest.approx(math.radians(degrees))


def test_iso_and_ansi_agree_on_every_minutia_up_to_units() -> None:
    minutiae = tuple(
        Minutia(7 * i % 300, 11 * i % 400, math.radians(i * 8), MinutiaKind(i % 3), i)
        for i in range(45)
    )
    template = FingerTemplate(300, 400, minutiae, finger=6, quality=66)
    (via_iso,) = iso19794.from_bytes(iso19794.to_bytes([template]))
    (via_ansi,) = ansi378.from_bytes(ansi378.to_bytes([template]))
    for a, b in zip(via_iso.minutiae, via_ansi.minutiae, strict=True):
        assert (a.x, a.y, a.kind, a.quality) == (b.x, b.y, b.kind, b.quality)
        assert a.theta == pytest.approx(b.theta, abs=math.radians(1.5))


def test_iso_bytes_are_not_read_as_ansi() -> None:
    with pytest.raises(TemplateError) as caught:
        ansi378.decode(iso19794.to_bytes([FingerTemplate(64, 64, ())]))
    assert caught.value.offset == 8


def _big_record() -> FingerRecord:
    """Enough views and extended data to need the 6-byte length form."""
    views = tuple(
        FingerView(finger, 0, 0, 50, (), (iso19794.ExtendedBlock(0x0100, bytes(7000)),))
        for finger in range(11)
    )
    return FingerRecord(500, 500, 197, 197, views)


def test_records_over_65535_bytes_use_the_long_length_form() -> None:
    data = ansi378.encode(_big_record())
    assert len(data) > 0xFFFF
    assert data[8:10] == b"\0\0" and struct.unpack(">I", data[10:14])[0] == len(data)
    assert ansi378.encode(ansi378.decode(data)) == data


def test_the_long_form_for_a_small_record_is_refused() -> None:
    data = KNOWN[:8] + struct.pack(">HI", 0, len(KNOWN) + 4) + KNOWN[10:]
    with pytest.raises(TemplateError, match="long length form") as caught:
        ansi378.decode(data)
    assert caught.value.offset == 8


def _patch(offset: int, value: bytes) -> bytes:
    return KNOWN[:offset] + value + KNOWN[offset + len(value) :]


@pytest.mark.parametrize(
    ("data", "offset", "reason"),
    [
        (_patch(8, b"\x00\x27"), 8, "record length field 39"),
        (KNOWN[:-1], 8, "37 bytes given"),
        (_patch(34, b"\xb4"), 34, "angle 180 is not below 180"),
        (_patch(30, b"\xc0"), 30, "type 11"),
        (_patch(32, b"\x80\x01"), 32, "reserved bits"),
        (_patch(24, b"\x00"), 24, "no finger views"),
        (_patch(25, b"\x01"), 25, "reserved header byte"),
        (_patch(26, b"\x0b"), 26, "finger position 11"),
    ],
)
def test_malformed_records_are_refused_at_their_byte(data, offset, reason) -> None:
    with pytest.raises(TemplateError) as caught:
        ansi378.decode(data)
    assert caught.value.offset == offset, caught.value
    assert reason in caught.value.reason
