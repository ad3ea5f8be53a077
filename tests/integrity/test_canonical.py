"""Canonical JSON against RFC 8785's own examples, the stdlib, and bad input."""

from __future__ import annotations

import datetime
import json
import struct
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.integrity.canonical import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    CanonicalError,
    JSONValue,
    canonical_json,
    canonical_loads,
    es6_number,
)

# RFC 8785 Appendix B: IEEE 754 bit patterns and their JCS serialisation.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


@pytest.mark.parametrize(("bits", "want"), APPENDIX_B)
def test_rfc8785_appendix_b_numbers(bits: str, want: str) -> None:
    assert canonical_json(double(bits)) == want.encode()
    assert es6_number(double(bits)) == want


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinity_are_refused(bits: str) -> None:
    with pytest.raises(CanonicalError, match="no JSON form"):
        canonical_json({"x": double(bits)})
    with pytest.raises(ValueError):
        es6_number(double(bits))


def test_rfc8785_whole_transformation_example() -> None:
    """RFC 8785 §3.2.2: parse the sample input, canonicalise, compare with the sample output."""
    sample = (
        '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        '  "literals": [null, true, false]\n}'
    )
    want = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(sample)) == want.encode("utf-8")
    assert canonical_loads(want.encode("utf-8")) == json.loads(sample)


def test_rfc8785_member_order_is_by_utf16_code_units() -> None:
    """RFC 8785 §3.2.3: U+1F600 (a surrogate pair in UTF-16) sorts before U+FB33."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [v for k, v in json.loads(canonical_json(value)).items()]
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("\x00", '"\\u0000"'),
        ("\x1f", '"\\u001f"'),
        ("\b\t\n\f\r", '"\\b\\t\\n\\f\\r"'),
        ('"\\', '"\\"\\\\"'),
        ("/\x7f", '"/\x7f"'),
        ("\u2028\u2029", '"\u2028\u2029"'),
        ("Шайлоо өңү", '"Шайлоо өңү"'),
        ("\U0001f5f3", '"\U0001f5f3"'),
    ],
)
def test_strings_escape_only_what_json_stringify_escapes(text: str, want: str) -> None:
    assert canonical_json(text) == want.encode("utf-8")


def test_scalars_and_containers() -> None:
    assert canonical_json(None) == b"null"
    assert canonical_json([True, False, 0, -1, 1.0, -0.0, 1.5]) == b"[true,false,0,-1,1,0,1.5]"
    assert canonical_json((1, (2,))) == b"[1,[2]]"
    assert canonical_json({}) == b"{}"
    assert canonical_json([]) == b"[]"
    assert canonical_json(MappingProxyType({"b": 1, "a": 2})) == b'{"a":2,"b":1}'
    assert canonical_json(MAX_SAFE_INTEGER) == b"9007199254740991"
    assert canonical_json(-MAX_SAFE_INTEGER) == b"-9007199254740991"


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        (MAX_SAFE_INTEGER + 1, "$", "integer beyond"),
        ({"a": [1, {"b": Decimal("1.5")}]}, "$.a[1].b", "Decimal"),
        ({"when": datetime.date(2026, 1, 1)}, "$.when", "date"),
        ({"raw": b"\x00"}, "$.raw", "bytes"),
        ({"s": {1, 2}}, "$.s", "set"),
        ({1: "x"}, "$", "not a string"),
        ({"bad key": "\ud800"}, '$["bad key"]', "lone surrogate"),
        ({"\udfff": 1}, '$["\udfff"]', "lone surrogate"),
        ([float("nan")], "$[0]", "no JSON form"),
    ],
)
def test_refusals_name_the_place(value: Any, path: str, reason: str) -> None:
    with pytest.raises(CanonicalError) as caught:
        canonical_json(value)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_nesting_is_limited_and_cycles_are_refused() -> None:
    deep: JSONValue = []
    for _ in range(MAX_DEPTH - 1):
        deep = [deep]
    assert canonical_json(deep) == b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    with pytest.raises(CanonicalError, match="deeper"):
        canonical_json([deep])
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(CanonicalError, match="deeper"):
        canonical_json(cycle)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1}',  # whitespace
        b'{"b":1,"a":2}',  # unsorted
        b'{"a":1,"a":1}',  # duplicate member
        b"1.0",
        b"1E3",
        b"-0",
        b'"\\u00e9"',  # escaped where JCS writes the character
        b'"\\/"',
        b"NaN",
        b"[Infinity]",
        b"9007199254740993",  # reads as the double 2**53, which is written ...992
        b"1" * 5000,
        b"1e400",
        b"\xef\xbb\xbfnull",  # UTF-8 byte order mark
        b'"\xff"',  # not UTF-8
        b'"\\ud800"',  # lone surrogate
        b"[1,]",
        b"",
        b"[" * 2000 + b"]" * 2000,
    ],
)
def test_loads_refuses_anything_not_already_canonical(text: bytes) -> None:
    with pytest.raises(CanonicalError):
        canonical_loads(text)


def test_loads_reads_big_integers_as_doubles_like_every_jcs_reader() -> None:
    assert canonical_loads(b"9007199254740991") == MAX_SAFE_INTEGER
    big = canonical_loads(b"9007199254740992")
    assert isinstance(big, float) and big == 2.0**53
    assert canonical_loads(b"295147905179352830000") == 2.0**68


# --- properties -----------------------------------------------------------------------------

# Keys below U+D800 sort the same by code point and by UTF-16 unit, so the stdlib's
# sort_keys is an independent oracle for them.
bmp_text = st.text(st.characters(max_codepoint=0xD7FF), max_size=12)
json_values = sx.json_values(floats=False, text=bmp_text)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_matches_the_stdlib_for_values_without_floats(value: JSONValue) -> None:
    want = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == want.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(value=sx.canonical_json_values)
def test_round_trip_is_stable(value: JSONValue) -> None:
    data = canonical_json(value)
    again = canonical_loads(data)
    assert canonical_json(again) == data
    assert again == value


@settings(max_examples=200, deadline=None)
@given(items=st.dictionaries(sx.json_text, sx.safe_integers, max_size=8), seed=st.randoms())
def test_member_insertion_order_does_not_matter(items: dict[str, int], seed: Any) -> None:
    pairs = list(items.items())
    seed.shuffle(pairs)
    assert canonical_json(dict(pairs)) == canonical_json(items)


@settings(max_examples=500, deadline=None)
@given(x=sx.finite_floats)
def test_number_text_reads_back_as_the_same_double(x: float) -> None:
    text = es6_number(x)
    assert float(text) == x
    assert text == canonical_json(x).decode()
    assert ("e" in text) == (x != 0 and not 1e-6 <= abs(x) < 1e21)
    if x.is_integer() and abs(x) <= 2**53:
        assert text == str(int(x))
