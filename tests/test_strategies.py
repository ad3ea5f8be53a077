"""The shared hypothesis strategies draw what they promise (see ``tests/strategies.py``)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from datetime import date, datetime
from decimal import Decimal

from hypothesis import find, given

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


@given(sx.hostile_cells)
def test_hostile_cells_are_text_a_csv_cell_can_hold(cell: str) -> None:
    assert isinstance(cell, str) and "\x00" not in cell


def test_hostile_cells_start_with_every_formula_character_and_as_negative_numbers() -> None:
    for start in sx.FORMULA_STARTS:
        assert find(sx.hostile_cells, lambda cell, start=start: cell.startswith(start))
    assert find(sx.hostile_cells, lambda cell: cell.startswith("-") and cell[1:].isdigit())


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


_VALID_CSV = "number,name\n1,Бишкек\n2,Ош\n3,Нарын\n".encode()


def test_mutated_bytes_reach_every_kind_of_damage() -> None:
    damaged = sx.mutated_bytes(_VALID_CSV)

    def bad_utf8(data: bytes) -> bool:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    assert find(damaged, lambda d: 0 < len(d) < len(_VALID_CSV) and _VALID_CSV.startswith(d))
    assert find(damaged, lambda d: b"\x00" in d)
    assert find(damaged, lambda d: b"9" * 5000 in d)
    assert find(damaged, lambda d: d.count("Ош".encode()) == 2)
    assert find(damaged, lambda d: d == _VALID_CSV.replace("2,Ош\n".encode(), b""))
    assert find(damaged, bad_utf8)


@given(sx.mutated_csv_row(_VALID_CSV))
def test_mutated_csv_row_damages_its_line_only(case: tuple[int, bytes]) -> None:
    index, data = case
    lines = _VALID_CSV.splitlines(keepends=True)
    assert 1 <= index < len(lines)
    assert data.startswith(b"".join(lines[:index]))
    assert data.endswith(b"".join(lines[index + 1 :]))


def test_mutated_json_keeps_json_yet_breaks_its_values() -> None:
    from shailoo.common import safe_json

    doc = {"id": "x", "seats": 3, "options": [{"id": "a"}, {"id": "b"}]}
    damaged = sx.mutated_json(doc)
    assert find(damaged, lambda d: b"NaN" in d)
    assert find(damaged, lambda d: d.count(b'"seats"') == 2)
    assert find(damaged, lambda d: b'"seats"' not in d)
    assert find(damaged, lambda d: b'"seats": "3"' in d)

    def refused(data: bytes) -> bool:
        with contextlib.suppress(safe_json.JsonInputError):
            safe_json.loads(data)
            return False
        return True

    assert find(damaged, refused)


def test_mutated_yaml_puts_hostile_scalars_in_values() -> None:
    valid = b"meta:\n  id: kg-2025\n  seats: 90\n"
    assert find(sx.mutated_yaml(valid), lambda d: b": .nan\n" in d)
    assert find(sx.mutated_yaml(valid), lambda d: b": *a\n" in d)
