"""A person's state digest: what the register binds to the ledger for each person (pure).

The state of a person is twenty stored fields, as canonical texts (:data:`FIELDS`): the
fifteen registry facts in the registry's column order (``rows.COLUMNS``: the station by its
number), then the name keys, the verdict and the remote station. Its digest (16 bytes) is

    BLAKE2b-128( facts digest ‖ the other five texts joined by U+001F )

where the *facts digest* is BLAKE2b-128 of the fifteen facts joined by U+001F — the very
digest the import keeps of each registry row (``rowcache.digest``, the ``row_hash``) when the
row was read in canonical form, so the import's workers reuse it instead of hashing the row
again. A text holding U+001F itself is joined as JSON instead, so no two states share an
encoding. Beside the digest each field but the name keys gets a 2-byte *mark* (CRC-32,
truncated), so that when a digest no longer matches, the state check can name the fields
that changed (a changed name key it tells by deriving the key from the name again). The marks
locate, the digest proves: a changed field whose mark happens to collide (1 in 65,536) is
still caught by the digest, reported as "a field".

Canonical texts: text as stored; a date in ISO form; a flag ``1`` or ``0``; a missing death
date or remote station as empty text; a station by its number, a remote station by its id.

A batch of states (one import batch, one staff change, one chunk of recomputed verdicts) is
bound by one ledger entry holding :func:`batch_digest` over its ids and states in id order,
so an edit of the stored states themselves is caught and named by batch.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

#: The fields of a state, in digest and mark order: the registry's columns, then the rest.
FIELDS: tuple[str, ...] = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "citizenship",
    "other_citizenships",
    "legally_incapable",
    "in_confinement",
    "biometric_registered",
    "death_date",
    "address",
    "dwelling_id",
    "station",
    "name_key",
    "name_latin",
    "eligible",
    "ineligible_codes",
    "remote_station",
)
FACTS = 15
#: The fields with a mark: all but the name keys, which follow the name parts (the check
#: tells a changed key by deriving it again).
MARKED: tuple[int, ...] = tuple(i for i in range(len(FIELDS)) if i not in (15, 16))
DIGEST_SIZE = 16
MARK_SIZE = 2
#: Bytes of one stored state: the digest, then one mark per marked field.
STATE_SIZE = DIGEST_SIZE + MARK_SIZE * len(MARKED)
SCHEME = "shailoo-person-state/1"

_SEP = "\x1f"
_FLAG = ("0", "1")
_PACK = struct.Struct(f">{len(MARKED)}H").pack
#: CRC-32's starting value for marks: not 0, so that the empty text's mark is not 0 either
#: (a cached mark of 0 would be computed again each time).
_SEED = 0x1F
_CACHE_LIMIT = 100_000
#: Marks of repeating texts (names, dates, flags, stations).
_marks: dict[str, int] = {}
assert len(MARKED) == 18 and MARK_SIZE == 2  # marks() is written out for these


def _crc_text(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"), _SEED) & 0xFFFF


_FLAG_MARKS = (_crc_text("0"), _crc_text("1"))
_EMPTY_MARK = _crc_text("")


def _join(parts: Sequence[str]) -> bytes:
    """The texts joined by U+001F, or as JSON when a text holds U+001F (or is not text)."""
    try:
        joined = _SEP.join(parts)
    except TypeError:
        return b"J" + json.dumps([str(p) for p in parts]).encode("ascii")
    if joined.count(_SEP) != len(parts) - 1:
        return b"J" + json.dumps(list(parts)).encode("ascii")
    return joined.encode("utf-8", "surrogatepass")


def _blake(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def facts_digest(facts: Sequence[str]) -> bytes:
    """BLAKE2b-128 of the fifteen facts joined by U+001F: ``rowcache.digest`` of the row."""
    return _blake(_join(facts))


def digest(parts: Sequence[str]) -> bytes:
    """The state digest of twenty canonical texts (``FIELDS`` order)."""
    return _blake(facts_digest(parts[:FACTS]) + _join(parts[FACTS:]))


def _miss(text: str) -> int:
    if len(_marks) >= _CACHE_LIMIT:
        _marks.clear()
    mark = _marks[text] = _crc(text)
    return mark


def _crc(text: Any) -> int:
    raw = text if isinstance(text, str) else str(text)
    return zlib.crc32(raw.encode("utf-8", "surrogatepass"), _SEED) & 0xFFFF


def marks(p: Sequence[str]) -> bytes:
    """One 2-byte mark per marked field: CRC-32 of its text, truncated, big-endian.

    Written out field by field (a loop costs twice as much). The nearly unique texts (PIN,
    address, dwelling) are hashed each time; the others repeat and come from the cache (a
    mark of 0 is merely computed again).
    """
    get, crc = _marks.get, zlib.crc32
    try:
        return _PACK(
            crc(p[0].encode(), _SEED) & 0xFFFF,
            get(p[1]) or _miss(p[1]),
            get(p[2]) or _miss(p[2]),
            get(p[3]) or _miss(p[3]),
            get(p[4]) or _miss(p[4]),
            get(p[5]) or _miss(p[5]),
            get(p[6]) or _miss(p[6]),
            get(p[7]) or _miss(p[7]),
            get(p[8]) or _miss(p[8]),
            get(p[9]) or _miss(p[9]),
            get(p[10]) or _miss(p[10]),
            get(p[11]) or _miss(p[11]),
            crc(p[12].encode(), _SEED) & 0xFFFF,
            crc(p[13].encode(), _SEED) & 0xFFFF,
            get(p[14]) or _miss(p[14]),
            get(p[17]) or _miss(p[17]),
            get(p[18]) or _miss(p[18]),
            get(p[19]) or _miss(p[19]),
        )
    except (AttributeError, TypeError, UnicodeEncodeError):  # not text, or not UTF-8
        return _PACK(*(_crc(p[i]) for i in MARKED))


def state(parts: Sequence[str]) -> bytes:
    """A person's state (:data:`STATE_SIZE` bytes) from its twenty canonical texts."""
    return digest(parts) + marks(parts)


