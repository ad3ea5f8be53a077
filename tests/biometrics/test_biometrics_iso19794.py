"""ISO/IEC 19794-2:2005 codec: a hand-made known-bytes record, the angle convention, round trips
and every refusal located at its byte."""

from __future__ import annotations

import math
import struct

import pytest

from shailoo.biometrics import iso19794
from shailoo.biometrics.iso19794 import (
    ExtendedBlock,
    FingerRecord,
    FingerView,
    TemplateError,
    decode,
    encode,
)
from shailoo.biometrics.minutiae import FingerTemplate, Minutia, MinutiaKind

# One right index finger (position 2), 400 x 500 px at 197 px/cm, one ridge ending at
# (100, 150) pointing straight up on the image: angle byte 64 (= 90 degrees).
KNOWN = bytes.fromhex(
    "464d5200"  # "FMR\0"
    "20323000"  # " 20\0"
    "00000024"  # record length 36
    "0000"  # capture equipment
    "0190"
    "01f4"  # 400 x 500
    "00c5"
    "00c5"  # 197 px/cm
    "01"
    "00"  # one view, reserved
    "02"
    "00"
    "50"
    "01"  # finger 2, view 0 / live plain, quality 80, one minutia
    "4064"
    "0096"
    "40"
    "46"  # ridge ending x=100, y=150, angle 64, quality 70
    "0000"  # no extended data
)


def test_known_bytes_decode_to_a_minutia_pointing_up() -> None:
    record = decode(KNOWN)
    assert (record.width, record.height, record.x_resolution, record.y_resolution) == (
        400,
        500,
        197,
        197,
    )
    (template,) = record.templates()
    assert template.finger == 2 and template.quality == 80
    (m,) = template.minutiae
    assert (m.x, m.y, m.kind, m.quality) == (100, 150, MinutiaKind.RIDGE_ENDING, 70)
    assert m.theta == pytest.approx(math.pi / 2)
    dx, dy = m.direction()
    assert dx == pytest.approx(0.0, abs=1e-12) and dy == pytest.approx(-1.0)  # up: y shrinks


def test_known_bytes_are_what_the_writer_produces() -> None:
    up = Minutia(100, 150, math.pi / 2, MinutiaKind.RIDGE_ENDING, 70)
    template = FingerTemplate(400, 500, (up,), resolution=197, finger=2, quality=80)
    assert iso19794.to_bytes([template]) == KNOWN


@pytest.mark.parametrize(
    ("direction", "byte"),
    [((1, 0), 0), ((0, -1), 64), ((-1, 0), 128), ((0, 1), 192), ((1, -1), 32)],
)
def test_angle_bytes_count_counter_clockwise_as_seen_on_the_image(direction, byte) -> None:
    """A minutia pointing right is 0, up (y shrinking) 64, left 128, down 192."""
    theta = math.atan2(-direction[1], direction[0]) % (2 * math.pi)
    template = FingerTemplate(400, 500, (Minutia(10, 10, theta),))
    data = iso19794.to_bytes([template])
    assert data[24 + 4 + 4] == byte
    (back,) = iso19794.from_bytes(data)
    dx, dy = back.minutiae[0].direction()
    norm = math.hypot(*direction)
    assert dx == pytest.approx(direction[0] / norm, abs=1e-9)
    assert dy == pytest.approx(direction[1] / norm, abs=1e-9)


def _record() -> FingerRecord:
    views = (
        FingerView(
            2,
            0,
            0,
            77,
            (
                Minutia(0, 0, 0.0, MinutiaKind.OTHER, 0),
                Minutia(399, 499, 6.2, MinutiaKind.BIFURCATION, 100),
                Minutia(123, 321, 2 * math.pi * 200 / 256, MinutiaKind.RIDGE_ENDING, 55),
            ),
            (ExtendedBlock(1, b"\x01\x02\x03"), ExtendedBlock(0x0100, b"")),
        ),
        FingerView(7, 1, 1, 40, ()),
        FingerView(2, 1, 8, 90, (Minutia(5, 6, 1.0),)),
    )
    return FingerRecord(400, 500, 197, 196, views, certification=0x8, device_type=0x123)


