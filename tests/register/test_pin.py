"""PIN structure: built PINs always check, and any single corruption is caught or located."""

from __future__ import annotations

from datetime import date

from hypothesis import given

import strategies as sx
from shailoo.register.pin import build_pin, check_pin, mask_pin, pin_birth_date


@given(sx.sexes, sx.birth_dates, sx.pin_serials)
def test_built_pins_are_consistent(sex: str, born: date, serial: int) -> None:
    pin = build_pin(sex, born, serial)
    assert len(pin) == 14 and pin.isdigit()
    assert check_pin(pin, born, sex) is None
    assert pin_birth_date(pin) == born


@given(sx.sexes, sx.birth_dates, sx.pin_serials, sx.birth_dates)
def test_birth_date_mismatch_is_named(sex: str, born: date, serial: int, other: date) -> None:
    pin = build_pin(sex, born, serial)
    problem = check_pin(pin, other, sex)
    assert (problem is None) == (other == born)
    if problem:
        assert problem.where == "birth_date"


@given(sx.sexes, sx.birth_dates, sx.pin_serials)
def test_sex_mismatch_is_named(sex: str, born: date, serial: int) -> None:
    other = "F" if sex == "M" else "M"
    problem = check_pin(build_pin(sex, born, serial), born, other)
    assert problem is not None and problem.where == "sex"


def test_structural_errors() -> None:
    assert check_pin("1234").why == "must be exactly 14 digits"  # type: ignore[union-attr]
    assert check_pin("1234567890123a") is not None
    assert check_pin("٣" * 14) is not None  # non-ASCII digits are refused
    assert "first digit" in check_pin("31501199012345").why  # type: ignore[union-attr]
    assert "valid date" in check_pin("13002199012345").why  # type: ignore[union-attr]


@given(sx.sexes, sx.birth_dates, sx.pin_serials)
def test_mask_hides_the_middle(sex: str, born: date, serial: int) -> None:
    pin = build_pin(sex, born, serial)
    masked = mask_pin(pin)
    assert len(masked) == 14 and masked[1:12] == "*" * 11
    assert pin[1:12] not in masked