def _day(value: Any) -> str:
    if value is None:
        return ""
    return value if value.__class__ is str else str(value.isoformat())


def stored_texts(
    values: Sequence[Any], remote: Any, station_numbers: Mapping[int, str]
) -> list[str]:
    """The canonical texts of a stored person: ``values`` in ``prepare.PERSON_FIELDS``
    order (dates as ``date`` or ISO text, flags as bools or 0/1, the station by row id),
    ``remote`` the remote station's row id or None; ``station_numbers`` maps station ids to
    numbers (as text)."""
    v = values
    return [
        v[0],
        v[1],
        v[2],
        v[3],
        v[6],
        _day(v[7]),
        v[8],
        v[9],
        "1" if v[10] else "0",
        "1" if v[11] else "0",
        "1" if v[12] else "0",
        _day(v[13]),
        v[14],
        v[15],
        station_numbers.get(v[16], f"#{v[16]}"),
        v[4],
        v[5],
        "1" if v[17] else "0",
        v[18],
        "" if remote is None else str(remote),
    ]


def imported_state(
    raw: Sequence[str], values: Sequence[Any], station_numbers: Mapping[int, str], reuse: bool
) -> bytes:
    """The state of a person the import is about to store: ``raw`` the registry row as read
    (``rows.COLUMNS`` order), ``values`` the stored tuple (``prepare.PERSON_FIELDS``, the
    row's digest last); no remote station yet. The import's hot path, in its workers.

    When the row was read in canonical form (what nearly every registry row is), its
    digest, already computed, is the facts digest (``reuse``: the import's row digest is
    known to be :func:`facts_digest`).
    """
    v = values
    facts = [
        v[0], v[1], v[2], v[3], v[6], v[7], v[8], v[9],
        _FLAG[v[10]], _FLAG[v[11]], _FLAG[v[12]], v[13] or "", v[14], v[15],
        station_numbers.get(v[16]),
    ]  # fmt: skip
    rest = _SEP.join((v[4], v[5], _FLAG[v[17]], v[18], ""))
    if (
        not reuse
        or facts != raw
        or rest.count(_SEP) != 4
        # U+001F in a free text (the other facts' formats exclude it): joined as JSON
        or _SEP in v[14]
        or _SEP in v[15]
        or _SEP in v[1]
        or _SEP in v[2]
        or _SEP in v[3]
    ):
        return state(stored_texts(values, None, station_numbers))
    get, crc = _marks.get, zlib.crc32
    f, flag = facts, _FLAG_MARKS
    try:
        marked = _PACK(
            crc(f[0].encode(), _SEED) & 0xFFFF,
            get(f[1]) or _miss(f[1]),
            get(f[2]) or _miss(f[2]),
            get(f[3]) or _miss(f[3]),
            get(f[4]) or _miss(f[4]),
            get(f[5]) or _miss(f[5]),
            get(f[6]) or _miss(f[6]),
            get(f[7]) or _miss(f[7]),
            flag[v[10]],
            flag[v[11]],
            flag[v[12]],
            get(f[11]) or _miss(f[11]),
            crc(f[12].encode(), _SEED) & 0xFFFF,
            crc(f[13].encode(), _SEED) & 0xFFFF,
            get(f[14]) or _miss(f[14]),
            flag[v[17]],
            get(v[18]) or _miss(v[18]),
            _EMPTY_MARK,
        )
    except UnicodeEncodeError:  # :func:`marks` of the same texts, the slow way
        marked = marks([*facts, v[4], v[5], _FLAG[v[17]], v[18], ""])
    return _blake(bytes.fromhex(v[19]) + rest.encode()) + marked


