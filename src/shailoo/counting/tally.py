"""Tally cast vote records fast, and add stations up to TECs, regions and the country.

A country's cast vote records (about 4 million sheets from 2,500 stations) are held as two
arrays: the station index of each record, and a ``choices`` matrix with one column per *vote
slot*: a contest where a voter may mark ``v`` ovals has ``v`` slots. A slot holds the option's
index in the contest, or a code:

* ``BLANK`` (-1): no mark (an undervote when in the first slot, an unused vote otherwise);
* ``OVERVOTE`` (-2): too many marks: the contest counts for nobody;
* ``NOT_ON_BALLOT`` (-3): this sheet does not carry the contest;
* ``UNRESOLVED`` (-4): marginal mark or unreadable sheet not yet adjudicated.

Codes other than an option index matter only in a contest's first slot (one per sheet and
contest); later slots of the same contest hold option indices or ``BLANK``.

The result is one ``(stations, width)`` count matrix: for each contest its options' votes, then
blank, overvote and unresolved sheets (see :class:`Layout`). One compiled pass over the
matrix (numba) counts every contest at once, reading each record once; validation happens in
the same pass, so a bad code is reported with its row and column instead of being counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt

from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.reads import ContestOutcome, SheetRead, SheetStatus

BLANK = -1
OVERVOTE = -2
NOT_ON_BALLOT = -3
UNRESOLVED = -4
#: Columns after each contest's options, in order.
EXTRA_COLUMNS = ("blank", "overvote", "unresolved")

IntArray = npt.NDArray[np.int64]


class TallyInputError(ValueError):
    """A record the tally cannot count: ``row`` and ``column`` locate it in the input."""

    def __init__(self, row: int, column: int, reason: str) -> None:
        super().__init__(f"record {row}, column {column}: {reason}")
        self.row = row
        self.column = column


@dataclass(frozen=True)
class Layout:
    """Contests, their options and vote slots, and where each lands in the count matrix."""

    contest_ids: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    slots: tuple[int, ...]

    def __post_init__(self) -> None:
        if not (len(self.contest_ids) == len(self.option_ids) == len(self.slots)):
            raise ValueError("contest_ids, option_ids and slots need one entry per contest")
        if any(s < 1 for s in self.slots) or any(not o for o in self.option_ids):
            raise ValueError("every contest needs at least one slot and one option")

    @classmethod
    def from_definition(cls, definition: ElectionDefinition) -> Layout:
        return cls(
            contest_ids=tuple(c.id for c in definition.contests),
            option_ids=tuple(tuple(o.id for o in c.options) for c in definition.contests),
            slots=tuple(c.votes_allowed for c in definition.contests),
        )

    @property
    def offsets(self) -> tuple[int, ...]:
        """First count column of each contest."""
        found, at = [], 0
        for options in self.option_ids:
            found.append(at)
            at += len(options) + len(EXTRA_COLUMNS)
        return tuple(found)

    @property
    def width(self) -> int:
        return sum(len(o) + len(EXTRA_COLUMNS) for o in self.option_ids)

    @property
    def columns(self) -> int:
        """Columns of the ``choices`` matrix (vote slots of all contests)."""
        return sum(self.slots)

    def slot_arrays(self) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]:
        """Per choices column: its contest's count offset, option count, and first-slot flag."""
        offset, options, contest, first = [], [], [], []
        for c, (start, opts, slots) in enumerate(
            zip(self.offsets, self.option_ids, self.slots, strict=True)
        ):
            for s in range(slots):
                offset.append(start)
                options.append(len(opts))
                contest.append(c)
                first.append(s == 0)
        return (
            np.asarray(offset, dtype=np.int64),
            np.asarray(options, dtype=np.int64),
            np.asarray(contest, dtype=np.int64),
            np.asarray(first, dtype=np.bool_),
        )


@nb.njit(cache=True, nogil=True)
def _count(
    stations: Any,
    choices: Any,
    n_stations: int,
    offset: Any,
    options: Any,
    first: Any,
    out: Any,
) -> tuple[int, int, int]:
    """Add every record into ``out``; returns (row, column, problem) of the first bad one.

    problem: 0 none, 1 station out of range, 2 code out of range, 3 code in a later slot.
    """
    n, k = choices.shape
    for i in range(n):
        s = stations[i]
        if s < 0 or s >= n_stations:
            return i, -1, 1
        for j in range(k):
            code = choices[i, j]
            if code >= 0:
                if code >= options[j]:
                    return i, j, 2
                out[s, offset[j] + code] += 1
            elif code == -3 and first[j]:
                # The commonest cell: a district contest this sheet does not carry.
                continue
            elif first[j]:
                if code == -1:
                    out[s, offset[j] + options[j]] += 1
                elif code == -2:
                    out[s, offset[j] + options[j] + 1] += 1
                elif code == -4:
                    out[s, offset[j] + options[j] + 2] += 1
                elif code != -3:
                    return i, j, 2
            elif code != -1:
                return i, j, 3
    return -1, -1, 0


def tally(
    stations: npt.NDArray[np.integer[Any]],
    choices: npt.NDArray[np.integer[Any]],
    n_stations: int,
    layout: Layout,
) -> IntArray:
    """Counts per station: a ``(n_stations, layout.width)`` int64 matrix."""
    if choices.ndim != 2 or choices.shape[1] != layout.columns:
        raise ValueError(f"choices must be (records, {layout.columns}), not {choices.shape}")
    if stations.ndim != 1 or stations.shape[0] != choices.shape[0]:
        raise ValueError("stations needs one entry per record")
    offset, options, _, first = layout.slot_arrays()
    out = np.zeros((n_stations, layout.width), dtype=np.int64)
    row, column, problem = _count(
        np.ascontiguousarray(stations),
        np.ascontiguousarray(choices),
        n_stations,
        offset,
        options,
        first,
        out,
    )
    if problem == 1:
        raise TallyInputError(row, column, f"station index {int(stations[row])} out of range")
    if problem == 2:
        raise TallyInputError(row, column, f"code {int(choices[row, column])} is not valid here")
    if problem == 3:
        raise TallyInputError(
            row, column, "only the first slot of a contest may hold a status code"
        )
    return out


