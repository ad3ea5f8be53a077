"""Signature sheets against the voter register: every signature's reason, the verdict (pure).

:func:`verify` decides each signature of a signer list (:mod:`.signers_file`) against a
:class:`RegisterSnapshot` — the register as columns sorted by PIN — in a handful of numpy
passes (one ``searchsorted`` for all PINs, then comparisons of gathered columns), so a million
signatures against four million voters take about a second.

**One reason per signature**, the first that applies in this order:

``MALFORMED``
    the row could not be read (its located problem says why);
``NOT_IN_REGISTER``
    no voter with this PIN;
``DEAD``
    the register records a death **on or before** the signing date (a signer who died the
    day after signing signed alive: the signature stands);
``NOT_ELIGIBLE``
    the register's stored verdict says the person is not a voter, or (given ``min_age``) the
    signer had not reached the voting age on the signing date — the birth date is the one the
    PIN encodes, so a voter who turns 18 between signing and polling day signed too young.
    *Limit*: the rest of the verdict is the register's for the election (citizenship,
    capacity, confinement, biometrics as they stand now), not re-decided for the signing
    date; death is not taken from it but from ``death_date`` on the signing date (see
    :meth:`RegisterSnapshot.from_rows`);
``MOVED``
    the voter was registered in the territory but left it **on or before** the signing date:
    a change of registered territory takes effect on its date, so a voter who moved out on
    the day of signing was no longer the territory's voter that day (and one who moved in on
    that day already was);
``WRONG_TERRITORY``
    registered elsewhere on the signing date (including a voter who moved in only after it);
``NAME_MISMATCH``
    the written name's matching key (``register.names``, hashed) differs from the register's:
    transliterations, case, spacing, Kyrgyz letters and look-alike Latin letters fold into one
    key and pass; another name — a forged variant — does not;
``SIGNED_FOR_OTHER``
    where the law allows one signature per voter for one office, the PIN also signed for
    another candidate (``other_pins``: the caller's list of those signatures);
``DUPLICATE``
    the same voter's signature was already counted for this candidate: among a voter's
    otherwise valid signatures the first stays valid — first by signing date, then sheet,
    line and position in the file — so a forged copy never displaces the genuine one, and
    counts do not depend on the order of rows;
``VALID``
    none of the above.

Territory checks apply where ``rules.signer_must_be_in_territory`` holds and a territory is
given (none for a nationwide office). The territory on the signing date is the current one,
or the previous one when the last change came after signing; the snapshot keeps only the last
change, so two moves after signing are read as one (a limit of the snapshot, stated here).

**Verdict**: the signatures are *sufficient* when the invalid share does not exceed
``rules.invalid_share_max`` (and, when ``required`` is given, at least that many are valid);
no signature at all is insufficient.

**Collector anomalies**: a collector's invalid count is tested against the invalid share of
all *other* collectors' rows (``p = (invalid_others + 1/2) / (rows_others + 1)``, so a clean
field still gives a positive rate): the one-sided binomial tail ``P(X >= invalid)`` for
``X ~ Binomial(rows, p)``, computed exactly through the regularised incomplete beta function,
and the collector is flagged when it is below ``alpha / m`` (Bonferroni over the ``m``
collectors; ``alpha`` = :data:`ANOMALY_ALPHA` = 0.001 by default) and their share is above ``p``.

**Sample** (:func:`draw_sample`, reproducible by an observer from the published seed):

1. the population is every row of the file, malformed ones included, ordered by sheet, then
   line, then physical line in the file (a malformed row whose sheet is unreadable counts as
   sheet 0), numbered 0 to n-1;
2. the random stream is ``numpy.random.PCG64(seed).random_raw()`` — the PCG64 bit generator
   seeded through ``numpy.random.SeedSequence(seed)``, whose 64-bit outputs numpy keeps
   stable across versions — used one output after another;
3. a partial Fisher–Yates shuffle of ``[0, 1, …, n-1]``: for ``i = 0 … K-1``, with
   ``m = n - i``, take the next output ``u``, skip it while ``u >= 2**64 - 2**64 % m`` (so the
   choice is exactly uniform), let ``j = i + u % m`` and swap positions ``i`` and ``j``;
4. the sample is the first K positions, in that order.

The sample's invalid share decides the verdict with the same threshold (the law's procedure
when it verifies a share of the signatures); the full counts are reported beside it, with a
95 % Wilson interval for the sample's share and the extrapolated number of valid signatures.

Explanations (:meth:`SignatureReport.explain`) give, for each invalid signature, its sheet,
line, collector, reason and what the register says — a PIN only masked.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from shailoo.candidates.signers_file import Signers, key_hashes
from shailoo.law.schema import LeapDayBirthday, SignatureRules
from shailoo.register.eligibility import coming_of_age
from shailoo.register.pin import mask_pin

#: Family-wise level of the per-collector anomaly test.
ANOMALY_ALPHA = 0.001
#: ``territory``/``previous`` of a voter whose territory is not known.
NO_TERRITORY = -1
#: The register's eligibility code for a recorded death (``register.eligibility.CODES``).
DEATH_CODE = "ALIVE"

SUFFICIENT = "sufficient"
INSUFFICIENT = "insufficient"


class Reason(IntEnum):
    """Why a signature counts or not; the value is the order in which reasons are tried."""

    VALID = 0
    MALFORMED = 1
    NOT_IN_REGISTER = 2
    DEAD = 3
    NOT_ELIGIBLE = 4
    MOVED = 5
    WRONG_TERRITORY = 6
    NAME_MISMATCH = 7
    SIGNED_FOR_OTHER = 8
    DUPLICATE = 9


# --- The register ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RegisterSnapshot:
    """The voter register as columns, sorted by PIN (unique), for signature checks.

    ``eligible``: the register's verdict apart from death; ``territory``: the territory a
    signature counts for (a district, a municipality: the caller's choice, by id);
    ``name_hash``: ``signers_file.key_hash`` of the register's ``name_key``; ``death``: the
    day of death as an ordinal (0: alive); ``moved_on``: the day of the last change of
    registered territory (0: none) and ``previous``: the territory before it. About 33 bytes
    a voter: four million take 130 MiB.
    """

    pin: npt.NDArray[np.int64]
    eligible: npt.NDArray[np.bool_]
    territory: npt.NDArray[np.int32]
    name_hash: npt.NDArray[np.uint64]
    death: npt.NDArray[np.int32]
    moved_on: npt.NDArray[np.int32]
    previous: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.pin)

    @property
    def nbytes(self) -> int:
        columns = (self.pin, self.eligible, self.territory, self.name_hash, self.death)
        return sum(c.nbytes for c in (*columns, self.moved_on, self.previous))

    @classmethod
    def from_columns(
        cls,
        pin: npt.ArrayLike,
        eligible: npt.ArrayLike,
        territory: npt.ArrayLike,
        name_hash: npt.ArrayLike,
        death: npt.ArrayLike | None = None,
        moved_on: npt.ArrayLike | None = None,
        previous: npt.ArrayLike | None = None,
    ) -> RegisterSnapshot:
        """A snapshot from columns of equal length, in any order (sorted here by PIN).

        A PIN given twice is refused (``ValueError``): the register holds a person once.
        """
        pins = np.asarray(pin, dtype=np.int64)
        n = len(pins)
        eligible_ = np.asarray(eligible, dtype=np.bool_)
        territory_ = np.asarray(territory, dtype=np.int32)
        hashes = np.asarray(name_hash, dtype=np.uint64)
        deaths, moves = _zeros_or(death, n), _zeros_or(moved_on, n)
        previous_ = _zeros_or(previous, n, NO_TERRITORY)
        columns = (eligible_, territory_, hashes, deaths, moves, previous_)
        if pins.ndim != 1 or any(column.shape != (n,) for column in columns):
            raise ValueError("register columns must be one-dimensional and of equal length")
        del columns
        if n > 1 and not bool(np.all(pins[1:] > pins[:-1])):
            order = np.argsort(pins, kind="stable")
            pins, eligible_, territory_ = pins[order], eligible_[order], territory_[order]
            hashes, deaths, moves, previous_ = (
                hashes[order],
                deaths[order],
                moves[order],
                previous_[order],
            )
            del order
            if bool(np.any(pins[1:] == pins[:-1])):
                raise ValueError("a PIN appears more than once in the register snapshot")
        return cls(pins, eligible_, territory_, hashes, deaths, moves, previous_)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]], chunk: int = 65_536) -> RegisterSnapshot:
        """A snapshot from row tuples, read ``chunk`` at a time (a database cursor).

        Each row is ``(pin, eligible, territory, name_key, death_date, moved_on,
        previous_territory)``: the PIN as text or integer; ``eligible`` as a bool or as the
        register's ``ineligible_codes`` text (then a person ineligible *only* for a recorded
        death counts as eligible, the death being judged on the signing date; a bool should be
        the verdict apart from death, or a signer who died after signing reads as
        ``NOT_ELIGIBLE``); the territory id; the register's ``name_key`` text; dates as
        ``date``, ordinal or None; the previous territory id or None.
        """
        parts: list[tuple[npt.NDArray[Any], ...]] = []
        batch: list[Sequence[Any]] = []
        # Millions of row tuples pass through here, each kept for a chunk: enough to make the
        # cyclic garbage collector sweep the whole heap again and again (three times slower
        # at four million rows). The rows hold no cycles, so it is paused meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for row in rows:
                batch.append(row)
                if len(batch) >= chunk:
                    parts.append(_columns_of(batch))
                    batch = []
            if batch or not parts:
                parts.append(_columns_of(batch))
            del batch
        finally:
            if collecting:
                gc.enable()
        merged = [np.concatenate([part[i] for part in parts]) for i in range(7)]
        parts.clear()
        return cls.from_columns(*merged)


def _zeros_or(values: npt.ArrayLike | None, n: int, fill: int = 0) -> npt.NDArray[np.int32]:
    if values is None:
        return np.full(n, fill, dtype=np.int32)
    return np.asarray(values, dtype=np.int32)


def _ordinal(value: date | int | None) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return value.toordinal()
    return int(value)


def _ordinals(values: tuple[Any, ...]) -> npt.NDArray[np.int32]:
    try:  # a database's dates and NULLs: the common case, without a call per value
        days = [0 if value is None else value.toordinal() for value in values]
    except AttributeError:
        days = [_ordinal(value) for value in values]
    return np.array(days, dtype=np.int32)


def _eligible(value: bool | str | None) -> bool:
    if isinstance(value, str):
        return all(code == DEATH_CODE for code in value.split(",") if code)
    return bool(value)


def _columns_of(batch: list[Sequence[Any]]) -> tuple[npt.NDArray[Any], ...]:
    if not batch:
        empty = np.zeros(0, dtype=np.int32)
        return (
            np.zeros(0, np.int64), np.zeros(0, np.bool_), empty,
            np.zeros(0, np.uint64), empty, empty, empty,
        )  # fmt: skip
    pins, eligible, territory, keys, deaths, moves, previous = zip(*batch, strict=True)
    n = len(batch)
    verdicts = {value: _eligible(value) for value in set(eligible)}
    return (
        np.fromiter(map(int, pins), dtype=np.int64, count=n),
        np.fromiter(map(verdicts.__getitem__, eligible), dtype=np.bool_, count=n),
        np.fromiter(territory, dtype=np.int32, count=n),
        key_hashes(keys),
        _ordinals(deaths),
        _ordinals(moves),
        np.fromiter((NO_TERRITORY if p is None else p for p in previous), dtype=np.int32, count=n),
    )


def pins_array(pins: Iterable[str | int]) -> npt.NDArray[np.int64]:
    """PINs (text or integers) as the int64 array ``verify`` takes for ``other_pins``."""
    return np.fromiter((int(pin) for pin in pins), dtype=np.int64)


# --- The report -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollectorRate:
    """One collector's rows, invalid ones, and the test against the others' share."""

    collector: str
    rows: int
    invalid: int
    share: float
    others_share: float
    p_value: float
    flagged: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "collector": self.collector,
            "rows": self.rows,
            "invalid": self.invalid,
            "share": round(self.share, 6),
            "others_share": round(self.others_share, 6),
            "p_value": self.p_value,
        }


@dataclass(frozen=True, eq=False)
class SampleCheck:
    """The sample drawn from the seed, its invalid share and the verdict it gives."""

    seed: int
    size: int
    population: int
    #: The sampled rows (indices into the signer list, file order), in the order drawn.
    rows: npt.NDArray[np.int64]
    invalid: int
    invalid_share: float
    #: 95 % Wilson score interval of the population's invalid share.
    share_low: float
    share_high: float
    estimated_valid: int
    verdict: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """One invalid signature: where it is, why, and what the register says (no PIN in clear)."""

    sheet: int
    line: int
    file_line: int
    collector: str
    reason: Reason
    detail: str
    pin: str

    @property
    def code(self) -> str:
        return self.reason.name


@dataclass(frozen=True, eq=False)
class SignatureReport:
    """Counts per reason, the verdict with the law's threshold, collectors, sample."""

    total: int
    counts: dict[str, int]
    valid: int
    invalid: int
    invalid_share: float
    threshold: float
    citation: str
    required: int | None
    #: The verdict of the full check; :attr:`verdict` is the sample's when one was drawn.
    full_verdict: str
    verdict: str
    collectors: tuple[CollectorRate, ...]
    anomaly_alpha: float
    sample: SampleCheck | None
    #: Each row's :class:`Reason` value, in file order.
    reasons: npt.NDArray[np.int8]
    signers: Signers
    snapshot: RegisterSnapshot
    territory: int | None
    #: Each row's index in the snapshot (-1: not there) and, for a duplicate, the row kept.
    register_row: npt.NDArray[np.int64]
    first_row: npt.NDArray[np.int64]

    @property
    def sufficient(self) -> bool:
        return self.verdict == SUFFICIENT

    @property
    def anomalies(self) -> tuple[CollectorRate, ...]:
        return tuple(rate for rate in self.collectors if rate.flagged)

    def summary(self) -> dict[str, Any]:
        """The report as JSON-ready data without any person in it (for the ledger, a file)."""
        data: dict[str, Any] = {
            "rows": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "counts": dict(self.counts),
            "invalid_share": round(self.invalid_share, 6),
            "invalid_share_max": self.threshold,
            "required": self.required,
            "verdict": self.verdict,
            "full_verdict": self.full_verdict,
            "anomalies": [rate.to_json() for rate in self.anomalies],
        }
        if self.sample is not None:
            sample = self.sample
            data["sample"] = {
                "seed": sample.seed,
                "size": sample.size,
                "invalid": sample.invalid,
                "invalid_share": round(sample.invalid_share, 6),
                "share_interval_95": [round(sample.share_low, 6), round(sample.share_high, 6)],
                "estimated_valid": sample.estimated_valid,
                "verdict": sample.verdict,
            }
        return data

    def explain(self, rows: npt.NDArray[np.int64] | None = None) -> Iterator[Explanation]:
        """Every invalid signature (or those among ``rows``), by sheet, line and file line."""
        signers = self.signers
        invalid = self.reasons != Reason.VALID
        if rows is not None:
            chosen = np.zeros(len(signers), dtype=np.bool_)
            chosen[rows] = True
            invalid &= chosen
        picked = np.flatnonzero(invalid)
        order = np.lexsort((signers.file_line[picked], signers.line[picked], signers.sheet[picked]))
        for row in picked[order].tolist():
            yield self.explain_row(row)

    def explain_row(self, row: int) -> Explanation:
        """Row ``row``'s reason, with the register's facts that decided it."""
        signers = self.signers
        reason = Reason(int(self.reasons[row]))
        collector = int(signers.collector[row])
        pin = int(signers.pin[row])
        return Explanation(
            sheet=int(signers.sheet[row]),
            line=int(signers.line[row]),
            file_line=int(signers.file_line[row]),
            collector=signers.collectors[collector] if collector >= 0 else "",
            reason=reason,
            detail=self._detail(row, reason)[:300],
            pin=mask_pin(f"{pin:014d}") if pin else "",
        )

    def _detail(self, row: int, reason: Reason) -> str:
        signers, snapshot = self.signers, self.snapshot
        signed = _day(int(signers.signed_on[row]))
        at = int(self.register_row[row])
        if reason is Reason.MALFORMED:
            problems = signers.row_problems(row)
            if not problems:  # PROBLEM_NOT_KEPT
                return "the row could not be read (its problem is past the problems kept)"
            return "; ".join(f"{p.where}: {p.why}" if p.where else p.why for p in problems)
        if reason is Reason.NOT_IN_REGISTER:
            return "no voter with this PIN in the register"
        if reason is Reason.DEAD:
            died = _day(int(snapshot.death[at]))
            return (
                f"the register records the death on {died}, on or before the signing date {signed}"
            )
        if reason is Reason.NOT_ELIGIBLE:
            if bool(snapshot.eligible[at]):
                return f"not of voting age on the signing date {signed}"
            return "the register does not count this person as a voter in this election"
        if reason in (Reason.MOVED, Reason.WRONG_TERRITORY):
            current, previous = int(snapshot.territory[at]), int(snapshot.previous[at])
            moved = int(snapshot.moved_on[at])
            if reason is Reason.MOVED:
                return (
                    f"registered in territory {previous} until {_day(moved)}, then in territory "
                    f"{current}: left the territory on or before the signing date {signed}"
                )
            if moved and moved > int(signers.signed_on[row]):
                before = "an unknown territory" if previous == NO_TERRITORY else "territory"
                before += "" if previous == NO_TERRITORY else f" {previous}"
                return (
                    f"registered in {before} on the signing date {signed}, not "
                    f"{self.territory}; in territory {current} only from {_day(moved)}"
                )
            return f"registered in territory {current}, not {self.territory}, on {signed}"
        if reason is Reason.NAME_MISMATCH:
            return (
                "the name written is not the register's name for this PIN, even under the "
                "register's spelling normalisation"
            )
        if reason is Reason.SIGNED_FOR_OTHER:
            return "the voter also signed for another candidate for the same office"
        if reason is Reason.DUPLICATE:
            first = int(self.first_row[row])
            return (
                f"the same voter's signature is already counted on sheet "
                f"{int(signers.sheet[first])}, line {int(signers.line[first])}"
            )
        return ""


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat() if ordinal > 0 else "?"


