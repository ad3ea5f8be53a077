"""The shared hypothesis strategies draw what they promise (see ``tests/strategies.py``)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given

import strategies as sx
from shailoo.integrity.canonical import CanonicalError, canonical_json, canonical_loads
from shailoo.register.pin import build_pin, check_pin, pin_birth_date


@given(sx.pin_parts)
def test_pins_are_the_product_pins(parts: tuple[str, date, int]) -> None:
    sex, born, serial = parts
    pin = sx.format_pin(sex, born, serial)
    assert pin == build_pin(sex, born, serial)
    assert check_pin(pin, born, sex) is None


@given(sx.pins)
def test_pins_pass_the_check(pin: str) -> None:
    assert len(pin) == 14 and pin.isascii() and pin.isdigit()
    assert check_pin(pin) is None
    born = pin_birth_date(pin)
    assert born is not None and sx.FIRST_DAY <= born <= sx.LAST_BIRTH_DAY


@given(sx.malformed_pins)
def test_malformed_pins_fail_the_check(text: str) -> None:
    problem = check_pin(text)
    assert problem is not None and problem.where == "pin"


@given(sx.birth_dates, sx.polling_days)
def test_days_stay_in_range(born: date, polling_day: date) -> None:
    assert date(1900, 1, 1) <= born <= date(2030, 12, 31)
    assert date(1900, 1, 1) <= polling_day <= date(2100, 12, 31)


@given(sx.kyrgyz_name_parts, sx.latin_name_parts)
def test_name_parts_keep_to_their_script(kyrgyz: str, latin: str) -> None:
    assert kyrgyz and set(kyrgyz) <= set(sx.KYRGYZ_LETTERS)
    assert latin and latin.isascii() and latin.isalpha()


def test_the_kyrgyz_alphabet_has_its_own_letters() -> None:
    assert set("өүңӨҮҢ") <= set(sx.KYRGYZ_LETTERS)
    assert all(c.isascii() and not v.isascii() for v, c in sx.LATIN_LOOK_ALIKES.items())


@given(sx.look_alike_spellings())
def test_look_alike_spellings_differ_only_in_script(pair: tuple[str, str]) -> None:
    word, mixed = pair
    assert len(word) == len(mixed)
    back = {lat: cyr for cyr, lat in sx.LATIN_LOOK_ALIKES.items()}
    assert "".join(back.get(c, c) for c in mixed) == word


@given(sx.csv_cells, sx.csv_cells)
def test_csv_cells_survive_a_round_trip(a: str, b: str) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerow([a, b])
    (row,) = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert row == [a, b]
    assert "\x00" not in a + b and "\r" not in a + b


@given(sx.canonical_json_values)
def test_canonical_json_values_are_accepted(value: object) -> None:
    assert canonical_loads(canonical_json(value)) == value


@given(sx.arbitrary_json_values)
def test_arbitrary_json_values_are_accepted_or_refused_cleanly(value: object) -> None:
    json.dumps(value)
    with contextlib.suppress(CanonicalError):
        canonical_json(value)


@given(sx.vote_lists(), sx.vote_maps("xyz", max_votes=10))
def test_votes_are_non_negative(votes: list[int], by_option: dict[str, int]) -> None:
    assert 1 <= len(votes) <= 8 and all(0 <= v <= sx.MAX_VOTES for v in votes)
    assert set(by_option) <= set("xyz") and all(0 <= v <= 10 for v in by_option.values())


@given(sx.money_amounts)
def test_money_has_two_places_and_no_sign(amount: Decimal) -> None:
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert amount.as_tuple().exponent == -2
    assert not amount.is_signed() and amount <= sx.MAX_MONEY
    assert amount == amount.quantize(Decimal("0.01"))


@given(sx.country_codes, sx.foreign_country_codes, sx.citizenships)
def test_country_codes(code: str, foreign: str, citizenship: str) -> None:
    for value in (code, foreign, citizenship):
        assert len(value) == 2 and value.isascii() and value.isupper()
    assert foreign != "KG"
    assert citizenship in {*sx.FOREIGN_COUNTRIES, sx.KG, sx.STATELESS}


@given(sx.iso_datetimes)
def test_iso_datetimes_carry_a_zone(text: str) -> None:
    moment = datetime.fromisoformat(text)
    offset = moment.utcoffset()
    assert offset is not None and offset.total_seconds() % 60 == 0
    assert text.endswith("Z") or text[-6] in "+-"
    assert math.isfinite(moment.timestamp())