# -- aggregation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """Index maps: each station's TEC, each TEC's region (all 0-based)."""

    station_tec: IntArray
    tec_region: IntArray
    n_regions: int

    def __post_init__(self) -> None:
        if self.station_tec.size and (
            self.station_tec.min() < 0 or self.station_tec.max() >= self.tec_region.size
        ):
            raise ValueError("station_tec names a TEC that tec_region does not have")
        if self.tec_region.size and (
            self.tec_region.min() < 0 or self.tec_region.max() >= self.n_regions
        ):
            raise ValueError("tec_region names a region beyond n_regions")


@dataclass(frozen=True)
class Aggregates:
    """Counts at every level, each a matrix with the layout's columns."""

    stations: IntArray
    tecs: IntArray
    regions: IntArray
    country: IntArray


def roll_up(counts: IntArray, parent: IntArray, n_parents: int) -> IntArray:
    """Sum rows of ``counts`` into their parents' rows."""
    out = np.zeros((n_parents, counts.shape[1]), dtype=np.int64)
    np.add.at(out, parent, counts)
    return out


def aggregate(station_counts: IntArray, hierarchy: Hierarchy) -> Aggregates:
    """Stations → TECs → regions → country; each level sums the one below."""
    if station_counts.shape[0] != hierarchy.station_tec.size:
        raise ValueError("one TEC index per station row is needed")
    tecs = roll_up(station_counts, hierarchy.station_tec, hierarchy.tec_region.size)
    regions = roll_up(tecs, hierarchy.tec_region, hierarchy.n_regions)
    return Aggregates(station_counts, tecs, regions, regions.sum(axis=0))


# -- plain data in and out --------------------------------------------------------------------


def counts_to_dict(row: npt.NDArray[np.integer[Any]], layout: Layout) -> dict[str, dict[str, int]]:
    """One count row as ``{contest: {option or blank/overvote/unresolved: count}}``."""
    found: dict[str, dict[str, int]] = {}
    for contest, options, start in zip(
        layout.contest_ids, layout.option_ids, layout.offsets, strict=True
    ):
        names = (*options, *EXTRA_COLUMNS)
        found[contest] = {name: int(row[start + i]) for i, name in enumerate(names)}
    return found


def matrix_to_dicts(
    counts: npt.NDArray[np.integer[Any]], layout: Layout, labels: Sequence[str]
) -> dict[str, dict[str, dict[str, int]]]:
    """Every row of a level's matrix, keyed by its unit's label."""
    if len(labels) != counts.shape[0]:
        raise ValueError("one label per row is needed")
    return {label: counts_to_dict(counts[i], layout) for i, label in enumerate(labels)}


def encode_sheets(
    sheets: Iterable[SheetRead], layout: Layout, station_index: Mapping[str, int]
) -> tuple[IntArray, npt.NDArray[np.int16]]:
    """Scanner reads as (stations, choices) arrays for :func:`tally`.

    A sheet that is not readable, or a marginal contest, is ``UNRESOLVED``; a contest the
    sheet does not carry is ``NOT_ON_BALLOT``.
    """
    slot_start = np.cumsum((0, *layout.slots))
    index = {
        c: (i, {o: n for n, o in enumerate(opts)})
        for i, (c, opts) in enumerate(zip(layout.contest_ids, layout.option_ids, strict=True))
    }
    rows: list[list[int]] = []
    stations: list[int] = []
    for n, sheet in enumerate(sheets):
        if sheet.station is None or sheet.station not in station_index:
            raise TallyInputError(n, -1, f"station {sheet.station!r} is not in the index")
        stations.append(station_index[sheet.station])
        row = [BLANK] * layout.columns
        for c in range(len(layout.contest_ids)):
            row[slot_start[c]] = NOT_ON_BALLOT
        for read in sheet.contests:
            if read.contest_id not in index:
                raise TallyInputError(n, -1, f"contest {read.contest_id!r} is not in the layout")
            c, options = index[read.contest_id]
            start = int(slot_start[c])
            if sheet.status is not SheetStatus.READABLE or read.outcome is ContestOutcome.MARGINAL:
                row[start] = UNRESOLVED
            elif read.outcome is ContestOutcome.OVERVOTE:
                row[start] = OVERVOTE
            elif read.outcome is ContestOutcome.UNDERVOTE or not read.votes:
                row[start] = BLANK
            else:
                if len(read.votes) > layout.slots[c]:
                    raise TallyInputError(n, start, "more votes than the contest allows")
                for s, vote in enumerate(read.votes):
                    if vote not in options:
                        raise TallyInputError(n, start + s, f"option {vote!r} is not in the layout")
                    row[start + s] = options[vote]
        if sheet.status is not SheetStatus.READABLE and not sheet.contests:
            # Which contests an unread sheet carries is unknown: it is pending in every one.
            row = [UNRESOLVED if v == NOT_ON_BALLOT else v for v in row]
        rows.append(row)
    return (
        np.asarray(stations, dtype=np.int64),
        np.asarray(rows, dtype=np.int16).reshape(len(rows), layout.columns),
    )
