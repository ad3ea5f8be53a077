"""The QR payload: exact round trip, and anything damaged or foreign refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.counting.ballots.qr import BallotQr, QrPayloadError, decode, encode, serial_text

FIELD = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
SERIAL = st.integers(0, 999_999_999).map(serial_text)


@given(FIELD, FIELD, FIELD, SERIAL)
def test_round_trip(election: str, style: str, station: str, serial: str) -> None:
    qr = BallotQr(election, style, station, serial)
    text = encode(qr)
    assert text.startswith("SHB1|")
    assert decode(text) == qr


@given(FIELD, FIELD, FIELD, SERIAL, st.data())
def test_any_changed_character_is_refused(
    election: str, style: str, station: str, serial: str, data: st.DataObject
) -> None:
    text = encode(BallotQr(election, style, station, serial))
    at = data.draw(st.integers(0, len(text) - 1))
    new = data.draw(st.sampled_from("0123456789ABCDEFXYZ|-._"))
    changed = text[:at] + new + text[at + 1 :]
    if changed != text:
        with pytest.raises(QrPayloadError):
            decode(changed)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("https://example.org/", "does not start"),
        ("SHB1|E|S|1001|000001", "fields"),
        ("SHB1|E|S|1001|000001|00000000", "check digits"),
        ("SHB2|E|S|1001|000001|00000000", "does not start"),
        ("SHB1|E|S|1001|000001|ÄÄ", "ASCII"),
    ],
)
def test_foreign_payloads_are_refused(text: str, why: str) -> None:
    with pytest.raises(QrPayloadError, match=why):
        decode(text)


def test_fields_that_would_break_the_format_are_refused() -> None:
    with pytest.raises(QrPayloadError, match="station"):
        BallotQr("E", "S", "10|01", "000001")
    with pytest.raises(QrPayloadError, match="serial"):
        BallotQr("E", "S", "1001", "12a")
    assert serial_text(7) == "000007"
    with pytest.raises(ValueError):
        serial_text(-1)
