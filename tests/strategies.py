"""Hypothesis strategies shared by the property tests (``import strategies as sx``).

Several domains draw the same kinds of value: dates of birth and polling days, PINs, Kyrgyz
names, CSV cells, JSON values, vote counts. Each test module used to define its own, with
slightly different ranges. They live here once, so that a new domain's property tests (the
coming campaign finance: money, donors' citizenship, timestamped transactions) reuse these
instead of inventing their own. Strategies that only make sense for one engine stay in that
engine's tests. ``tests/test_strategies.py`` checks that each strategy draws what it promises.

The values are built here independently of the product code they feed (a PIN is formatted
here, not by ``build_pin``), so a test can hold the product to them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import string
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from shailoo.integrity.canonical import MAX_SAFE_INTEGER

# --- days -------------------------------------------------------------------------------------

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
LAST_BIRTH_DAY = date(2030, 12, 31)

#: Any day a rule may meet (a birth, a death, a polling day), 1900 to 2100, leap days included.
days = st.dates(FIRST_DAY, LAST_DAY)
#: Dates of birth in the register and in PINs: 1900 to 2030.
birth_dates = st.dates(FIRST_DAY, LAST_BIRTH_DAY)
#: Polling days: the law engines must hold for any day, far past and far future alike.
polling_days = days

# --- PINs -------------------------------------------------------------------------------------

SEX_DIGIT = {"F": "1", "M": "2"}

sexes = st.sampled_from(["F", "M"])
pin_serials = st.integers(0, 99_999)
#: What a PIN is built from: (sex, date of birth, serial).
pin_parts = st.tuples(sexes, birth_dates, pin_serials)


def format_pin(sex: str, born: date, serial: int) -> str:
    """A PIN's 14 digits: sex digit (1 female, 2 male), DDMMYYYY, 5-digit serial."""
    return f"{SEX_DIGIT[sex]}{born.day:02d}{born.month:02d}{born.year:04d}{serial:05d}"


#: Structurally valid 14-digit PINs.
pins = pin_parts.map(lambda parts: format_pin(*parts))

_DIGITS = "0123456789"
_NOT_ASCII_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳０１２３𝟏"  # Arabic-Indic, Persian, fullwidth, mathematical
_NOT_DIGITS = _NOT_ASCII_DIGITS + "OoIl -.+ \t\n"


def _bad_date_digits(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return True
    return False


_wrong_length = st.text(_DIGITS, max_size=20).filter(lambda s: len(s) != 14)
_bad_sex_digit = st.builds(lambda digit, pin: digit + pin[1:], st.sampled_from("03456789"), pins)
_bad_date = st.builds(
    lambda sex, dmy, serial: f"{SEX_DIGIT[sex]}{dmy[0]:02d}{dmy[1]:02d}{dmy[2]:04d}{serial:05d}",
    sexes,
    st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 9999)).filter(
        lambda dmy: _bad_date_digits(*dmy)
    ),
    pin_serials,
)
_bad_character = st.builds(
    lambda pin, at, char: pin[:at] + char + pin[at + 1 :],
    pins,
    st.integers(0, 13),
    st.sampled_from(_NOT_DIGITS),
)
#: PIN-like strings that no PIN check may accept: a wrong length, a sex digit other than 1 or 2,
#: digits 2-9 that are no date (32.01, 29.02 of a common year, month 13, year 0), or one
#: character that is not an ASCII digit (Arabic-Indic and fullwidth digits, O for 0, spaces).
malformed_pins = st.one_of(_wrong_length, _bad_sex_digit, _bad_date, _bad_character)

# --- names ------------------------------------------------------------------------------------

#: The Kyrgyz Cyrillic alphabet: the Russian letters and ө ү ң.
KYRGYZ_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяөүң"
KYRGYZ_LETTERS = KYRGYZ_CYRILLIC + KYRGYZ_CYRILLIC.upper()
LATIN_LETTERS = string.ascii_letters
#: Cyrillic letters and the Latin letters that look the same (what a clerk's keyboard mixes in).
LATIN_LOOK_ALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X",
}  # fmt: skip