_PACK_ONE = struct.Struct(">H").pack
_PACK_TWO = struct.Struct(">HH").pack


def text_mark(text: str) -> bytes:
    """One field's mark (:data:`MARK_SIZE` bytes) of its canonical text."""
    return _PACK_ONE(_crc(text))


def assembled_state(
    facts_hex: str,
    rest: str,
    pin: str,
    names: bytes,
    personal: bytes,
    address: str,
    dwelling: str,
    tail: bytes,
) -> bytes:
    """The state of a row read in canonical form, from pieces the import caches.

    ``facts_hex`` is the row's digest (the facts digest), ``rest`` the five other texts
    joined by U+001F; the marks come as the nearly unique texts (PIN, address, dwelling,
    hashed here) and cached runs of marks: ``names`` (surname, given name, patronymic),
    ``personal`` (sex through death date) and ``tail`` (station, eligible, codes, remote
    station). The caller vouches that no text holds U+001F and every text is UTF-8; a
    property test holds this to :func:`state` of the same texts.
    """
    crc = zlib.crc32
    return (
        _blake(bytes.fromhex(facts_hex) + rest.encode())
        + _PACK_ONE(crc(pin.encode(), _SEED) & 0xFFFF)
        + names
        + personal
        + _PACK_TWO(crc(address.encode(), _SEED) & 0xFFFF, crc(dwelling.encode(), _SEED) & 0xFFFF)
        + tail
    )


def changed_fields(stored: bytes, parts: Sequence[str]) -> list[str]:
    """The marked fields whose mark differs between a stored state and the current texts."""
    now = marks(parts)
    return [
        FIELDS[field]
        for n, field in enumerate(MARKED)
        if stored[DIGEST_SIZE + MARK_SIZE * n : DIGEST_SIZE + MARK_SIZE * (n + 1)]
        != now[MARK_SIZE * n : MARK_SIZE * (n + 1)]
    ]


# -- batches ------------------------------------------------------------------------------


def id_bytes(person_id: int) -> bytes:
    return person_id.to_bytes(8, "big")


def consecutive_ids(first: int, count: int) -> bytes:
    """The ids ``first .. first + count - 1`` as :func:`batch_digest` takes them (fast)."""
    ids = array("q", range(first, first + count))
    if sys.byteorder == "little":
        ids.byteswap()
    return ids.tobytes()


def batch_digest(count: int, ids: bytes, states: bytes) -> str:
    """Hex SHA-256 binding a batch: its size, the ids (8 bytes each, big-endian, ascending)
    and the states in the same order."""
    head = SCHEME.encode("ascii") + count.to_bytes(8, "big")
    return hashlib.sha256(
        head + hashlib.sha256(ids).digest() + hashlib.sha256(states).digest()
    ).hexdigest()
