"""The donor tables: millions of persons and hundreds of thousands of organisations, kept in
flat arrays and found by blocks (pure).

A country's register is too big for an object per person: a person is one row of a few
numpy arrays (PIN as an integer, birth day, the ids of the surname, given name and patronymic
in a table of distinct name parts, an address id), and names are found through a word index
(each word of a donor key to the sorted rows that hold it, in two flat arrays). Distinct name
parts and addresses are far fewer than persons, so each is read once.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from shailoo.common.problems import Problem
from shailoo.finance.resolution.keys import entity_words, person_words, token_similarity
from shailoo.finance.resolution.records import EntityRecord, PersonRecord
from shailoo.register.names import HOMOGLYPHS, skeleton
from shailoo.register.pin import mask_pin

#: Words at least this alike (:func:`keys.token_similarity`) are looked up together.
SIMILAR_WORD = 75.0
#: How many similar words one word of a query may bring in.
_SIMILAR_LIMIT = 48
#: How many words' look-alikes an index remembers.
_SIMILAR_MEMORY = 200_000
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)
_LOOK_ALIKES = frozenset(HOMOGLYPHS) | frozenset(" -'")

Rows = NDArray[np.int32]
IntT = TypeVar("IntT", bound=np.integer[Any])
#: A person as a register's query returns it: PIN, surname, given name, patronymic, birth
#: date, address, citizenship (the fields of :class:`PersonRecord`, in its order).
PersonRow = tuple[str, str, str, str, date | None, str, str]
_NO_ROWS: Rows = np.zeros(0, dtype=np.int32)


class WordIndex:
    """Each word to the sorted rows that hold it, and the words like a given word."""

    __slots__ = ("_by_initial", "_by_skeleton", "_ids", "_indptr", "_rows", "_similar", "_words")

    def __init__(self, words: list[str], word_ids: NDArray[np.int64], rows: NDArray[np.int64]):
        self._words = words
        self._ids = {word: i for i, word in enumerate(words)}
        pairs = _unique(word_ids * (1 << 32) + rows)  # sorted by word, then row; no repeats
        pair_words = pairs >> 32
        self._rows: Rows = (pairs & 0xFFFFFFFF).astype(np.int32)
        self._indptr = np.searchsorted(pair_words, np.arange(len(words) + 1)).astype(np.int64)
        by_initial: dict[tuple[str, int], list[str]] = {}
        by_skeleton: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            by_initial.setdefault((word[:1], len(word)), []).append(word)
            by_skeleton.setdefault(skeleton(word), []).append(i)
        self._by_initial = by_initial
        self._by_skeleton = by_skeleton
        self._similar: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self._words)

    def nbytes(self) -> int:
        """Bytes held by the postings (not the Python word lists)."""
        return int(self._rows.nbytes + self._indptr.nbytes)

    def postings(self, word_id: int) -> Rows:
        return self._rows[self._indptr[word_id] : self._indptr[word_id + 1]]

    def similar(self, word: str) -> list[int]:
        """Ids of the indexed words like ``word``: itself, the same consonant skeleton, and
        close spellings with the same first letter and about the same length. A lone letter
        (an initial) finds only itself: every word it could begin is no evidence. Remembered
        (statements repeat the same surnames and company words), up to a bound."""
        known = self._similar.get(word)
        if known is None:
            if len(self._similar) >= _SIMILAR_MEMORY:
                self._similar.clear()
            known = self._similar[word] = self._find_similar(word)
        return known

    def _find_similar(self, word: str) -> list[int]:
        found = dict.fromkeys(x for x in [self._ids.get(word)] if x is not None)
        if len(word) < 2:
            return list(found)
        found.update(dict.fromkeys(self._by_skeleton.get(skeleton(word), ())))
        spread = max(2, len(word) // 4)  # a spelling variant, not a longer compound word
        choices: list[str] = []
        for size in range(max(2, len(word) - spread), len(word) + spread + 1):
            choices += self._by_initial.get((word[0], size), ())
        for other, _, _ in process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=50, limit=_SIMILAR_LIMIT
        ):
            if token_similarity(word, other) >= SIMILAR_WORD:
                found.setdefault(self._ids[other], None)
        return list(found)

    def matches(
        self, words: Sequence[str], need: int = 1, among: NDArray[np.bool_] | None = None
    ) -> tuple[Rows, NDArray[np.int64], NDArray[np.int64]]:
        """The rows holding (a word like) at least ``need`` of ``words`` (fewer when fewer
        are indexed), each with how many of the words it holds and a weight (2 per very
        word, 1 per look-alike).

        Only the rarest words' postings are gathered (a row with ``need`` of ``n`` words
        holds one of the ``n - need + 1`` rarest); the common words are then looked up for
        those rows alone, so a country's commonest given name costs a search, not a union.
        ``among`` (a flag per row) keeps only the rows it flags.
        """
        found: list[tuple[Rows | None, list[Rows]]] = []
        for word in words:
            exact = self._ids.get(word)
            same = self.postings(exact) if exact is not None else None
            like = [self.postings(i) for i in self.similar(word) if i != exact]
            if same is not None or like:
                found.append((same, like))
        need = min(need, len(found))
        if not found:
            return _NO_ROWS, np.zeros(0, np.int64), np.zeros(0, np.int64)
        found.sort(key=lambda f: (0 if f[0] is None else f[0].size) + sum(r.size for r in f[1]))
        pool_lists = [r for same, like in found[: len(found) - need + 1] for r in (same, *like)]
        gathered = np.concatenate([r for r in pool_lists if r is not None])
        if among is not None:
            gathered = gathered[among[gathered]]
        pool = _unique(gathered)
        counts = np.zeros(pool.size, dtype=np.int64)
        weights = np.zeros(pool.size, dtype=np.int64)
        for same, like in found:
            very = _held(pool, same) if same is not None else np.zeros(pool.size, dtype=bool)
            alike = np.zeros(pool.size, dtype=bool)
            for rows in like:
                alike |= _held(pool, rows)
            alike &= ~very
            counts += very | alike
            weights += 2 * very + alike
        keep = counts >= need
        return pool[keep].astype(np.int32, copy=False), counts[keep], weights[keep]

    def rows_with(self, words: Sequence[str], need: int, limit: int) -> Rows:
        """Rows holding (a word like) at least ``need`` of ``words``; past ``limit``, those
        holding the most of them, the very words counting twice as much as look-alikes."""
        rows, _, weights = self.matches(words, need)
        return _best(rows, weights, limit)


def _unique(values: NDArray[IntT]) -> NDArray[IntT]:
    """``np.unique`` of integers by a sort and a mask: the same sorted distinct values, but
    ``np.unique`` (numpy 2.4) is many times slower at the sizes of a register's postings."""
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]