#: One part of a Kyrgyz name (surname, given name or patronymic word) in Cyrillic.
kyrgyz_name_parts = st.text(alphabet=KYRGYZ_LETTERS, min_size=1, max_size=12)
#: One word of a name in plain Latin letters.
latin_name_parts = st.text(alphabet=LATIN_LETTERS, min_size=1)


@st.composite
def look_alike_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A Cyrillic name part and the same part with some letters typed as Latin look-alikes."""
    word = draw(kyrgyz_name_parts)
    spots = [i for i, c in enumerate(word) if c in LATIN_LOOK_ALIKES]
    chosen = draw(st.sets(st.sampled_from(spots)) if spots else st.just(set[int]()))
    mixed = "".join(LATIN_LOOK_ALIKES[c] if i in chosen else c for i, c in enumerate(word))
    return word, mixed


# --- CSV --------------------------------------------------------------------------------------

#: One CSV cell's text: any character but NUL, CR and lone surrogates, with the quotes, commas,
#: semicolons and newlines that the quoting must survive drawn often.
csv_cells = st.text(
    alphabet=st.sampled_from('",;\n ')
    | st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"),
    max_size=8,
)

#: Characters a spreadsheet reads as the start of a formula (OWASP's CSV-injection list, and
#: their full-width forms), independent of ``shailoo.common.csvout``.
FORMULA_STARTS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
#: Text a hostile file may put in a cell an export copies: formulas (``=HYPERLINK(…)``,
#: ``@SUM``, ``-2+3``), markup, numbers with signs, and any other text; CR and tab included.
hostile_cells = st.one_of(
    st.builds(
        lambda start, rest: start + rest,
        st.sampled_from(FORMULA_STARTS),
        st.text(st.sampled_from("0123456789.eE+-=@,\"'!|()A :\r\n\t")) | csv_cells,
    ),
    st.sampled_from(['=HYPERLINK("http://x","y")', "=1+2", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0"]),
    st.integers(-(10**9), 10**9).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12),
)

# --- JSON -------------------------------------------------------------------------------------

#: Text that JSON (and canonical JSON) can carry: anything but lone surrogates.
json_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
#: Integers an IEEE double holds exactly, the only ones canonical JSON (RFC 8785) accepts.
safe_integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def json_values(
    *, floats: bool = True, text: st.SearchStrategy[str] = json_text, max_leaves: int = 30
) -> st.SearchStrategy[object]:
    """JSON values canonical JSON accepts: nested lists and objects of null, booleans, safe
    integers, finite floats (unless ``floats`` is False) and ``text`` (also the keys)."""
    scalars: st.SearchStrategy[object] = st.none() | st.booleans() | safe_integers | text
    if floats:
        scalars |= finite_floats
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
        max_leaves=max_leaves,
    )


#: Values that canonical JSON must serialise and read back unchanged.
canonical_json_values = json_values()
#: Anything the stdlib ``json`` writes, as a hostile or careless payload may hold: integers of
#: any size, NaN and infinities, lone surrogates. Canonical JSON must refuse these or accept
#: them, never break.
arbitrary_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)

# --- votes ------------------------------------------------------------------------------------

MAX_VOTES = 100_000


def vote_counts(max_votes: int = MAX_VOTES) -> st.SearchStrategy[int]:
    """A number of votes: 0 to ``max_votes``."""
    return st.integers(0, max_votes)


def vote_lists(
    *, min_size: int = 1, max_size: int = 8, max_votes: int = MAX_VOTES
) -> st.SearchStrategy[list[int]]:
    """Votes of parties or candidates in ballot order."""
    return st.lists(vote_counts(max_votes), min_size=min_size, max_size=max_size)


def vote_maps(
    options: Sequence[str] = "abcdef", *, min_size: int = 0, max_votes: int = MAX_VOTES
) -> st.SearchStrategy[dict[str, int]]:
    """Votes per option, for some of ``options`` (a count the way a protocol reports it)."""
    return st.dictionaries(st.sampled_from(options), vote_counts(max_votes), min_size=min_size)


# --- money ------------------------------------------------------------------------------------

MAX_MONEY = Decimal("100000000.00")


def money(max_value: Decimal = MAX_MONEY) -> st.SearchStrategy[Decimal]:
    """An amount in som: a non-negative Decimal with exactly 2 decimal places."""
    return st.decimals(
        min_value=Decimal("0.00"), max_value=max_value, places=2, allow_nan=False
    ).map(lambda d: abs(d).quantize(Decimal("0.01")))


#: Amounts up to 100,000,000.00 som.
money_amounts = money()

# --- countries --------------------------------------------------------------------------------

KG = "KG"
STATELESS = "XX"  # the register's code for a stateless person (not an ISO 3166 country)
#: ISO 3166-1 alpha-2 codes of the countries most citizens of other states come from.
FOREIGN_COUNTRIES = ("RU", "KZ", "UZ", "TJ", "CN", "TR", "DE", "US", "KR", "AE")

foreign_country_codes = st.sampled_from(FOREIGN_COUNTRIES)
#: ISO 3166-1 alpha-2 codes, Kyrgyzstan drawn about as often as all the others together.
country_codes = st.just(KG) | foreign_country_codes
#: A person's citizenship as the register records it: a country code, or XX for stateless.
citizenships = country_codes | st.just(STATELESS)

# --- moments ----------------------------------------------------------------------------------

#: Zones with whole-minute offsets (from 1970 on): UTC, Bishkek, and fixed offsets.
ZONES = (
    UTC,
    ZoneInfo("Asia/Bishkek"),
    ZoneInfo("Europe/Moscow"),
    timezone(timedelta(hours=6)),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-3, minutes=-30)),
)
#: Moments with a zone, 1970 to 2100.
aware_datetimes = st.datetimes(
    datetime(1970, 1, 1), datetime(2100, 12, 31), timezones=st.sampled_from(ZONES)
)
#: ISO 8601 timestamps with a zone offset, with or without fractional seconds, ``Z`` for UTC.
iso_datetimes = st.builds(
    lambda moment, timespec, zulu: moment.isoformat(timespec=timespec).replace(
        "+00:00", "Z" if zulu else "+00:00"
    ),
    aware_datetimes,
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
    st.booleans(),
)

# --- damaged files ----------------------------------------------------------------------------

#: What a hostile or broken file holds where a value belongs: quotes, NUL, line ends, numbers
#: past every bound (2^63, a 5,000-digit integer, 1e999), NaN and infinities, deep nesting, a
#: byte-order mark, bytes that are no UTF-8 (a lone continuation byte, a cut or overlong
#: sequence, an encoded surrogate), digits that are not ASCII, a line over 64 KiB, YAML
#: anchors, aliases and tags, and a spreadsheet formula.
HOSTILE_PIECES: tuple[bytes, ...] = (
    b'"', b'""', b"'", b"\x00", b",", b";", b"\n", b"\r", b"\r\n", b"\t", b" ", b"\\",
    b"-", b"--1", b"-1", b"0", b"007", b"1.5", b"1e999", b"-1e999", b"1e-400",
    b"9223372036854775808", b"9" * 30, b"9" * 5000,
    b"NaN", b"Infinity", b"-Infinity", b".nan", b".inf", b"null", b"true", b"[]", b"{}",
    b"[" * 100, b"{" * 100, b'{"a":' * 70, b"[" * 70 + b"]" * 70, b"- " * 70,
    b"\xef\xbb\xbf", b"\xff", b"\xfe\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", "²".encode(), "٣".encode(), "０".encode(), "\u2028".encode(),
    b"\\u0000", b"\\ud800", b"x" * 70_000,
    b"&a ", b"*a", b"<<: *a", b"!!python/object/apply:os.system ['true']", b"!!binary ",
    b"? ", b": ", b"#", b"%YAML 1.1\n", b"---\n", b"|\n",
    b'=HYPERLINK("http://x","y")',
)  # fmt: skip

_ENCODINGS = ("cp1251", "latin-1", "utf-16", "utf-16-be", "utf-8-sig")


def _lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


@st.composite
def _one_damage(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one damage: see :func:`mutated_bytes`."""
    kind = draw(
        st.sampled_from(
            (
                "flip", "truncate", "insert", "replace", "delete", "duplicate_line",
                "delete_line", "swap_lines", "transcode", "cut_character", "line_ends",
            )
        )
    )  # fmt: skip
    size = len(data)
    at = draw(st.integers(0, size))
    if kind == "flip" and size:
        at = min(at, size - 1)
        mask = draw(st.integers(1, 255))
        return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]
    if kind == "truncate":
        return data[:at]
    if kind in ("insert", "replace", "delete"):
        end = min(size, at + draw(st.integers(0, 16))) if kind != "insert" else at
        piece = b"" if kind == "delete" else draw(st.sampled_from(HOSTILE_PIECES))
        return data[:at] + piece + data[end:]
    lines = _lines_of(data)
    line = draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate_line":
        return b"".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
    if kind == "delete_line":
        return b"".join([*lines[:line], *lines[line + 1 :]])
    if kind == "swap_lines":
        other = draw(st.integers(0, len(lines) - 1))
        lines[line], lines[other] = lines[other], lines[line]
        return b"".join(lines)
    if kind == "transcode":
        text = data.decode("utf-8", "replace")
        return text.encode(draw(st.sampled_from(_ENCODINGS)), "replace")
    if kind == "cut_character":  # drop one byte of a multi-byte character, if there is one
        starts = [i for i, byte in enumerate(data) if byte >= 0xC0]
        if starts:
            cut = draw(st.sampled_from(starts)) + 1
            return data[:cut] + data[cut + 1 :]
    if kind == "line_ends":
        return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\r\r\n"])))
    return data + draw(st.sampled_from(HOSTILE_PIECES))


