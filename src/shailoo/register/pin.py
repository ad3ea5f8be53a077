"""Kyrgyz personal identification numbers (ПИН): structure checks and masking.

A PIN has 14 digits: a sex digit (1 female, 2 male), the birth date as DDMMYYYY, and a
5-digit serial. The registry is the authority for the serial; we check what the structure
lets us check, and never print a full PIN where a masked one will do.
"""

from __future__ import annotations

from datetime import date

from shailoo.common.problems import Problem

SEX_DIGITS = {"1": "F", "2": "M"}
DIGIT_FOR_SEX = {"F": "1", "M": "2"}


def build_pin(sex: str, birth_date: date, serial: int) -> str:
    """Compose a structurally valid PIN (used by the synthetic registry)."""
    if not 0 <= serial <= 99999:
        raise ValueError("serial must be 0..99999")
    return f"{DIGIT_FOR_SEX[sex]}{birth_date:%d%m%Y}{serial:05d}"


def pin_birth_date(pin: str) -> date | None:
    """The birth date a structurally valid PIN encodes, or None."""
    try:
        return date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        return None


def check_pin(pin: str, birth_date: date | None = None, sex: str | None = None) -> Problem | None:
    """The first structural problem with ``pin``, or None when it is consistent.

    The problem's ``where`` names the column it points at: ``pin``, ``birth_date`` or ``sex``.
    """
    if len(pin) != 14 or not pin.isascii() or not pin.isdigit():
        return Problem("pin", "must be exactly 14 digits")
    if pin[0] not in SEX_DIGITS:
        return Problem("pin", "first digit must be 1 (female) or 2 (male)")
    encoded = pin_birth_date(pin)
    if encoded is None:
        return Problem("pin", "digits 2-9 are not a valid date DDMMYYYY")
    if birth_date is not None and encoded != birth_date:
        return Problem("birth_date", f"does not match the date in the PIN ({encoded.isoformat()})")
    if sex is not None and SEX_DIGITS[pin[0]] != sex:
        return Problem("sex", "does not match the sex digit of the PIN")
    return None


def mask_pin(pin: str) -> str:
    """Mask a PIN for public lists and logs: keep the first and last two digits."""
    if len(pin) < 5:
        return "*" * len(pin)
    return pin[:1] + "*" * (len(pin) - 3) + pin[-2:]