def _unique_first(values: NDArray[IntT]) -> tuple[NDArray[IntT], NDArray[np.intp]]:
    """``np.unique(values, return_index=True)``: the sorted distinct values and where each
    first occurs (a stable sort keeps the first of equal values first)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = _firsts(ordered)
    return ordered[first], order[first]


def _firsts(ordered: NDArray[IntT]) -> NDArray[np.bool_]:
    """Which values of a sorted array differ from the one before."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _held(pool: Rows, rows: Rows) -> NDArray[np.bool_]:
    """Which of the sorted ``pool`` rows are among the sorted ``rows``."""
    held = np.zeros(pool.size, dtype=bool)
    if not rows.size or not pool.size:
        return held
    if rows.size < pool.size:  # search the smaller array in the larger
        at = np.minimum(np.searchsorted(pool, rows), pool.size - 1)
        held[at[pool[at] == rows]] = True
        return held
    at = np.minimum(np.searchsorted(rows, pool), rows.size - 1)
    return np.asarray(rows[at] == pool)


def _best(rows: Rows, weights: NDArray[np.int64], limit: int) -> Rows:
    if rows.size > limit:
        rows = rows[np.argsort(-weights, kind="stable")[:limit]]
    return rows


def _word_index(words: dict[str, int], pairs: tuple[array[int], array[int]]) -> WordIndex:
    word_ids = np.frombuffer(pairs[0], dtype=np.int64) if pairs[0] else np.zeros(0, np.int64)
    rows = np.frombuffer(pairs[1], dtype=np.int64) if pairs[1] else np.zeros(0, np.int64)
    return WordIndex(list(words), word_ids, rows)