def test_bytes_round_trip_exactly_and_records_round_trip_to_angle_precision() -> None:
    record = _record()
    data = encode(record)
    back = decode(data)
    assert encode(back) == data
    assert (back.certification, back.device_type, back.y_resolution) == (0x8, 0x123, 196)
    assert back.views[0].extended == record.views[0].extended
    for original, decoded in zip(record.views, back.views, strict=True):
        assert (decoded.finger, decoded.view, decoded.impression, decoded.quality) == (
            original.finger,
            original.view,
            original.impression,
            original.quality,
        )
        for a, b in zip(original.minutiae, decoded.minutiae, strict=True):
            assert (a.x, a.y, a.kind, a.quality) == (b.x, b.y, b.kind, b.quality)
            diff = (a.theta - b.theta + math.pi) % (2 * math.pi) - math.pi
            assert abs(diff) <= math.pi / 256 + 1e-12


def test_an_angle_just_below_a_full_turn_wraps_to_zero() -> None:
    data = iso19794.to_bytes([FingerTemplate(50, 50, (Minutia(1, 1, 2 * math.pi - 1e-6),))])
    assert data[24 + 4 + 4] == 0


def _patch(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


def _with_length(data: bytes) -> bytes:
    return _patch(data, 8, struct.pack(">I", len(data)))


CASES = [
    ("empty", b"", 0, "truncated"),
    ("magic", _patch(KNOWN, 0, b"FMX\0"), 0, "format identifier"),
    ("version", _patch(KNOWN, 4, b" 30\0"), 4, "version"),
    ("length too big", _patch(KNOWN, 8, struct.pack(">I", 37)), 8, "record length field 37"),
    ("length too small", _patch(KNOWN, 8, struct.pack(">I", 35)), 8, "36 bytes given"),
    ("truncated", _with_length(KNOWN[:30]), 28, "truncated"),
    ("trailing bytes", _with_length(KNOWN + b"\0"), 36, "after the last finger view"),
    ("zero width", _patch(KNOWN, 14, b"\0\0"), 14, "image width is 0"),
    ("zero resolution", _patch(KNOWN, 20, b"\0\0"), 20, "y resolution is 0"),
    ("no views", _with_length(_patch(KNOWN, 22, b"\0")[:24]), 22, "no finger views"),
    ("reserved header byte", _patch(KNOWN, 23, b"\1"), 23, "reserved header byte"),
    ("finger position", _patch(KNOWN, 24, b"\x0b"), 24, "finger position 11"),
    ("impression type", _patch(KNOWN, 25, b"\x05"), 25, "impression type 5"),
    ("finger quality", _patch(KNOWN, 26, b"\x65"), 26, "finger quality 101"),
    ("count beyond bytes", _patch(KNOWN, 27, b"\x02"), 28, "2 minutiae"),
    ("unknown type", _patch(KNOWN, 28, b"\xc0"), 28, "type 11"),
    ("x outside", _patch(KNOWN, 28, b"\x41\x90"), 28, "x 400 is outside"),
    ("y outside", _patch(KNOWN, 30, b"\x01\xf4"), 30, "y 500 is outside"),
    ("reserved y bits", _patch(KNOWN, 30, b"\x40\x96"), 30, "reserved bits"),
    ("minutia quality", _patch(KNOWN, 33, b"\x65"), 33, "minutia quality 101"),
    ("extended length beyond", _patch(KNOWN, 34, b"\x00\x10"), 36, "extended data needs 16"),
]


@pytest.mark.parametrize(("name", "data", "offset", "reason"), CASES, ids=[c[0] for c in CASES])
def test_malformed_records_are_refused_at_their_byte(name, data, offset, reason) -> None:
    with pytest.raises(TemplateError) as caught:
        decode(data)
    assert caught.value.offset == offset, caught.value
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"byte {offset}: ")


