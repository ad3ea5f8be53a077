"""``shailoo.common.safe_json``: what ``json.loads`` trusts is refused, with its line and column."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.common import safe_json
from shailoo.common.refusals import InvalidInput
from shailoo.common.safe_json import JsonInputError, loads


def refused(text: str | bytes, **limits: int) -> JsonInputError:
    with pytest.raises(JsonInputError) as caught:
        loads(text, source="x.json", **limits)
    error = caught.value
    assert isinstance(error, InvalidInput) and error.code == "json_invalid"
    assert error.problems[0].source == "x.json"
    return error


@pytest.mark.parametrize(
    ("text", "reason", "line", "column"),
    [
        ('{"fill": NaN}', "NaN is not a number JSON allows", 1, 10),
        ('{"a": 1,\n "b": [1, -Infinity]}', "-Infinity is not a number JSON allows", 2, 11),
        ("[\n\n  Infinity]", "Infinity is not a number JSON allows", 3, 3),
        ('{"a": 1e999}', "1e999 is beyond the range of a number", 1, 7),
        ('{"seats": ' + "9" * 5000 + "}", "an integer of 5000 digits (at most 20)", 1, 11),
        ('{"n": -' + "1" * 21 + "}", "an integer of 21 digits (at most 20)", 1, 7),
        ('{"n": 0.' + "1" * 70 + "}", "a number written with 72 characters (at most 64)", 1, 7),
        ('{"a": 1, "b": {"x": 1,\n "x": 2}}', "key 'x' given twice in one object", 2, 2),
        ('["ok", "\\udc00"]', "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)", 1, 8),
        ('{"a": "x\\u0000"}', "a string holds a NUL character (U+0000)", 1, 7),
        ('{"a": [1,}', "invalid JSON", 1, 10),
    ],
)
def test_each_refusal_names_its_place(text: str, reason: str, line: int, column: int) -> None:
    error = refused(text)
    assert error.reason.startswith(reason)
    assert (error.line, error.column) == (line, column), error.message
    assert error.problems[0].line == line
    assert f"line {line} column {column}" in error.message


def test_deep_nesting_is_refused_quickly_at_the_bracket_past_the_bound() -> None:
    start = time.perf_counter()
    error = refused('{"k": "[[[[ text, not nesting", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert time.perf_counter() - start < 1.0
    assert error.reason == "nested deeper than 64 levels"
    assert (error.line, error.column) == (1, 37 + 64)
    assert loads("[" * 64 + "]" * 64) is not None  # exactly the bound is fine
    assert refused("[" * 11 + "]" * 11, max_depth=10).reason == "nested deeper than 10 levels"


def test_size_and_encoding() -> None:
    assert "more than the 10 allowed" in refused('["123456789"]', max_bytes=10).reason
    error = refused(b'{"a":\n "\xff"}')
    assert error.reason == "not UTF-8 at byte 8" and error.line == 2
    assert loads("[1, 2]", max_bytes=6) == [1, 2]


def test_what_is_fine_stays_fine() -> None:
    text = '{"a": [1, -2.5e3, "ℹ️ \\ud83d\\ude00", null, true], "b": "\\\\u0000 is text"}'
    assert loads(text) == json.loads(text)
    assert loads('"x\\u0000"', allow_nul=True) == "x\x00"
    assert loads(str(2**63)) == 2**63


def test_load_reads_no_further_than_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"0," * 1000 + b"0]")
    with pytest.raises(JsonInputError, match="larger than the 100 bytes allowed"):
        safe_json.load(path, max_bytes=100)
    assert len(safe_json.load(path)) == 1001
    with pytest.raises(JsonInputError, match="cannot read the file"):
        safe_json.load(tmp_path / "missing.json")


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**62), 2**62)
        | st.text()
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    )
)
def test_agrees_with_json_on_ordinary_documents(value: object) -> None:
    text = json.dumps(value)
    if "\\u0000" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in str(value)):
        return  # refused on purpose (tested above)
    assert loads(text) == json.loads(text)