def mutated_bytes(valid: bytes, *, max_damages: int = 3) -> st.SearchStrategy[bytes]:
    """``valid`` (a file's bytes) damaged 1 to ``max_damages`` times, as transfers, editors and
    attackers damage files: a byte flipped, the file cut short, a :data:`HOSTILE_PIECES` piece
    inserted or put in place of a few bytes, bytes deleted, a line duplicated, deleted or
    swapped with another, the text re-encoded (cp1251, Latin-1, UTF-16, a BOM), a multi-byte
    character cut, the line ends changed. Usually, not always, different from ``valid``."""

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        data = valid
        for _ in range(draw(st.integers(1, max_damages))):
            data = draw(_one_damage(data))
        return data

    return damaged()


#: Text a hostile file puts in a cell where a value belongs: signs twice, digits that are not
#: ASCII (``int("²")`` raises), numbers past every bound (``int()`` of 5,000 digits raises),
#: other spellings of numbers, impossible dates, NUL, quotes and line ends, 70,000 characters.
HOSTILE_VALUES: tuple[str, ...] = (
    "", " ", "-1", "--1", "+1", "-0", "0", "007", "1.5", "1e999", "NaN", "inf", "²", "٣", "０",
    "9" * 20, "9223372036854775808", "9" * 5000, "0x10", "1_000", " 7 ", "true", "null",
    '"', "'", "\x00", "\n", "\r", "=1+2", "AGAINST_ALL", "INVALID", "blank", "2025-02-30",
    "9999-99-99", "x" * 70_000,
)  # fmt: skip