# --- Verification ---------------------------------------------------------------------------


def verify(
    signers: Signers,
    snapshot: RegisterSnapshot,
    rules: SignatureRules,
    territory: int | None = None,
    other_pins: npt.NDArray[np.int64] | None = None,
    sample: int | None = None,
    seed: int | None = None,
    *,
    required: int | None = None,
    anomaly_alpha: float = ANOMALY_ALPHA,
    min_age: int | None = None,
    leap_day: LeapDayBirthday = "march_1",
) -> SignatureReport:
    """Decide every signature (see the module doc for the reasons, the tests and the sample).

    ``territory``: the id the signatures must count for (None: any); ``other_pins``: PINs
    that signed for another candidate for the same office, used when the law allows one
    signature per voter; ``sample``/``seed``: K signatures drawn from the published seed
    decide the verdict; ``required``: valid signatures the office needs (``None``: only the
    invalid share decides); ``min_age``: the voting age, checked on the signing date (with
    the voters' ``leap_day`` convention for a 29 February birthday).
    """
    if sample is not None and (sample < 0 or seed is None):
        raise ValueError("a sample needs a size of zero or more and a published seed")
    n = len(signers)
    reasons = np.zeros(n, dtype=np.int8)
    malformed = signers.malformed
    reasons[malformed] = Reason.MALFORMED

    if len(snapshot):
        at = np.minimum(np.searchsorted(snapshot.pin, signers.pin), len(snapshot) - 1)
        open_ = (snapshot.pin[at] == signers.pin) & ~malformed
    else:
        at = np.zeros(n, dtype=np.int64)
        open_ = np.zeros(n, dtype=np.bool_)
    reasons[~open_ & ~malformed] = Reason.NOT_IN_REGISTER
    register_row = np.where(open_, at, -1).astype(np.int64)
    if not len(snapshot):
        first = np.full(n, -1, np.int64)
        return _report(
            signers,
            snapshot,
            rules,
            territory,
            reasons,
            register_row,
            first,
            sample,
            seed,
            required,
            anomaly_alpha,
        )

    signed = signers.signed_on
    death = snapshot.death[at]
    _mark(reasons, open_, (death != 0) & (death <= signed), Reason.DEAD)
    del death
    _mark(reasons, open_, ~snapshot.eligible[at], Reason.NOT_ELIGIBLE)
    if min_age is not None:
        _mark(
            reasons, open_, signed < adult_days(signers.pin, min_age, leap_day), Reason.NOT_ELIGIBLE
        )
    if territory is not None and rules.signer_must_be_in_territory.value:
        current, moved, previous = (
            snapshot.territory[at],
            snapshot.moved_on[at],
            snapshot.previous[at],
        )
        moved_after = (moved != 0) & (moved > signed)
        elsewhere = np.where(moved_after, previous, current) != territory
        left = (moved != 0) & ~moved_after & (previous == territory)
        _mark(reasons, open_, elsewhere & left, Reason.MOVED)
        _mark(reasons, open_, elsewhere, Reason.WRONG_TERRITORY)
        del current, moved, previous, moved_after, elsewhere, left
    _mark(reasons, open_, snapshot.name_hash[at] != signers.name_hash, Reason.NAME_MISMATCH)
    del at
    if rules.one_signature_per_voter.value and other_pins is not None and len(other_pins):
        others = np.unique(np.asarray(other_pins, dtype=np.int64))
        hit = others[np.minimum(np.searchsorted(others, signers.pin), len(others) - 1)]
        _mark(reasons, open_, hit == signers.pin, Reason.SIGNED_FOR_OTHER)
    first_row = _duplicates(signers, reasons, open_)
    return _report(
        signers,
        snapshot,
        rules,
        territory,
        reasons,
        register_row,
        first_row,
        sample,
        seed,
        required,
        anomaly_alpha,
    )


