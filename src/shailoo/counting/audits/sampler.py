"""A reproducible ballot sampler: seeded SHA-256 tickets, as in Rivest's consistent sampler.

Anyone holding the public seed (rolled with dice in a public ceremony) and the ballot
manifest can redraw the same sample with nothing but SHA-256, which is what makes the audit
checkable. Each ballot, named by its batch and 1-based position in the batch, gets a *ticket
number* in [0, 1):

* generation 1: ``t1 = H(seed, batch, position, 1)``;
* generation g + 1 (sampling with replacement): ``t(g+1) = t(g) + (1 - t(g)) * H(..., g + 1)``;

where ``H`` reads the SHA-256 digest of the UTF-8 JSON array
``[seed, batch, position, generation]`` (no spaces, non-ASCII kept) as a 256-bit binary
fraction. Sampling takes the ballots in increasing ticket order: without replacement the
``n`` smallest first tickets; with replacement, a drawn ballot gets its next-generation ticket
and competes again. Tickets are exact fractions, so ties and rounding never decide the order
(an exact tie is broken by batch, then position).

Consistency (Rivest): the order of any two ballots does not depend on which other ballots are
in the manifest, so adding a late batch does not reshuffle the sample already drawn.

Continuation (audit rounds): the first ``k`` draws of a sample of ``n >= k`` are the sample of
``k``, so a next round is the same seeded sequence drawn further (:func:`draw_more`), and
every ballot of the earlier rounds stays in the sample in its place.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shailoo.common.refusals import InvalidInput

MIN_SEED_LENGTH = 20
_SCALE = 1 << 256


class SamplerError(InvalidInput):
    """A manifest or seed the sampler refuses, with which row and why."""

    default_code = "sampler_input_invalid"

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(self.default_code, f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Batch:
    """One manifest row: a container of paper ballots and how many it holds."""

    id: str
    ballots: int


@dataclass(frozen=True, slots=True)
class Draw:
    """One drawn ballot: ``order`` is its 1-based place in the sample."""

    order: int
    batch: str
    position: int
    generation: int
    ticket: Fraction

    @property
    def ballot_id(self) -> str:
        return ballot_id(self.batch, self.position)

    def ticket_text(self, digits: int = 30) -> str:
        """The ticket as a decimal for printing (exact order comes from the fraction)."""
        scaled = self.ticket.numerator * 10**digits // self.ticket.denominator
        return f"0.{scaled:0{digits}d}"


def ballot_id(batch: str, position: int) -> str:
    """How a ballot is named to people: ``<batch>:<position>``."""
    return f"{batch}:{position}"


def parse_ballot_id(text: str) -> tuple[str, int]:
    batch, sep, position = text.rpartition(":")
    if not sep or not batch or not position.isdigit() or int(position) < 1:
        raise SamplerError(text, "a ballot id is <batch>:<position>, position from 1")
    return batch, int(position)


def check_seed(seed: str) -> None:
    if len(seed.strip()) < MIN_SEED_LENGTH:
        raise SamplerError(
            "seed", f"needs at least {MIN_SEED_LENGTH} characters (e.g. 20 public dice rolls)"
        )


def check_manifest(manifest: Sequence[Batch]) -> int:
    """Refuse repeated or empty batches; returns the number of ballots."""
    seen: set[str] = set()
    total = 0
    for row, batch in enumerate(manifest, start=1):
        where = f"manifest row {row}"
        if not batch.id or batch.id != batch.id.strip():
            raise SamplerError(where, "batch id is empty or has surrounding spaces")
        if batch.id in seen:
            raise SamplerError(where, f"batch {batch.id!r} is listed twice")
        if batch.ballots < 1:
            raise SamplerError(where, f"batch {batch.id!r} has {batch.ballots} ballots")
        seen.add(batch.id)
        total += batch.ballots
    if not total:
        raise SamplerError("manifest", "no ballots")
    return total


def hash_int(seed: str, batch: str, position: int, generation: int) -> int:
    """The SHA-256 of the JSON array as a 256-bit integer (``H`` times 2**256)."""
    text = json.dumps(
        [seed, batch, position, generation], ensure_ascii=False, separators=(",", ":")
    )
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def hash_fraction(seed: str, batch: str, position: int, generation: int) -> Fraction:
    """``H``: the SHA-256 of the JSON array, as a fraction of 2**256."""
    return Fraction(hash_int(seed, batch, position, generation), _SCALE)


def ticket(seed: str, batch: str, position: int, generation: int = 1) -> Fraction:
    """The ballot's ticket number in the given generation."""
    value = Fraction(0)
    for g in range(1, generation + 1):
        value += (1 - value) * hash_fraction(seed, batch, position, g)
    return value


def ballots(manifest: Iterable[Batch]) -> Iterator[tuple[str, int]]:
    """Every (batch, position) in manifest order."""
    for batch in manifest:
        for position in range(1, batch.ballots + 1):
            yield batch.id, position


def draw(
    manifest: Sequence[Batch], seed: str, size: int, *, replacement: bool = False
) -> list[Draw]:
    """The first ``size`` ballots in ticket order (with replacement: may repeat a ballot)."""
    check_seed(seed)
    total = check_manifest(manifest)
    if size < 0:
        raise SamplerError("size", "cannot be negative")
    if not replacement and size > total:
        raise SamplerError("size", f"{size} exceeds the {total} ballots in the manifest")
    # First tickets share the 2**256 denominator: compare the raw integers only.
    firsts = ((hash_int(seed, b, p, 1), b, p) for b, p in ballots(manifest))
    if not replacement:
        return [
            Draw(i, b, p, 1, Fraction(n, _SCALE))
            for i, (n, b, p) in enumerate(heapq.nsmallest(size, firsts), start=1)
        ]
    # With replacement only the ballots that can still be drawn need a place in the queue.
    queue = [(Fraction(n, _SCALE), b, p, 1) for n, b, p in heapq.nsmallest(size, firsts)]
    heapq.heapify(queue)
    found: list[Draw] = []
    while len(found) < size:
        value, b, p, g = heapq.heappop(queue)
        found.append(Draw(len(found) + 1, b, p, g, value))
        following = value + (1 - value) * hash_fraction(seed, b, p, g + 1)
        heapq.heappush(queue, (following, b, p, g + 1))
    return found


def draw_more(
    manifest: Sequence[Batch], seed: str, drawn: int, more: int, *, replacement: bool = False
) -> list[Draw]:
    """Draws ``drawn + 1`` to ``drawn + more`` of the seeded sequence: the next round.

    Equal to ``draw(manifest, seed, drawn + more)[drawn:]`` by construction: a draw's place
    depends only on the tickets, never on how many are asked for.
    """
    if drawn < 0 or more < 0:
        raise SamplerError("size", "cannot be negative")
    return draw(manifest, seed, drawn + more, replacement=replacement)[drawn:]