def _csv_line(cells: list[str], ending: bytes) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue().encode("utf-8") + ending


@st.composite
def _damaged_csv_line(draw: st.DrawFn, line: bytes) -> bytes:
    """One CSV line damaged in its bytes, or (twice as often) one cell given hostile text,
    well quoted: what the CSV layer reads and the row's checks must refuse."""
    if draw(st.integers(0, 2)) == 0:
        return draw(mutated_bytes(line, max_damages=2))
    body = line.rstrip(b"\r\n")
    ending = line[len(body) :]
    cells = next(csv.reader([body.decode("utf-8", "replace")]), [])
    if not cells:
        return draw(mutated_bytes(line, max_damages=1))
    at = draw(st.integers(0, len(cells) - 1))
    piece = st.sampled_from(HOSTILE_PIECES).map(lambda b: b.decode("utf-8", "replace"))
    how = draw(st.sampled_from(("value", "value", "value", "empty", "drop", "extra", "padded")))
    if how == "value":
        values = st.sampled_from(HOSTILE_VALUES)
        cells[at] = draw(values if draw(st.booleans()) else hostile_cells | csv_cells | piece)
    elif how == "empty":
        cells[at] = ""
    elif how == "drop":
        del cells[at]
    elif how == "extra":
        cells.insert(at, draw(csv_cells))
    else:
        cells[at] = f" {cells[at]}\t"
    return _csv_line(cells, ending)


