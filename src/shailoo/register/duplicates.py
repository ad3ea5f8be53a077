"""Likely duplicate persons: one person registered twice under different PINs (pure).

Two records are compared only when they share birth date and sex (the *block*), since a
duplicate registration repeats those even when the name is spelled differently. Blocks stay
small (a country of 7 million has about 100 persons per birth date and sex), so the whole
run is close to linear in the number of persons. Within a block, names are compared by
their matching keys (``register.names``): the plain edit ratio and the ratio of consonant
skeletons, which forgives a vowel written differently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from shailoo.register.names import similarity, skeleton

#: The score from which a pair is reported; below it namesakes and relatives dominate.
DEFAULT_THRESHOLD = 88.0
#: Blocks larger than this are compared as a matrix in C++ (rapidfuzz ``cdist``).
_MATRIX_FROM = 12


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records that are probably the same person; ``pin_a`` < ``pin_b``."""

    pin_a: str
    pin_b: str
    score: float
    reason: str


def _reason(a_key: str, b_key: str, a_skel: str, b_skel: str) -> str:
    if a_key == b_key:
        return "same birth date and sex, same name key"
    if a_skel == b_skel:
        return "same birth date and sex, names differ only in vowels"
    return "same birth date and sex, similar names"


def _pair(pin_a: str, pin_b: str, score: float, reason: str) -> DuplicatePair:
    if pin_b < pin_a:
        pin_a, pin_b = pin_b, pin_a
    return DuplicatePair(pin_a, pin_b, round(score, 1), reason)


def _compare_block(members: list[tuple[str, str]], threshold: float) -> Iterable[DuplicatePair]:
    """Every pair of one block scoring at least ``threshold``."""
    pins = [pin for pin, _ in members]
    keys = [key for _, key in members]
    skels = [skeleton(key) for key in keys]
    # similarity() is at most the mean of the plain ratio and 100: below this it cannot pass.
    floor = max(0.0, 2 * threshold - 100)
    if len(members) < _MATRIX_FROM:
        candidates = [
            (i, j, plain)
            for i in range(len(keys))
            for j in range(i + 1, len(keys))
            if (plain := fuzz.ratio(keys[i], keys[j], score_cutoff=floor)) >= floor
        ]
    else:
        matrix = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=floor, dtype=np.float32)
        rows, cols = np.nonzero(np.triu(matrix >= floor, k=1))
        candidates = [
            (int(i), int(j), fuzz.ratio(keys[i], keys[j])) for i, j in zip(rows, cols, strict=True)
        ]
    for i, j, _plain in candidates:
        if pins[i] == pins[j]:
            continue
        score = similarity(keys[i], keys[j])
        if score >= threshold:
            yield _pair(pins[i], pins[j], score, _reason(keys[i], keys[j], skels[i], skels[j]))


def find_likely_duplicates(
    records: Iterable[tuple[str, Hashable, str, str]], threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """Pairs of different PINs with the same birth date and sex and similar names.

    ``records`` are ``(pin, birth_date, name_key, sex)``; the birth date may be a ``date`` or
    its ISO text, as long as it is the same kind throughout. Records with an empty name key
    are skipped. Pairs come sorted by score, best first, then by PIN.
    """
    if not 0 <= threshold <= 100:
        raise ValueError("threshold must be between 0 and 100")
    blocks: defaultdict[tuple[Hashable, str], list[tuple[str, str]]] = defaultdict(list)
    for pin, birth_date, key, sex in records:
        if key:
            blocks[(birth_date, sex)].append((pin, key))
    pairs: list[DuplicatePair] = []
    for members in blocks.values():
        if len(members) > 1:
            pairs.extend(_compare_block(members, threshold))
    pairs.sort(key=lambda p: (-p.score, p.pin_a, p.pin_b))
    return pairs
