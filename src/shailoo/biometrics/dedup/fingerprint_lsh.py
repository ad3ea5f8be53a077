"""Fingerprint shortlist for persons without a face embedding: MCC locality-sensitive hashing.

Why: confirming every pair of fingerprint-only persons with the minutiae matcher is
quadratic (millions of persons, tens of microseconds a comparison). Following Cappelli,
Ferrara & Maltoni ("Fingerprint indexing based on Minutia Cylinder-Code", IEEE TPAMI 2011),
each binary MCC cylinder (``shailoo.biometrics.mcc``: rotation and translation invariant by
construction) is hashed by *bit sampling*: hash function ``l`` reads ``h`` fixed bit
positions of the cylinder. Two cylinders of the same minutia in two impressions differ in a
few bits only, so they collide in many of the ``L`` functions; cylinders of unrelated
minutiae rarely do. A template's votes for another are its collisions summed over its
cylinders and the ``L`` functions; the top-voted templates are the shortlist that the matcher
then confirms.

Bits are sampled only from cells near the cylinder's centre (they are valid in almost every
cylinder), and a key whose sampled bits are nearly all zero is not hashed: empty
neighbourhoods look alike in everyone. Pure module: numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shailoo.biometrics import mcc

I64 = npt.NDArray[np.int64]
BITS = mcc.WORDS * 64  # bits per cylinder: ND direction slices x NS*NS cells


@dataclass(frozen=True, slots=True)
class LshParams:
    """Bit sampling: ``functions`` hash functions of ``bits`` sampled positions each.

    ``min_ones``: keys with fewer set bits are skipped. ``inner``: sampled cells lie within
    this fraction of the cylinder radius. ``top``: templates kept per query.
    """

    functions: int = 64
    bits: int = 16
    min_ones: int = 4
    inner: float = 0.8
    top: int = 20
    min_votes: int = 2
    pool: int = 2
    direction_pool: int = 2
    seed: int = 2011


def _grid(params: LshParams) -> tuple[int, int]:
    """Cells per side and direction slices of the coarse cylinder that is hashed."""
    return mcc.NS // params.pool, max(1, mcc.ND // params.direction_pool)


def _positions(params: LshParams) -> npt.NDArray[np.int64]:
    """The sampled bit positions, ``functions x bits``, over coarse cells near the centre."""
    side, slices = _grid(params)
    cells = []
    half = side / 2.0
    for i in range(side):
        for j in range(side):
            ci, cj = (i + 0.5 - half) / half, (j + 0.5 - half) / half
            if ci * ci + cj * cj <= params.inner**2:
                cells.append(i * side + j)
    candidates = np.array(
        [k * side * side + c for k in range(slices) for c in cells], dtype=np.int64
    )
    rng = np.random.default_rng(params.seed)
    return np.stack(
        [rng.choice(candidates, params.bits, replace=False) for _ in range(params.functions)]
    )


def cylinder_bits(template: mcc.PreparedTemplate) -> npt.NDArray[np.uint8]:
    """The cylinders as a ``cylinders x BITS`` 0/1 matrix (bit ``k·256 + cell``)."""
    words = np.ascontiguousarray(template.bits, dtype="<u8")
    return np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")


def coarse_bits(template: mcc.PreparedTemplate, params: LshParams) -> npt.NDArray[np.uint8]:
    """Cylinders pooled (logical OR) over ``pool x pool`` cells and neighbouring direction
    slices: MCC cylinders are sparse (a few per cent of bits set), and pooling both densifies
    them and absorbs the small shifts skin distortion causes, so bit sampling has signal."""
    bits = cylinder_bits(template)
    n = bits.shape[0]
    side, slices = _grid(params)
    cube = bits.reshape(n, mcc.ND, mcc.NS, mcc.NS)
    cube = cube.reshape(n, slices, mcc.ND // slices, side, params.pool, side, params.pool)
    pooled: npt.NDArray[np.uint8] = cube.max(axis=(2, 4, 6)).reshape(n, slices * side * side)
    return pooled


def keys_of(
    template: mcc.PreparedTemplate, positions: npt.NDArray[np.int64], params: LshParams
) -> I64:
    """Hash keys, ``cylinders x functions``; -1 where a key has too few set bits."""
    bits = coarse_bits(template, params)
    if bits.shape[0] == 0:
        return np.zeros((0, positions.shape[0]), dtype=np.int64)
    sampled = bits[:, positions].astype(np.int64)  # cylinders x functions x bits
    weights = np.left_shift(np.int64(1), np.arange(positions.shape[1], dtype=np.int64))
    keys: I64 = (sampled * weights).sum(axis=2)
    keys[sampled.sum(axis=2) < params.min_ones] = -1
    return keys


def _tag(keys: I64, params: LshParams) -> I64:
    """Keys of all hash functions in one table: function ``f``'s key ``k`` becomes
    ``f · 2^bits + k`` (skipped keys stay -1), so one sorted search serves every function."""
    tags = np.arange(keys.shape[1], dtype=np.int64) << np.int64(params.bits)
    return np.where(keys >= 0, keys + tags, -1)


@dataclass
class FingerprintIndex:
    """Hash tables over the cylinders of many templates of one finger position."""

    params: LshParams
    positions: npt.NDArray[np.int64]
    sorted_keys: I64  # every function's keys, tagged with the function number, sorted
    owners: I64  # template row of each key
    size: int

    @classmethod
    def build(
        cls, templates: Sequence[mcc.PreparedTemplate], params: LshParams | None = None
    ) -> FingerprintIndex:
        """Index ``templates``; template ``i`` is row ``i`` in every answer."""
        params = params or LshParams()
        positions = _positions(params)
        all_keys = [keys_of(t, positions, params) for t in templates]
        owner = np.concatenate(
            [np.full(k.shape[0], i, dtype=np.int64) for i, k in enumerate(all_keys)]
            or [np.zeros(0, np.int64)]
        )
        stacked = (
            np.concatenate(all_keys)
            if all_keys
            else np.zeros((0, params.functions), dtype=np.int64)
        )
        tagged = _tag(stacked, params)
        good = tagged >= 0
        owners = np.broadcast_to(owner[:, None], tagged.shape)[good]
        tagged = tagged[good]
        order = np.argsort(tagged, kind="stable")
        return cls(params, positions, tagged[order], owners[order], len(templates))

    def votes(self, template: mcc.PreparedTemplate) -> npt.NDArray[np.int64]:
        """Collisions of ``template``'s cylinders with every indexed template."""
        probe = _tag(keys_of(template, self.positions, self.params), self.params).ravel()
        probe = probe[probe >= 0]
        lo = np.searchsorted(self.sorted_keys, probe, side="left")
        hi = np.searchsorted(self.sorted_keys, probe, side="right")
        lengths = hi - lo
        if not lengths.any():
            return np.zeros(self.size, dtype=np.int64)
        starts = np.repeat(lo, lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.bincount(self.owners[starts + offsets], minlength=self.size).astype(np.int64)

    def shortlist(self, template: mcc.PreparedTemplate, exclude: int = -1) -> tuple[I64, I64]:
        """The ``top`` best-voted rows (and their votes), best first; ``exclude`` left out."""
        votes = self.votes(template)
        if 0 <= exclude < self.size:
            votes[exclude] = 0
        rows = np.flatnonzero(votes >= self.params.min_votes)
        if rows.size > self.params.top:
            part = np.argpartition(-votes[rows], self.params.top - 1)[: self.params.top]
            rows = rows[part]
        order = np.lexsort((rows, -votes[rows]))
        rows = rows[order]
        return rows.astype(np.int64), votes[rows].astype(np.int64)


PersonFingers = Mapping[int, mcc.PreparedTemplate]


@dataclass
class PersonFingerIndex:
    """One :class:`FingerprintIndex` per finger position over many persons.

    Only the same finger position is ever compared (a right thumb with right thumbs); a
    person's votes for another are summed over their common positions, so two fingers
    shortlist far more reliably than one.
    """

    params: LshParams
    by_position: dict[int, tuple[FingerprintIndex, I64]]
    size: int

    @classmethod
    def build(
        cls, persons: Sequence[PersonFingers], params: LshParams | None = None
    ) -> PersonFingerIndex:
        params = params or LshParams()
        grouped: dict[int, tuple[list[mcc.PreparedTemplate], list[int]]] = {}
        for row, fingers in enumerate(persons):
            for position, template in fingers.items():
                templates, owners = grouped.setdefault(int(position), ([], []))
                templates.append(template)
                owners.append(row)
        by_position = {
            position: (FingerprintIndex.build(templates, params), np.asarray(owners, np.int64))
            for position, (templates, owners) in grouped.items()
        }
        return cls(params, by_position, len(persons))

    def shortlist(self, fingers: PersonFingers, exclude: int = -1) -> tuple[I64, I64]:
        """The ``top`` persons with most votes over the common finger positions, best first."""
        total = np.zeros(self.size, dtype=np.int64)
        for position, template in fingers.items():
            entry = self.by_position.get(int(position))
            if entry is None:
                continue
            index, owners = entry
            np.add.at(total, owners, index.votes(template))
        if 0 <= exclude < self.size:
            total[exclude] = 0
        rows = np.flatnonzero(total >= self.params.min_votes)
        if rows.size > self.params.top:
            rows = rows[np.argpartition(-total[rows], self.params.top - 1)[: self.params.top]]
        rows = rows[np.lexsort((rows, -total[rows]))]
        return rows.astype(np.int64), total[rows].astype(np.int64)


def self_join(
    index: PersonFingerIndex, persons: Sequence[PersonFingers], start: int, stop: int
) -> list[tuple[int, int, int]]:
    """Shortlisted person pairs ``(a, b, votes)`` with ``a < b`` for query rows ``start:stop``.

    A pair may be proposed from either side (the caller merges partitions and keeps the
    larger vote count): the union of both directions is what makes the shortlist robust to
    one impression with few usable cylinders.
    """
    found: dict[tuple[int, int], int] = {}
    for row in range(start, min(stop, len(persons))):
        rows, votes = index.shortlist(persons[row], exclude=row)
        for other, vote in zip(rows.tolist(), votes.tolist(), strict=True):
            key = (min(row, other), max(row, other))
            found[key] = max(found.get(key, 0), int(vote))
    return sorted((a, b, v) for (a, b), v in found.items())