def mutated_csv_row(valid: bytes, *, first: int = 1) -> st.SearchStrategy[tuple[int, bytes]]:
    """``(index, file)``: the CSV file ``valid`` with exactly its line ``index`` (0-based, at
    least ``first``: 1 spares the header) damaged — in its bytes (:func:`mutated_bytes`, a
    duplicated or deleted line included) or by one cell holding hostile text, emptied,
    dropped, added or padded — and every other line as it was, so that a test can check that
    each row the damage did not touch is still stored."""
    lines = _lines_of(valid)
    if len(lines) <= first:
        raise ValueError("the file has no line to damage")

    @st.composite
    def damaged(draw: st.DrawFn) -> tuple[int, bytes]:
        index = draw(st.integers(first, len(lines) - 1))
        replaced = draw(_damaged_csv_line(lines[index]))
        return index, b"".join([*lines[:index], replaced, *lines[index + 1 :]])

    return damaged()


#: JSON texts a hostile document holds where a value belongs: numbers past every bound, NaN,
#: infinities and JSON's own wrong types, strings with NUL or a lone surrogate, 100 KB of text,
#: impossible dates, digits that are not ASCII, nesting past every bound.
HOSTILE_JSON: tuple[str, ...] = (
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-400", "9" * 5000, "-" + "9" * 30,
    "9223372036854775808", "18446744073709551616", "-1", "0", "1.5", "-0.0", "null", "true",
    "false", '""', '"x"', '"\\u0000"', '"\\ud800"', '"' + "x" * 100_000 + '"', "[]", "{}",
    "[[]]", "[1,2,3]", '{"a": 1}', "[" * 70 + "]" * 70, '{"a":' * 70 + "1" + "}" * 70,
    "[" * 100_000 + "]" * 100_000, '"9999-99-99"', '"2025-02-30"', '"²"', '"٣"', '" "',
    '"\\n"', '"=1+2"',
)  # fmt: skip

_HOLE = "\x01hole\x01"
_DUPLICATE = "\x01duplicate\x01"


