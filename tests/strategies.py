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

import string
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
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
