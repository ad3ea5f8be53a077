"""Reading JSON nobody vouches for: bounded, strict, and every refusal located.

Python's :func:`json.loads` trusts its input: it recurses once per level of nesting (a
200,000-deep array ends in ``RecursionError``), turns ``NaN``, ``Infinity`` and ``1e999`` into
floats no rule compares sensibly, converts a 5,000-digit integer only to fail with a bare
``ValueError`` (and a 4,000-digit one slowly), keeps the last of two equal keys, and accepts
``"\\ud800"``, a string no database or UTF-8 file can hold. Every reader of an outside file
or request body (a CVR, a definition, a ledger export, a signed submission, and the
importers to come) reads through :func:`loads` or :func:`load` instead, which refuse all of
that with a :class:`JsonInputError` — an :class:`~shailoo.common.refusals.InvalidInput`
whose one :class:`~shailoo.common.problems.Problem` gives the line and column:

* more than ``max_bytes`` (the file is not read past the bound);
* nesting deeper than ``max_depth`` arrays and objects (checked before parsing);
* ``NaN``, ``Infinity``, ``-Infinity``, and a number whose value overflows to infinity;
* an integer of more than ``max_int_digits`` digits, a number literal over 64 characters;
* a key repeated in one object; a string holding a lone UTF-16 surrogate, or U+0000 (which
  no PostgreSQL text or JSON column can hold);
* bytes that are not UTF-8, and of course anything that is not JSON.

Pure: no Django (the standalone ledger verifier uses it).
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

#: Defaults: generous for the files Shailoo reads, small enough to refuse a hostile one fast.
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 20  # every 64-bit integer
MAX_NUMBER_CHARS = 64  # a float literal longer than this is not a measurement

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "JsonInputError", "load", "loads"]


class JsonInputError(InvalidInput):
    """A JSON text refused by :func:`loads` (code ``json_invalid``), with where and why.

    ``reason`` is the plain reason; ``line`` and ``column`` (1-based) where it was found when
    known; ``problems`` holds one :class:`Problem` naming all of it (and ``source``).
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str = "",
        line: int | None = None,
        column: int | None = None,
        where: str = "",
    ) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.source = source
        why = reason if line is None else f"{reason} at line {line} column {column}"
        if reason.startswith("invalid JSON: ") and line is not None:
            why = f"invalid JSON at line {line} column {column}: {reason[14:]}"
        problem = Problem(where, why, line, source)
        message = ": ".join(part for part in (source, where, why) if part)
        super().__init__("json_invalid", message, problems=[problem])

    def __str__(self) -> str:
        return self.message


class _Refused(Exception):
    """Raised by the decoder hooks; located afterwards by :func:`_locate`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_STRING = r'"(?:[^"\\]++|\\.)*+"'
_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
#: Strings (skipped whole), brackets, ``:``, the non-standard constants and numbers.
_TOKENS = re.compile(rf"{_STRING}|[\[\]{{}}:,]|-?(?:NaN|Infinity)|{_NUMBER}")
_STRINGS = re.compile(_STRING)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _too_deep(text: str, max_depth: int) -> bool:
    """Whether arrays and objects nest deeper than ``max_depth`` (strings ignored)."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for char in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _number_problem(token: str, max_int_digits: int) -> str | None:
    if token.lstrip("-").isdigit():
        digits = len(token.lstrip("-"))
        if digits > max_int_digits:
            return f"an integer of {digits} digits (at most {max_int_digits})"
        return None
    if len(token) > MAX_NUMBER_CHARS:
        return f"a number written with {len(token)} characters (at most {MAX_NUMBER_CHARS})"
    if not math.isfinite(float(token)):
        return f"{token} is beyond the range of a number"
    return None


def _string_problem(token: str, allow_nul: bool) -> str | None:
    nul = not allow_nul and "\\u0000" in token
    if not nul and not _SURROGATE_ESCAPE.search(token):
        return None
    try:
        value: str = json.loads(token)
        value.encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)"
    if nul and "\x00" in value:
        return "a string holds a NUL character (U+0000), which no database column can"
    return None