def _intern(word: str, words: dict[str, int]) -> int:
    found = words.get(word)
    if found is None:
        found = words[word] = len(words)
    return found


#: A distinct name part's key: the part as written, or, for a part of Latin look-alike
#: letters only, the part and whether the name's other parts are Cyrillic.
PartKey = str | tuple[str, bool]


@dataclass(slots=True)
class PersonColumns:
    """Register rows read into columns: a part of the register, or all of it.

    Names, addresses and citizenships are stored once each (their ids in the order first
    met), so a part read elsewhere is joined by :meth:`extend` with a lookup per distinct
    value, not per person, and the join of parts read in order is exactly what one read of
    the whole gives.
    """

    start: int = 0  # the input position of the first row
    count: int = 0  # rows read, skipped ones included
    part_keys: list[PartKey] = field(default_factory=list)
    part_text: list[str] = field(default_factory=list)
    part_words: list[tuple[str, ...]] = field(default_factory=list)
    parts: array[int] = field(default_factory=lambda: array("i"))
    pins: array[int] = field(default_factory=lambda: array("q"))
    odd_pins: dict[int, str] = field(default_factory=dict)  # by row
    skipped: list[int] = field(default_factory=list)  # input positions
    births: array[int] = field(default_factory=lambda: array("i"))
    addresses: array[int] = field(default_factory=lambda: array("i"))
    address_keys: list[str] = field(default_factory=list)
    address_text: list[str] = field(default_factory=list)
    citizenship: array[int] = field(default_factory=lambda: array("B"))
    country_codes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def read(cls, persons: Iterable[PersonRow], start: int = 0) -> PersonColumns:
        """The rows of ``persons``, the first at input position ``start`` (problems name
        the register's positions)."""
        cols = cls(start=start)
        part_ids: dict[str, int] = {}
        look_alike_ids: dict[tuple[str, bool], int] = {}
        address_ids: dict[str, int] = {}
        country_ids: dict[str, int] = {}
        parts, pins, births = cols.parts, cols.pins, cols.births
        addresses, citizenship, address_text = cols.addresses, cols.citizenship, cols.address_text
        new_part = cols._new_part
        n = start - 1
        for n, (raw_pin, surname, given, patronymic, born, address, code) in enumerate(
            persons, start
        ):
            pin = (raw_pin or "").strip()
            if not pin:
                cols.problems.append(
                    Problem(f"persons[{n}].pin", "empty: not an identity; skipped")
                )
                cols.skipped.append(n)
                continue
            for part in (surname, given, patronymic):
                pid = part_ids.get(part)
                if pid is None:
                    pid = new_part(part, (surname, given, patronymic), part_ids, look_alike_ids)
                parts.append(pid)
            if len(pin) == 14 and pin.isascii() and pin.isdigit():
                pins.append(int(pin))
            else:
                cols.odd_pins[len(pins)] = pin
                pins.append(-1)
            births.append(born.toordinal() if born else 0)
            aid = address_ids.get(address)
            if aid is None:
                aid = address_ids[address] = len(address_text)
                address_text.append(address.strip())
            addresses.append(aid)
            cid = country_ids.get(code)
            if cid is None:
                cid = country_ids[code] = len(country_ids)
            citizenship.append(cid)
        cols.count = n + 1 - start
        keys: list[PartKey] = [""] * len(cols.part_text)
        for word, pid in part_ids.items():
            keys[pid] = word
        for look_alike, pid in look_alike_ids.items():
            keys[pid] = look_alike
        cols.part_keys = keys
        cols.address_keys = list(address_ids)
        cols.country_codes = list(country_ids)
        return cols

    def _new_part(
        self,
        part: str,
        names: tuple[str, str, str],
        part_ids: dict[str, int],
        look_alike_ids: dict[tuple[str, bool], int],
    ) -> int:
        """The id of a name part seen for the first time (or a look-alike part: see below)."""
        text = part
        if part.isascii() and part.strip() and _LOOK_ALIKES.issuperset(part):
            # Latin look-alike letters only ("COCOB"): Cyrillic when the other parts are,
            # as the register's normalise reads them; so its id depends on that context.
            context = not all(name.isascii() for name in names)
            found = look_alike_ids.get((part, context))
            if found is not None:
                return found
            text = part.translate(_HOMOGLYPH_TABLE) if context else part
            pid = look_alike_ids[(part, context)] = len(self.part_text)
        else:
            pid = part_ids[part] = len(self.part_text)
        self.part_text.append(text.strip())
        self.part_words.append(person_words(text) if text.strip() else ())
        return pid

    def extend(self, other: PersonColumns) -> None:
        """Join ``other``, the rows that follow these in the register."""
        part_remap = _join(other.part_keys, self.part_keys, self._part_adder(other))
        address_remap = _join(
            other.address_keys,
            self.address_keys,
            lambda i: self.address_text.append(other.address_text[i]),
        )
        country_remap = _join(other.country_codes, self.country_codes, lambda i: None)
        rows = len(self.pins)
        self.odd_pins.update({rows + row: pin for row, pin in other.odd_pins.items()})
        self.skipped += other.skipped
        self.problems += other.problems
        self.pins += other.pins
        self.births += other.births
        self.parts.frombytes(_remapped(other.parts, part_remap, np.int32))
        self.addresses.frombytes(_remapped(other.addresses, address_remap, np.int32))
        self.citizenship.frombytes(_remapped(other.citizenship, country_remap, np.uint8))
        self.count += other.count

    def _part_adder(self, other: PersonColumns) -> Callable[[int], None]:
        def add(i: int) -> None:
            self.part_text.append(other.part_text[i])
            self.part_words.append(other.part_words[i])

        return add


