"""Canonical JSON for ledger entries: one byte string per value, as RFC 8785 (JCS) defines it.

A ledger leaf is the hash of an entry's bytes, so the same entry must always serialise to the
same bytes, here and in any outside verifier. RFC 8785, the JSON Canonicalization Scheme,
fixes those bytes: object members sorted by their names' UTF-16 code units, no whitespace,
strings escaped as ECMAScript's JSON.stringify does, numbers written as ECMAScript writes
IEEE 754 doubles, UTF-8 output. Where we support a value, our output is byte-for-byte what
any JCS implementation gives.

The subset we support, and why:

* ``None``, ``True``, ``False``;
* ``str`` holding valid Unicode (a lone surrogate has no UTF-8 form and is refused);
* ``int`` within ±(2**53 - 1): JCS reads every number as a double, so a larger integer would
  silently change value in another verifier (I-JSON, RFC 7493 §2.2). Write big numbers and
  money as strings;
* finite ``float``, written per ECMAScript Number::toString (``1.0`` -> ``1``,
  ``1e21`` -> ``1e+21``, ``-0.0`` -> ``0``). NaN and ±Infinity have no JSON form: refused;
* ``list``/``tuple`` as arrays, ``dict``/any Mapping with ``str`` keys as objects;
* nesting up to :data:`MAX_DEPTH` levels (a ledger entry is shallow; a deeper or cyclic
  value is a bug, better refused than a RecursionError).

Anything else (``Decimal``, ``datetime``, ``bytes``, ``set``, non-string keys) is refused
with a :class:`CanonicalError` naming where it sits, so the service turns it into the right
type before writing to the ledger rather than having it guessed here.

:func:`canonical_loads` goes the other way and also insists the input was already canonical,
which is what a verifier re-hashing a published entry needs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias

from shailoo.common.refusals import InvalidInput

JSONValue: TypeAlias = (
    bool | int | float | str | Sequence["JSONValue"] | Mapping[str, "JSONValue"] | None
)
"""A value :func:`canonical_json` accepts (further limited at run time, see the module doc)."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer every JCS implementation (IEEE 754 doubles) holds exactly."""

MAX_DEPTH = 100
"""Deepest nesting of arrays and objects accepted."""

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)


class CanonicalError(InvalidInput):
    """A value (or input text) that has no canonical form here; ``path`` locates it.

    Code ``canonical_json_invalid``; ``str()`` is ``path: reason``.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("canonical_json_invalid", f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _member_path(path: str, key: str) -> str:
    if key.isidentifier() and key.isascii():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _string(value: str, path: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError(path, "string is not valid Unicode (lone surrogate)") from None
    return '"' + value.translate(_ESCAPES) + '"'


def _utf16_key(name: str) -> bytes:
    """Sort key: JCS orders member names by UTF-16 code units, not by code points."""
    return name.encode("utf-16-be", "surrogatepass")


def es6_number(value: float) -> str:
    """The ECMAScript Number::toString text of a finite double (RFC 8785 §3.2.2.3).

    Python's ``repr`` already gives the shortest digits that round-trip (the same digits
    ECMAScript picks); only the layout differs, which is what this rewrites.
    """
    if not math.isfinite(value):
        raise ValueError("NaN and Infinity have no JSON form")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + es6_number(-value)
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    if not isinstance(exponent, int):  # only NaN/Infinity lack one, refused above
        raise ValueError(f"{value!r} has no decimal exponent")
    all_digits = "".join(map(str, digit_tuple))
    digits = all_digits.rstrip("0")
    exponent += len(all_digits) - len(digits)
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _encode(value: object, path: str, depth: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalError(path, f"integer beyond ±(2**53 - 1): write {value} as a string")
        out.append(str(int(value)))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalError(path, f"{value} has no JSON form")
        out.append(es6_number(value))
    elif isinstance(value, str):
        out.append(_string(value, path))
    elif isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            raise CanonicalError(path, f"nested deeper than {MAX_DEPTH} levels")
        for key in value:
            if not isinstance(key, str):
                raise CanonicalError(path, f"object key {key!r} is not a string")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            member = _member_path(path, key)
            out.append(_string(key, member))
            out.append(":")
            _encode(value[key], member, depth + 1, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        if depth >= MAX_DEPTH:
            raise CanonicalError(path, f"nested deeper than {MAX_DEPTH} levels")
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, f"{path}[{i}]", depth + 1, out)
        out.append("]")
    else:
        raise CanonicalError(path, f"{type(value).__name__} is not a JSON value here")


def canonical_json(value: JSONValue) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value`` (see the module doc for the subset)."""
    out: list[str] = []
    _encode(value, "$", 0, out)
    return "".join(out).encode("utf-8")


def _refuse_constant(name: str) -> object:
    raise CanonicalError("$", f"{name} is not JSON")


def _parse_int(text: str) -> int | float:
    """JCS reads every number as a double: a JSON integer beyond 2**53 - 1 is a float here."""
    if len(text) <= 17:
        value = int(text)
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
    return float(text)


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, item in pairs:
        if key in result:
            raise CanonicalError("$", f"duplicate object key {key!r}")
        result[key] = item
    return result


def canonical_loads(data: bytes) -> JSONValue:
    """Parse ``data`` and insist it is already canonical (re-encodes to the same bytes).

    A verifier that hashes a published entry must see exactly the bytes that were hashed;
    accepting a reformatted copy would let two texts claim one leaf.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError("$", f"not UTF-8 at byte {exc.start}") from None
    try:
        value: JSONValue = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_int=_parse_int,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        raise CanonicalError("$", f"not JSON: {exc.msg} at offset {exc.pos}") from None
    except RecursionError:
        raise CanonicalError("$", f"nested deeper than {MAX_DEPTH} levels") from None
    if canonical_json(value) != data:
        raise CanonicalError("$", "valid JSON but not in canonical form")
    return value