def _locate(
    text: str, max_depth: int, max_int_digits: int, allow_nul: bool = True
) -> tuple[int, str] | None:
    """The offset and reason of the first thing :func:`loads` refuses, in document order.

    Only called once something was refused, so a Python loop over the tokens is fine.
    """
    keys: list[set[str] | None] = []  # one entry per open bracket: an object's keys so far
    last, last_start = "", 0
    for match in _TOKENS.finditer(text):
        token, start = match.group(), match.start()
        first = token[0]
        why: str | None = None
        if first in "[{":
            keys.append(set() if first == "{" else None)
            if len(keys) > max_depth:
                why = f"nested deeper than {max_depth} levels"
        elif first in "]}":
            if keys:
                keys.pop()
        elif first == ":":
            seen = keys[-1] if keys else None
            if seen is not None and last.startswith('"'):
                try:
                    key = json.loads(last)
                except json.JSONDecodeError as exc:  # a raw control character, a bad escape
                    return last_start + exc.pos, f"object key: {exc.msg}"
                if key in seen:
                    return last_start, f"key {key!r} given twice in one object"
                seen.add(key)
        elif first == '"':
            why = _string_problem(token, allow_nul)
        elif token.lstrip("-") in ("NaN", "Infinity"):
            why = f"{token} is not a number JSON allows"
        elif first != ",":
            why = _number_problem(token, max_int_digits)
        if why is not None:
            return start, why
        last, last_start = token, start
    return None


def _refuse_constant(token: str) -> float:
    raise _Refused(f"{token} is not a number JSON allows")


def _float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise _Refused("a number written with too many characters")
    value = float(token)
    if not math.isfinite(value):
        raise _Refused("a number out of range")
    return value


def _object(items: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(items)
    if len(found) != len(items):
        raise _Refused("a key given twice in one object")
    return found


@cache
def _decoder(max_int_digits: int) -> json.JSONDecoder:
    """A decoder whose hooks refuse what :func:`loads` refuses (cached: one per bound)."""

    def parse_int(token: str) -> int:
        if len(token) - token.startswith("-") > max_int_digits:
            raise _Refused("an integer with too many digits")
        return int(token)

    return json.JSONDecoder(
        parse_int=parse_int,
        parse_float=_float,
        parse_constant=_refuse_constant,
        object_pairs_hook=_object,
    )


def loads(
    text: str | bytes,
    *,
    source: str = "",
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_int_digits: int = MAX_INT_DIGITS,
    allow_nul: bool = False,
) -> Any:
    """Decode one JSON document, refusing what the module doc lists (:class:`JsonInputError`).

    ``source`` names the input in the refusal (a file name, ``entries.jsonl line 7``);
    ``allow_nul`` lets strings hold U+0000 (for a caller that reports it its own way).
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JsonInputError(f"{size} bytes is more than the {max_bytes} allowed", source=source)
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise JsonInputError(
                f"not UTF-8 at byte {exc.start}", source=source, line=line, column=column
            ) from None

    def refuse(where: tuple[int, str] | None, fallback: str) -> JsonInputError:
        if where is None:
            return JsonInputError(fallback, source=source)
        line, column = _position(text, where[0])
        return JsonInputError(where[1], source=source, line=line, column=column)

    if _too_deep(text, max_depth):
        raise refuse(_locate(text, max_depth, max_int_digits), "nested too deeply")

    try:
        value = _decoder(max_int_digits).decode(text)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"invalid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except _Refused as exc:
        raise refuse(_locate(text, max_depth, max_int_digits), exc.reason) from None
    except RecursionError:
        raise refuse(_locate(text, max_depth, max_int_digits), "nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text) or (not allow_nul and "\\u0000" in text):
        where = _locate(text, max_depth, max_int_digits, allow_nul)
        if where is not None:
            raise refuse(where, "")
    return value


def load(
    path: Path,
    *,
    source: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_int_digits: int = MAX_INT_DIGITS,
    allow_nul: bool = False,
) -> Any:
    """:func:`loads` of a file, read no further than ``max_bytes`` (+1, to know it is more).

    An unreadable file is a :class:`JsonInputError` too; ``source`` defaults to the path.
    """
    name = str(path) if source is None else source
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise JsonInputError(f"cannot read the file: {exc.strerror}", source=name) from None
    if len(data) > max_bytes:
        raise JsonInputError(f"the file is larger than the {max_bytes} bytes allowed", source=name)
    return loads(
        data,
        source=name,
        max_bytes=max_bytes,
        max_depth=max_depth,
        max_int_digits=max_int_digits,
        allow_nul=allow_nul,
    )