def _with_extended(ext: bytes) -> bytes:
    return _with_length(KNOWN[:-2] + struct.pack(">H", len(ext)) + ext)


@pytest.mark.parametrize(
    ("ext", "offset", "reason"),
    [
        (b"\x00\x01\x00\x03", 38, "does not fit"),  # block length under its own header
        (b"\x00\x01\x00\x09\x00", 38, "does not fit"),  # longer than the area
        (b"\x00\x00\x00\x04", 36, "type 0 is reserved"),
        (b"\x00\x01\x00", 36, "inside a block header"),
    ],
)
def test_malformed_extended_data_is_refused(ext, offset, reason) -> None:
    with pytest.raises(TemplateError) as caught:
        decode(_with_extended(ext))
    assert caught.value.offset == offset and reason in caught.value.reason


def test_a_view_repeated_for_the_same_finger_is_refused() -> None:
    view = KNOWN[24:36]
    data = _patch(KNOWN, 22, b"\x02") + view
    with pytest.raises(TemplateError, match="appears twice") as caught:
        decode(_with_length(data))
    assert caught.value.offset == 36


def test_oversized_input_is_refused_before_parsing() -> None:
    with pytest.raises(TemplateError, match="exceeds the limit"):
        decode(KNOWN + bytes(iso19794.MAX_RECORD_SIZE))


def test_non_bytes_are_refused() -> None:
    with pytest.raises(TemplateError, match="bytes, not str"):
        decode("FMR")


@pytest.mark.parametrize(
    "template",
    [
        FingerTemplate(100, 100, (Minutia(100, 5, 0.0),)),  # x == width
        FingerTemplate(100, 100, (Minutia(5, 5, 0.0, quality=101),)),
        FingerTemplate(100, 100, (Minutia(5, 5, 0.0),), finger=11),
        FingerTemplate(100, 100, (Minutia(5, 5, 0.0),) * 256),
        FingerTemplate(0, 100, ()),
    ],
)
def test_the_writer_refuses_what_the_format_cannot_hold(template) -> None:
    with pytest.raises(ValueError):
        iso19794.to_bytes([template])


def test_views_of_one_record_must_share_the_image_geometry() -> None:
    with pytest.raises(ValueError, match="share the image size"):
        iso19794.to_bytes([FingerTemplate(100, 100, ()), FingerTemplate(200, 100, ())])


def test_several_impressions_of_one_finger_get_successive_view_numbers() -> None:
    record = decode(iso19794.to_bytes([FingerTemplate(100, 100, (), finger=3)] * 3))
    assert [(v.finger, v.view) for v in record.views] == [(3, 0), (3, 1), (3, 2)]


def test_cli_decode_prints_the_header_and_counts(tmp_path) -> None:
    from typer.testing import CliRunner

    from shailoo.biometrics import ansi378
    from shailoo.cli import app

    iso_file, ansi_file = tmp_path / "a.iso", tmp_path / "b.ansi"
    iso_file.write_bytes(KNOWN)
    ansi_file.write_bytes(ansi378.to_bytes(decode(KNOWN).templates()))
    result = CliRunner().invoke(app, ["biometrics", "decode", str(iso_file)])
    assert result.exit_code == 0, result.output
    assert "iso image=400x500" in result.output and "finger=2 " in result.output
    assert "minutiae=1 " in result.output
    result = CliRunner().invoke(app, ["biometrics", "decode", str(ansi_file)])
    assert result.exit_code == 0 and "ansi image=400x500" in result.output
    result = CliRunner().invoke(app, ["biometrics", "decode", str(ansi_file), "--format", "iso"])
    assert result.exit_code == 2


def test_cli_decode_locates_the_error_in_a_bad_file(tmp_path) -> None:
    from typer.testing import CliRunner

    from shailoo.cli import app

    bad = tmp_path / "bad.iso"
    bad.write_bytes(KNOWN[:-3])
    result = CliRunner().invoke(app, ["biometrics", "decode", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: iso: byte 8: record length field 36 but 33 bytes given" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(app, ["biometrics", "decode", str(tmp_path / "none.iso")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