def _json_paths(doc: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    paths = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            paths.extend(_json_paths(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            paths.extend(_json_paths(value, (*path, i)))
    return paths


def mutated_json(valid: object) -> st.SearchStrategy[bytes]:
    """The JSON document ``valid`` with one value damaged, written as UTF-8 JSON text: a key
    or list item deleted, a key given twice (with its own or a hostile value), a value
    replaced by a :data:`HOSTILE_JSON` text or by a value of another type (a number as a
    string, a list for an object), wrapped in a list. What :func:`mutated_bytes` cannot reach:
    a document still well-formed that a reader must check value by value."""
    paths = _json_paths(valid)

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        doc = copy.deepcopy(valid)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(("hostile", "delete", "twice", "retype", "wrap")))
        token = draw(st.sampled_from(HOSTILE_JSON))
        if not path:
            if how == "wrap":
                return json.dumps([doc]).encode()
            return token.encode()
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        value = parent[key]
        if how == "delete":
            del parent[key]
        elif how == "twice" and isinstance(parent, dict):
            parent[_DUPLICATE] = value if draw(st.booleans()) else _HOLE
        elif how == "retype":
            retyped: object = {
                str: lambda v: int(v) if v.isascii() and v.isdigit() and len(v) < 19 else [v],
                bool: lambda v: int(v),
                int: lambda v: str(v),
                float: lambda v: str(v),
                list: lambda v: {str(i): x for i, x in enumerate(v)},
                dict: lambda v: list(v.values()),
                type(None): lambda v: "",
            }[type(value)](value)
            parent[key] = retyped
        elif how == "wrap":
            parent[key] = [value]
        else:
            parent[key] = _HOLE
        text = json.dumps(doc, ensure_ascii=False)
        text = text.replace(json.dumps(_HOLE), token)
        if isinstance(parent, dict) and _DUPLICATE in parent:
            text = text.replace(json.dumps(_DUPLICATE), json.dumps(key, ensure_ascii=False))
        return text.encode("utf-8", "surrogatepass")

    return damaged()


#: YAML scalars a hostile law file holds: NaN and infinities, numbers past every bound,
#: anchors, aliases and tags (a constructor that runs code), an unclosed flow collection,
#: impossible dates, YAML 1.1's other spellings of booleans and numbers.
HOSTILE_YAML: tuple[str, ...] = (
    ".nan", ".inf", "-.inf", "9" * 5000, "9223372036854775808", "1e999", "-1", "0", "1.5",
    "~", "null", "''", '""', '"\\0"', "*a", "&a x", "&a [1, 2]", "!!binary AAAA",
    "!!python/object/apply:os.system ['true']", "!!float 1", "!!float x", "!!int 0x",
    "!!bool maybe", "!!timestamp 2025-13-45", "!!str", "!!map [1]", "!<tag:x> 1",
    "[", "{", "[" * 100 + "]" * 100,
    "{a: 1, a: 2}", "2025-02-30", "2025-13-01", "yes", "0x10", "0o17", "1_000", "'", '"',
    "|", "- x", "x: y: z", "\t1", "²",
)  # fmt: skip


def mutated_yaml(valid: bytes) -> st.SearchStrategy[bytes]:
    """The YAML document ``valid`` damaged: in its bytes (:func:`mutated_bytes`, a duplicated
    key line included), or with the value of one ``key: value`` line replaced by a
    :data:`HOSTILE_YAML` scalar, or with one line's indentation changed."""
    lines = _lines_of(valid)
    keyed = [i for i, line in enumerate(lines) if b": " in line or line.rstrip().endswith(b":")]

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        how = draw(st.sampled_from(("bytes", "value", "indent")))
        if how == "bytes" or not keyed:
            return draw(mutated_bytes(valid))
        index = draw(st.sampled_from(keyed))
        line = lines[index]
        if how == "value":
            key = line.split(b":", 1)[0]
            hostile = draw(st.sampled_from(HOSTILE_YAML)).encode("utf-8")
            line = key + b": " + hostile + b"\n"
        else:
            body = line.lstrip(b" ")
            line = b" " * draw(st.integers(0, 9)) + body
        return b"".join([*lines[:index], line, *lines[index + 1 :]])

    return damaged()