def adult_days(
    pins: npt.NDArray[np.int64], min_age: int, leap_day: LeapDayBirthday
) -> npt.NDArray[np.int32]:
    """The day (ordinal) each PIN's holder reaches ``min_age``, from the birth date the PIN
    encodes (digits 2-9, DDMMYYYY); 0 where the PIN holds no date (a malformed row).

    Computed once per distinct birth date: a million signers have some tens of thousands.
    """
    codes = (pins // 100_000) % 100_000_000
    unique, inverse = np.unique(codes, return_inverse=True)
    days = np.zeros(len(unique), dtype=np.int32)
    for i, code in enumerate(unique.tolist()):
        day, month, year = code // 1_000_000, (code // 10_000) % 100, code % 10_000
        try:
            born = date(year, month, day)
        except ValueError:
            continue
        comes = coming_of_age(born, min_age, leap_day)
        days[i] = comes.toordinal() if comes != date.max else np.iinfo(np.int32).max
    return days[inverse]


def _mark(
    reasons: npt.NDArray[np.int8],
    open_: npt.NDArray[np.bool_],
    failing: npt.NDArray[np.bool_],
    reason: Reason,
) -> None:
    """Give ``reason`` to the rows still open that fail, and close them."""
    hit = open_ & failing
    reasons[hit] = reason
    open_ &= ~hit


def _duplicates(
    signers: Signers, reasons: npt.NDArray[np.int8], open_: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """Mark later valid signatures of one PIN ``DUPLICATE``; each one's kept row (else -1)."""
    first_row = np.full(len(signers), -1, dtype=np.int64)
    rows = np.flatnonzero(open_)
    if len(rows) < 2:
        return first_row
    order = np.lexsort(
        (
            signers.file_line[rows],
            signers.line[rows],
            signers.sheet[rows],
            signers.signed_on[rows],
            signers.pin[rows],
        )
    )
    rows = rows[order]
    pins = signers.pin[rows]
    starts = np.ones(len(rows), dtype=np.bool_)
    starts[1:] = pins[1:] != pins[:-1]
    group_first = rows[np.maximum.accumulate(np.where(starts, np.arange(len(rows)), 0))]
    later = rows[~starts]
    reasons[later] = Reason.DUPLICATE
    first_row[later] = group_first[~starts]
    return first_row


def _share_within(invalid: int, total: int, threshold: float) -> bool:
    """``invalid / total <= threshold``, exactly (the threshold read as the decimal written)."""
    return Fraction(invalid, total) <= Fraction(repr(threshold))


def _verdict(invalid: int, total: int, valid: int, threshold: float, required: int | None) -> str:
    if total == 0 or not _share_within(invalid, total, threshold):
        return INSUFFICIENT
    if required is not None and valid < required:
        return INSUFFICIENT
    return SUFFICIENT


def _report(
    signers: Signers,
    snapshot: RegisterSnapshot,
    rules: SignatureRules,
    territory: int | None,
    reasons: npt.NDArray[np.int8],
    register_row: npt.NDArray[np.int64],
    first_row: npt.NDArray[np.int64],
    sample: int | None,
    seed: int | None,
    required: int | None,
    alpha: float,
) -> SignatureReport:
    total = len(reasons)
    per_reason = np.bincount(reasons, minlength=len(Reason))
    counts = {reason.name: int(per_reason[reason]) for reason in Reason}
    valid = counts[Reason.VALID.name]
    invalid = total - valid
    threshold = float(rules.invalid_share_max.value)
    full = _verdict(invalid, total, valid, threshold, required)
    check = None
    if sample is not None and seed is not None:
        check = _sample_check(signers, reasons, sample, seed, threshold, required)
    return SignatureReport(
        total=total,
        counts=counts,
        valid=valid,
        invalid=invalid,
        invalid_share=invalid / total if total else 0.0,
        threshold=threshold,
        citation=rules.invalid_share_max.citation,
        required=required,
        full_verdict=full,
        verdict=check.verdict if check is not None else full,
        collectors=collector_rates(signers, reasons != Reason.VALID, alpha),
        anomaly_alpha=alpha,
        sample=check,
        reasons=reasons,
        signers=signers,
        snapshot=snapshot,
        territory=territory,
        register_row=register_row,
        first_row=first_row,
    )


# --- Collectors ------------------------------------------------------------------------------


def collector_rates(
    signers: Signers, invalid: npt.NDArray[np.bool_], alpha: float = ANOMALY_ALPHA
) -> tuple[CollectorRate, ...]:
    """Each collector's invalid share, tested against the others' (see the module doc)."""
    known = signers.collector >= 0
    count = len(signers.collectors)
    rows = np.bincount(signers.collector[known], minlength=count)
    bad = np.bincount(signers.collector[known & invalid], minlength=count)
    all_rows, all_bad = int(rows.sum()), int(bad.sum())
    active = int(np.count_nonzero(rows))
    level = alpha / max(active, 1)
    rates = []
    for index, name in enumerate(signers.collectors):
        n, x = int(rows[index]), int(bad[index])
        if n == 0:
            continue
        other_rows = all_rows - n
        if other_rows == 0:  # nobody to compare with
            p, tail = x / n, 1.0
        else:
            p = (all_bad - x + 0.5) / (other_rows + 1)
            tail = binomial_upper_tail(x, n, p)
        share = x / n
        rates.append(CollectorRate(name, n, x, share, p, tail, tail < level and share > p))
    rates.sort(key=lambda rate: (not rate.flagged, rate.p_value, rate.collector))
    return tuple(rates)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``: the regularised incomplete beta I_p(k, n-k+1)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    return _incomplete_beta(float(k), float(n - k + 1), p)


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (continued fraction, Lentz)."""
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return min(1.0, front * _beta_fraction(a, b, x) / a)
    return max(0.0, 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b)


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1_000_000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            delta = c * d
            result *= delta
        if abs(delta - 1.0) < eps:
            break
    return result


# --- The sample ------------------------------------------------------------------------------


def canonical_order(signers: Signers) -> npt.NDArray[np.int64]:
    """The rows by sheet, line, then physical line: the population the sample numbers."""
    return np.lexsort((signers.file_line, signers.line, signers.sheet)).astype(np.int64)


def draw_sample(population: int, size: int, seed: int) -> list[int]:
    """``size`` distinct positions of ``0 … population-1`` drawn from ``seed`` (module doc).

    Partial Fisher–Yates on PCG64's raw 64-bit outputs with rejection of the biased top
    range; ``size`` is capped at ``population``.
    """
    size = min(size, population)
    bits = np.random.PCG64(seed)
    swapped: dict[int, int] = {}
    chosen: list[int] = []
    stream: list[int] = []
    used = 0
    span = 1 << 64
    for i in range(size):
        m = population - i
        limit = span - span % m
        while True:
            if used == len(stream):
                stream = bits.random_raw(max(size - i, 64)).tolist()
                used = 0
            u = stream[used]
            used += 1
            if u < limit:
                break
        j = i + u % m
        value_j = swapped.get(j, j)
        swapped[j] = swapped.get(i, i)
        chosen.append(value_j)
    return chosen


def _sample_check(
    signers: Signers,
    reasons: npt.NDArray[np.int8],
    size: int,
    seed: int,
    threshold: float,
    required: int | None,
) -> SampleCheck:
    population = len(signers)
    positions = np.asarray(draw_sample(population, size, seed), dtype=np.int64)
    rows = canonical_order(signers)[positions] if len(positions) else positions
    k = len(rows)
    invalid = int(np.count_nonzero(reasons[rows] != Reason.VALID))
    share = invalid / k if k else 0.0
    low, high = wilson_interval(invalid, k)
    estimated_valid = (population * (k - invalid)) // k if k else 0
    verdict = _verdict(invalid, k, estimated_valid, threshold, required)
    return SampleCheck(
        seed, k, population, rows, invalid, share, low, high, estimated_valid, verdict
    )


def wilson_interval(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``x / n`` (95 % by default)."""
    if n == 0:
        return 0.0, 1.0
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