def _join(theirs: Sequence[Any], ours: list[Any], add: Callable[[int], None]) -> NDArray[np.int64]:
    """Each of ``theirs``'s ids as one of ``ours`` (a value new to ours added last, as a
    single read would have met it; ``add`` adds what goes with it)."""
    ids = {key: i for i, key in enumerate(ours)}
    remap = np.empty(len(theirs), dtype=np.int64)
    for i, key in enumerate(theirs):
        found = ids.get(key)
        if found is None:
            found = ids[key] = len(ours)
            ours.append(key)
            add(i)
        remap[i] = found
    return remap


def _remapped(values: array[int], remap: NDArray[np.int64], dtype: type[np.generic]) -> bytes:
    """``values`` (ids) through ``remap``, as the bytes of an array of ``dtype``."""
    if not values:
        return b""
    return remap[np.frombuffer(values, dtype=dtype)].astype(dtype).tobytes()


class PersonTable:
    """The register's persons as columns, with their PIN, birth-day and word indexes."""

    __slots__ = (
        "_address_text",
        "_addresses",
        "_birth_order",
        "_birth_sorted",
        "_births",
        "_citizenship",
        "_countries",
        "_first_word",
        "_no_patronymic",
        "_odd_pins",
        "_part_text",
        "_part_words",
        "_parts",
        "_pin_order",
        "_pin_sorted",
        "_pins",
        "_skipped",
        "words",
    )

    def __init__(self, persons: Iterable[PersonRecord], problems: list[Problem]) -> None:
        self._load(
            (
                (p.pin, p.surname, p.given_name, p.patronymic, p.birth_date, p.address,
                 p.citizenship)
                for p in persons
            ),
            problems,
        )  # fmt: skip

    @classmethod
    def from_rows(cls, rows: Iterable[PersonRow], problems: list[Problem]) -> PersonTable:
        """The table from plain rows (:data:`PersonRow`), as a register's query returns them:
        millions of records cost an object each for nothing."""
        table = cls.__new__(cls)
        table._load(rows, problems)
        return table

    @classmethod
    def from_columns(cls, columns: PersonColumns, problems: list[Problem]) -> PersonTable:
        """The table from the register read into :class:`PersonColumns` (perhaps by several
        processes, each a part, joined in order)."""
        table = cls.__new__(cls)
        table._finish(columns, problems)
        return table

    def _load(self, persons: Iterable[PersonRow], problems: list[Problem]) -> None:
        self._finish(PersonColumns.read(persons), problems)

    def _finish(self, columns: PersonColumns, problems: list[Problem]) -> None:
        problems.extend(columns.problems)
        self._part_text = columns.part_text
        self._part_words = columns.part_words
        self._odd_pins = columns.odd_pins
        self._skipped = columns.skipped
        self._address_text = columns.address_text
        self._countries = [code.strip().upper() for code in columns.country_codes]
        parts = columns.parts
        self._parts = (
            np.frombuffer(parts, dtype=np.int32).reshape(-1, 3)
            if parts
            else (np.zeros((0, 3), dtype=np.int32))
        )
        self._pins = np.array(columns.pins, dtype=np.int64)
        self._births = np.array(columns.births, dtype=np.int32)
        self._addresses = np.array(columns.addresses, dtype=np.int32)
        self._citizenship = np.array(columns.citizenship, dtype=np.uint8)
        self._pin_order, self._pin_sorted = self._pin_index(problems)
        self._birth_order = np.argsort(self._births, kind="stable").astype(np.int32)
        self._birth_sorted = self._births[self._birth_order]
        self.words = self._word_index()
        no_words = np.array([not words for words in self._part_words], dtype=bool)
        self._no_patronymic = no_words[self._parts[:, 2]] if len(self._parts) else no_words[:0]

    def _input_index(self, row: int) -> int:
        """The position in the input of the record at ``row`` (records skipped shift it)."""
        for skipped in self._skipped:
            if skipped <= row:
                row += 1
        return row

    def _pin_index(self, problems: list[Problem]) -> tuple[Rows, NDArray[np.int64]]:
        order = np.argsort(self._pins, kind="stable").astype(np.int32)
        order = order[self._pins[order] >= 0]
        ordered = self._pins[order]
        repeated = np.nonzero(ordered[1:] == ordered[:-1])[0]
        for i in repeated[:1000]:
            first, again = int(order[i]), int(order[i + 1])
            problems.append(
                Problem(
                    f"persons[{self._input_index(again)}].pin",
                    f"PIN {mask_pin(self.pin(again))} repeats persons[{self._input_index(first)}]"
                    "; the first one is used",
                )
            )
        return order, ordered

    def _word_index(self) -> WordIndex:
        words: dict[str, int] = {}
        part_word_ids = [[_intern(w, words) for w in ws] for ws in self._part_words]
        first = np.array([ids[0] if ids else -1 for ids in part_word_ids], dtype=np.int64)
        self._first_word = first
        # The further words of parts of several words ("Бексултан уулу"), flat, with each
        # part's count and start: gathered for all rows at once, not a row at a time.
        more_count = np.array([max(len(ids) - 1, 0) for ids in part_word_ids], dtype=np.int64)
        more_words = np.array([w for ids in part_word_ids for w in ids[1:]], dtype=np.int64)
        more_start = np.cumsum(more_count) - more_count
        word_chunks, row_chunks = [], []
        row_numbers = np.arange(len(self._parts), dtype=np.int64)
        for column in range(3):
            parts = self._parts[:, column] if len(self._parts) else np.zeros(0, np.int32)
            ids = first[parts]
            held = ids >= 0
            word_chunks.append(ids[held])
            row_chunks.append(row_numbers[held])
            rows = np.nonzero(more_count[parts] > 0)[0] if more_words.size else row_numbers[:0]
            if rows.size:
                counts = more_count[parts[rows]]
                out_start = np.repeat(np.cumsum(counts) - counts, counts)
                at = np.arange(int(counts.sum())) - out_start
                word_chunks.append(more_words[at + np.repeat(more_start[parts[rows]], counts)])
                row_chunks.append(np.repeat(rows, counts))
        return WordIndex(list(words), np.concatenate(word_chunks), np.concatenate(row_chunks))

    def __len__(self) -> int:
        return len(self._pins)

    def pin(self, row: int) -> str:
        value = int(self._pins[row])
        return f"{value:014d}" if value >= 0 else self._odd_pins[row]

    def row_of_pin(self, pin: str) -> int | None:
        """The row of a 14-digit PIN (the first, if the register repeats it), or None (for
        anything but 14 ASCII digits too: ``int`` would read other scripts' digits)."""
        if len(pin) != 14 or not pin.isascii() or not pin.isdigit():
            return None
        value = int(pin)
        at = int(self._pin_sorted.searchsorted(value))  # the method: no dispatch per call
        if at < len(self._pin_sorted) and self._pin_sorted[at] == value:
            return int(self._pin_order[at])
        return None

    def rows_of_pins(self, pins: Sequence[str]) -> list[int | None]:
        """:meth:`row_of_pin` of each of ``pins``, with one search of the sorted PINs."""
        values = np.array(
            [int(p) if len(p) == 14 and p.isascii() and p.isdigit() else -1 for p in pins],
            dtype=np.int64,
        )
        ordered = self._pin_sorted
        if not ordered.size:
            return [None] * len(pins)
        at = np.minimum(ordered.searchsorted(values), ordered.size - 1)
        found = (ordered[at] == values) & (values >= 0)
        rows = self._pin_order[at].tolist()
        return [row if hit else None for row, hit in zip(rows, found.tolist(), strict=True)]

    def rows_named(self, words: Sequence[str], limit: int) -> Rows:
        """Rows that may fit a name of ``words``: holding as many of the words as any row
        does (a look-alike counts; at least two), and, for a name of three words or more,
        rows holding two of them whose register entry has no patronymic (a foreigner).
        Namesakes with another patronymic cannot reach a match, so they are not sought."""
        rows, weights = _NO_ROWS, np.zeros(0, np.int64)
        for need in range(len(words), 1, -1):
            rows, _, weights = self.words.matches(words, need)
            if rows.size:
                break
        if len(words) >= 3:
            more, _, more_weights = self.words.matches(words, 2, among=self._no_patronymic)
            if more.size:
                rows, at = _unique_first(np.concatenate([rows, more]))
                weights = np.concatenate([weights, more_weights])[at]
        return _best(rows, weights, limit)

    def born_on(self, day: date, words: Sequence[str] = ()) -> Rows:
        """The rows of persons born on ``day``; with ``words``, only those whose surname or
        given name begins with (a word like) one of them: the others cannot match a name."""
        ordinal = day.toordinal()
        # The bounds in the array's own type: a list (int64) would copy the register's birth
        # days to int64 on every call.
        bounds = np.array([ordinal, ordinal + 1], dtype=self._birth_sorted.dtype)
        lo, hi = self._birth_sorted.searchsorted(bounds)
        rows = self._birth_order[lo:hi]
        if words and rows.size:
            ids = np.array([i for w in words for i in self.words.similar(w)], dtype=np.int64)
            parts = self._parts[rows]
            named = np.isin(self._first_word[parts[:, 0]], ids)
            named |= np.isin(self._first_word[parts[:, 1]], ids)
            rows = rows[named]
        return rows

    def name_words(self, row: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        s, g, p = self._parts[row]
        return self._part_words[s], self._part_words[g], self._part_words[p]

    def part_words(self, part_id: int) -> tuple[str, ...]:
        """The words of one distinct name part (:meth:`part_ids`)."""
        return self._part_words[part_id]

    def parts_of(self, rows: Rows) -> list[tuple[int, int, int]]:
        """:meth:`part_ids` of many rows at once (a name search reads thousands)."""
        return [(s, g, p) for s, g, p in self._parts[rows].tolist()]

    def part_ids(self, row: int) -> tuple[int, int, int]:
        s, g, p = self._parts[row]
        return int(s), int(g), int(p)

    def name(self, row: int) -> str:
        text = self._part_text
        return " ".join(t for t in (text[i] for i in self._parts[row].tolist()) if t)

    def birth_date(self, row: int) -> date | None:
        ordinal = int(self._births[row])
        return date.fromordinal(ordinal) if ordinal else None

    def address_text(self, row: int) -> str:
        return self._address_text[int(self._addresses[row])]

    def country(self, row: int) -> str:
        return self._countries[int(self._citizenship[row])]

    def nbytes(self) -> int:
        """Bytes held by the arrays (not the Python lists of distinct parts and addresses)."""
        arrays = (self._parts, self._pins, self._births, self._addresses, self._citizenship)
        extra = (self._pin_order, self._pin_sorted, self._birth_order, self._birth_sorted)
        return sum(a.nbytes for a in (*arrays, *extra)) + self.words.nbytes()


class EntityTable:
    """The registries' organisations: their INNs, names in every script, and a word index."""

    __slots__ = ("_by_inn", "_input", "_records", "_words_of", "words")

    def __init__(self, entities: Iterable[EntityRecord], problems: list[Problem]) -> None:
        self._records: list[EntityRecord] = []
        self._words_of: list[tuple[tuple[str, ...], ...]] = []
        self._by_inn: dict[str, int] = {}
        self._input = array("q")  # each row's position in the input, for problems
        words: dict[str, int] = {}
        word_ids, rows = array("q"), array("q")
        for n, entity in enumerate(entities):
            inn = entity.inn.strip()
            if not inn:
                problems.append(Problem(f"entities[{n}].inn", "empty: not an identity; skipped"))
                continue
            row = len(self._records)
            first = self._by_inn.setdefault(inn, row)
            if first != row:
                problems.append(
                    Problem(
                        f"entities[{n}].inn",
                        f"repeats entities[{self._input[first]}]; the first one is used",
                    )
                )
            self._input.append(n)
            readings = []
            for name in (entity.name, *entity.other_names):
                reading = entity_words(name) if name.strip() else ()
                if reading and reading not in readings:
                    readings.append(reading)
            self._records.append(entity)
            self._words_of.append(tuple(readings))
            held = {w for reading in readings for w in reading}
            held |= {"".join(reading) for reading in readings if len(reading) > 1}
            for word in held:
                word_ids.append(_intern(word, words))
                rows.append(row)
        self.words = _word_index(words, (word_ids, rows))

    def __len__(self) -> int:
        return len(self._records)

    def row_of_inn(self, inn: str) -> int | None:
        return self._by_inn.get(inn)

    def record(self, row: int) -> EntityRecord:
        return self._records[row]

    def name_words(self, row: int) -> tuple[tuple[str, ...], ...]:
        return self._words_of[row]

    def closest(self, words: Sequence[str], rows: Rows, limit: int = 150) -> list[int]:
        """Of ``rows``, the ``limit`` whose names are closest to ``words`` by a quick measure
        (words sorted, edit ratio, in C++): a block of organisations sharing a common word
        ("Строй", "Инвест") is ranked before the slower exact score is spent on it."""
        if len(rows) <= limit:
            return [int(row) for row in rows]
        owners: list[int] = []
        choices: list[str] = []
        for row in rows:
            for name in self._words_of[row]:
                owners.append(int(row))
                choices.append(" ".join(name))
        ranked = process.extract(
            " ".join(words), choices, scorer=fuzz.token_sort_ratio, limit=4 * limit
        )
        return list(dict.fromkeys(owners[i] for _, _, i in ranked))[:limit]
