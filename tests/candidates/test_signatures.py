"""Signature sheets against the register: every reason, its boundaries, the verdict, the sample.

Signer lists go through the product's own path (a CSV file read by ``signers_file``) except in
the property tests, which feed the same builder row by row; the register snapshot is built
from rows as the service reads them from the database (``name_key`` computed by
``register.names.name_key``, as the register stores it).
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates.signatures import (
    INSUFFICIENT,
    SUFFICIENT,
    Reason,
    RegisterSnapshot,
    SignatureReport,
    binomial_upper_tail,
    draw_sample,
    pins_array,
    verify,
    wilson_interval,
)
from shailoo.candidates.signers_file import COLUMNS, Signers, SignersBuilder, read_signers
from shailoo.law.loader import load_edition
from shailoo.law.schema import SignatureRules
from shailoo.register.names import name_key

TODAY = date(2025, 7, 20)
SIGNED = date(2025, 6, 10)
HOME = 7  # the territory the candidate stands in
ELSEWHERE = 8
RULES = load_edition("kg-2025").candidates.signatures


def rules_with(**values: Any) -> SignatureRules:
    """The edition's signature rules with some values changed (their citations kept)."""
    update = {
        name: getattr(RULES, name).model_copy(update={"value": value})
        for name, value in values.items()
    }
    return RULES.model_copy(update=update)


@dataclass(frozen=True)
class Voter:
    pin: str
    surname: str = "Маматов"
    given: str = "Асан"
    patronymic: str = "Бакытович"
    eligible: bool | str = True
    territory: int = HOME
    death: date | None = None
    moved_on: date | None = None
    previous: int | None = None

    def row(self) -> tuple[Any, ...]:
        key = name_key(self.surname, self.given, self.patronymic)
        return (
            self.pin,
            self.eligible,
            self.territory,
            key,
            self.death,
            self.moved_on,
            self.previous,
        )


def pin(serial: int, sex: str = "M", born: date = date(1980, 5, 17)) -> str:
    return sx.format_pin(sex, born, serial)


def snapshot_of(voters: list[Voter], chunk: int = 65_536) -> RegisterSnapshot:
    return RegisterSnapshot.from_rows((voter.row() for voter in voters), chunk=chunk)


def signer(
    voter: Voter | str,
    sheet: int,
    line: int,
    signed: date | str = SIGNED,
    collector: str = "C-1",
    **names: str,
) -> list[str]:
    """A signer row for ``voter`` (or a bare PIN), the register's names unless overridden."""
    if isinstance(voter, str):
        voter = Voter(voter)
    surname = names.get("surname", voter.surname)
    given = names.get("given", voter.given)
    patronymic = names.get("patronymic", voter.patronymic)
    when = signed.isoformat() if isinstance(signed, date) else signed
    return [str(sheet), str(line), collector, voter.pin, surname, given, patronymic, when]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        out.writerows(rows)
    return path


def check(
    tmp_path: Path,
    voters: list[Voter],
    rows: list[list[str]],
    rules: SignatureRules = RULES,
    territory: int | None = HOME,
    **options: Any,
) -> SignatureReport:
    signers = read_signers(write(tmp_path / "signers.csv", rows), TODAY)
    return verify(signers, snapshot_of(voters), rules, territory, **options)


def reasons(report: SignatureReport) -> list[str]:
    return [Reason(int(code)).name for code in report.reasons]


def built(rows: list[list[str]]) -> Signers:
    builder = SignersBuilder(TODAY, "sheets.csv")
    for number, row in enumerate(rows, start=2):
        builder.add(number, row)
    return builder.build()


# --- Each reason, planted --------------------------------------------------------------------

GOOD = Voter(pin(1))
DEAD = Voter(pin(2), "Асанова", "Айгүл", "Бакытовна", death=SIGNED - timedelta(days=1))
INELIGIBLE = Voter(pin(3), "Токтосунов", "Бакыт", eligible="CONFINEMENT")
MOVED = Voter(
    pin(4), "Жумабеков", "Нурлан", territory=ELSEWHERE, moved_on=date(2025, 5, 1), previous=HOME
)
AWAY = Voter(pin(5), "Сапаров", "Эрлан", territory=ELSEWHERE)
FORGED = Voter(pin(6), "Осмонов", "Талант")
TWICE = Voter(pin(7), "Кадыров", "Улан")
OTHER = Voter(pin(8), "Исаков", "Мирлан")
REGISTER = [GOOD, DEAD, INELIGIBLE, MOVED, AWAY, FORGED, TWICE, OTHER]


def planted_rows() -> list[list[str]]:
    return [
        signer(GOOD, 1, 1),
        signer(pin(99), 1, 2),  # no such voter
        signer(DEAD, 1, 3),
        signer(INELIGIBLE, 1, 4),
        signer(MOVED, 1, 5),
        signer(AWAY, 1, 6),
        signer(FORGED, 1, 7, surname="Осмоналиев"),
        signer(TWICE, 1, 8),
        signer(TWICE, 2, 1),
        signer(OTHER, 2, 2),
        signer(GOOD.pin[:13], 2, 3),  # a PIN one digit short
    ]


PLANTED = [
    "VALID", "NOT_IN_REGISTER", "DEAD", "NOT_ELIGIBLE", "MOVED", "WRONG_TERRITORY",
    "NAME_MISMATCH", "VALID", "DUPLICATE", "SIGNED_FOR_OTHER", "MALFORMED",
]  # fmt: skip


def test_every_reason_is_found_where_it_was_planted(tmp_path: Path) -> None:
    report = check(tmp_path, REGISTER, planted_rows(), other_pins=pins_array([OTHER.pin]))
    assert reasons(report) == PLANTED
    assert report.counts == {reason.name: PLANTED.count(reason.name) for reason in Reason}
    assert (report.total, report.valid, report.invalid) == (11, 2, 9)
    assert report.invalid_share == pytest.approx(9 / 11)
    assert report.verdict == report.full_verdict == INSUFFICIENT
    assert report.citation == RULES.invalid_share_max.citation


def test_every_invalid_signature_is_explained_with_the_register_facts(tmp_path: Path) -> None:
    report = check(tmp_path, REGISTER, planted_rows(), other_pins=pins_array([OTHER.pin]))
    explained = {(e.sheet, e.line): e for e in report.explain()}
    assert len(explained) == report.invalid
    assert [(e.sheet, e.line) for e in report.explain()] == sorted(explained)
    assert explained[1, 3].detail.startswith("the register records the death on 2025-06-09")
    assert "until 2025-05-01" in explained[1, 5].detail
    assert f"territory {ELSEWHERE}, not {HOME}" in explained[1, 6].detail
    assert "sheet 1, line 8" in explained[2, 1].detail
    assert explained[2, 3].detail.startswith("pin: must be exactly 14 digits")
    assert explained[2, 3].file_line == 12
    assert explained[2, 2].code == "SIGNED_FOR_OTHER"
    assert all(e.collector == "C-1" for e in explained.values())
    # No PIN in clear anywhere in the explanations: masked, and absent from the details.
    pins = {voter.pin for voter in REGISTER} | {pin(99)}
    for item in explained.values():
        assert not re.search(r"\d{14}", f"{item.detail} {item.pin}")
        assert item.pin == "" or item.pin[1:12] == "*" * 11
    assert not any(p in repr(report.summary()) for p in pins)


def test_the_rules_switch_the_territory_and_other_candidate_checks(tmp_path: Path) -> None:
    rules = rules_with(signer_must_be_in_territory=False, one_signature_per_voter=False)
    report = check(tmp_path, REGISTER, planted_rows(), rules, other_pins=pins_array([OTHER.pin]))
    got = reasons(report)
    assert got[4:6] == ["VALID", "VALID"]  # moved away, registered elsewhere
    assert got[9] == "VALID"  # also signed for another candidate
    # A nationwide office: no territory to check.
    assert reasons(check(tmp_path, REGISTER, planted_rows(), territory=None))[4:6] == [
        "VALID",
        "VALID",
    ]


def test_no_register_at_all_finds_no_signer(tmp_path: Path) -> None:
    report = check(tmp_path, [], [signer(GOOD, 1, 1), signer(GOOD.pin[:5], 1, 2)])
    assert reasons(report) == ["NOT_IN_REGISTER", "MALFORMED"]


# --- Boundaries: death and moves -------------------------------------------------------------


@pytest.mark.parametrize(
    ("died", "expected"),
    [(-1, "DEAD"), (0, "DEAD"), (1, "VALID"), (30, "VALID")],
    ids=["the day before", "the day of signing", "the day after", "a month after"],
)
def test_a_death_counts_on_or_before_the_signing_date(
    tmp_path: Path, died: int, expected: str
) -> None:
    # The register marks the dead ineligible (ALIVE); that alone must not refuse a signature
    # given while alive: the death is judged on the signing date.
    voter = Voter(pin(1), death=SIGNED + timedelta(days=died), eligible="ALIVE")
    assert reasons(check(tmp_path, [voter], [signer(voter, 1, 1)])) == [expected]


def test_ineligible_for_another_reason_besides_death_stays_ineligible(tmp_path: Path) -> None:
    voter = Voter(pin(1), death=SIGNED + timedelta(days=3), eligible="BIOMETRICS,ALIVE")
    assert reasons(check(tmp_path, [voter], [signer(voter, 1, 1)])) == ["NOT_ELIGIBLE"]
    # A bare flag is taken as given (the limit stated in the module): feed the codes instead.
    flagged = replace(voter, eligible=False)
    assert reasons(check(tmp_path, [flagged], [signer(flagged, 1, 1)])) == ["NOT_ELIGIBLE"]


@pytest.mark.parametrize(
    ("moved", "expected"),
    [(-1, "MOVED"), (0, "MOVED"), (1, "VALID")],
    ids=["the day before", "the day of signing", "the day after"],
)
def test_moving_out_counts_from_the_day_of_the_move(
    tmp_path: Path, moved: int, expected: str
) -> None:
    voter = Voter(
        pin(1), territory=ELSEWHERE, moved_on=SIGNED + timedelta(days=moved), previous=HOME
    )
    assert reasons(check(tmp_path, [voter], [signer(voter, 1, 1)])) == [expected]


@pytest.mark.parametrize(
    ("moved", "expected"),
    [(-1, "VALID"), (0, "VALID"), (1, "WRONG_TERRITORY")],
    ids=["the day before", "the day of signing", "the day after"],
)
def test_moving_in_counts_from_the_day_of_the_move(
    tmp_path: Path, moved: int, expected: str
) -> None:
    voter = Voter(pin(1), territory=HOME, moved_on=SIGNED + timedelta(days=moved), previous=3)
    report = check(tmp_path, [voter], [signer(voter, 1, 1)])
    assert reasons(report) == [expected]
    if expected != "VALID":
        detail = next(report.explain()).detail
        assert "registered in territory 3 on the signing date" in detail
        assert "only from 2025-06-11" in detail


def test_a_move_between_two_other_territories_is_a_wrong_territory(tmp_path: Path) -> None:
    voter = Voter(pin(1), territory=ELSEWHERE, moved_on=date(2024, 1, 1), previous=3)
    assert reasons(check(tmp_path, [voter], [signer(voter, 1, 1)])) == ["WRONG_TERRITORY"]


def test_a_move_in_from_an_unknown_territory_after_signing_is_explained(tmp_path: Path) -> None:
    voter = Voter(pin(1), moved_on=SIGNED + timedelta(days=5))
    report = check(tmp_path, [voter], [signer(voter, 1, 1)])
    assert reasons(report) == ["WRONG_TERRITORY"]
    assert next(report.explain()).detail.startswith(
        "registered in an unknown territory on the signing date 2025-06-10, not 7"
    )


# --- Names -----------------------------------------------------------------------------------

KYRGYZ = Voter(pin(1), "Өмүрбеков", "Жээнбек", "Үсөнович")


@pytest.mark.parametrize(
    ("surname", "given", "patronymic"),
    [
        ("Өмүрбеков", "Жээнбек", "Үсөнович"),  # as the register spells it
        ("Omurbekov", "Jeenbek", "Usonovich"),  # Latin transliteration
        ("Omurbekov", "Zheenbek", "Usonovich"),  # another romanisation of Ж
        ("Омурбеков", "Женбек", "Усонович"),  # Russian-style letters, the doubled vowel single
        ("ӨМҮРБЕКОВ", "ЖЭЭНБЕК", "ҮСӨНОВИЧ"),  # capitals
        ("  өмүрбеков", "жээнбек ", "Үсөнович"),  # case and spacing
        ("Oмүрбеков", "Жээнбек", "Үсөнoвич"),  # Latin look-alike o typed inside Cyrillic
        ("Ѳмүрбеков", "Жээнбек", "Үсөнович"),  # the old fita for ө
    ],
)
def test_spelling_variants_the_register_unifies_are_accepted(
    tmp_path: Path, surname: str, given: str, patronymic: str
) -> None:
    row = signer(KYRGYZ, 1, 1, surname=surname, given=given, patronymic=patronymic)
    assert reasons(check(tmp_path, [KYRGYZ], [row])) == ["VALID"]


@pytest.mark.parametrize(
    ("surname", "given", "patronymic"),
    [
        ("Өмүралиев", "Жээнбек", "Үсөнович"),  # another surname
        ("Өмүрбеков", "Жеңиш", "Үсөнович"),  # another given name
        ("Өмүрбеков", "Жээнбек", ""),  # the patronymic left out
        ("Жээнбек", "Өмүрбеков", "Үсөнович"),  # surname and given name swapped
        ("Өмүрбекова", "Жээнбек", "Үсөнович"),  # the feminine form
    ],
)
def test_a_different_name_is_refused(
    tmp_path: Path, surname: str, given: str, patronymic: str
) -> None:
    row = signer(KYRGYZ, 1, 1, surname=surname, given=given, patronymic=patronymic)
    report = check(tmp_path, [KYRGYZ], [row])
    assert reasons(report) == ["NAME_MISMATCH"]
    assert "not the register's name" in next(report.explain()).detail


# --- Duplicates and other candidates ---------------------------------------------------------


def test_the_first_signature_of_a_voter_stays_valid(tmp_path: Path) -> None:
    rows = [
        signer(GOOD, 1, 1, signed=SIGNED + timedelta(days=2)),  # the lowest sheet, signed later
        signer(GOOD, 2, 5, signed=SIGNED),  # signed first, though later in the file
        signer(GOOD, 2, 6, signed=SIGNED),
    ]
    report = check(tmp_path, [GOOD], rows)
    assert reasons(report) == ["DUPLICATE", "VALID", "DUPLICATE"]
    assert {e.detail for e in report.explain()} == {
        "the same voter's signature is already counted on sheet 2, line 5"
    }


def test_a_forged_copy_does_not_displace_the_genuine_signature(tmp_path: Path) -> None:
    rows = [signer(GOOD, 1, 1, surname="Мамытов"), signer(GOOD, 1, 2)]
    assert reasons(check(tmp_path, [GOOD], rows)) == ["NAME_MISMATCH", "VALID"]


def test_other_candidates_signers_are_refused_where_the_law_forbids(tmp_path: Path) -> None:
    rows = [signer(GOOD, 1, 1), signer(OTHER, 1, 2)]
    others = pins_array([OTHER.pin, pin(4321)])
    report = check(tmp_path, [GOOD, OTHER], rows, other_pins=others)
    assert reasons(report) == ["VALID", "SIGNED_FOR_OTHER"]
    assert reasons(check(tmp_path, [GOOD, OTHER], rows, other_pins=others[:0])) == [
        "VALID",
        "VALID",
    ]


# --- The verdict ---------------------------------------------------------------------------


def _share_case(tmp_path: Path, invalid: int, total: int, **options: Any) -> SignatureReport:
    voters = [Voter(pin(i)) for i in range(total)]
    rows = [
        signer(voter, 1 + i // 10, 1 + i % 10, surname="Иванов" if i < invalid else "Маматов")
        for i, voter in enumerate(voters)
    ]
    return check(tmp_path, voters, rows, **options)


@pytest.mark.parametrize(
    ("invalid", "verdict"), [(2, SUFFICIENT), (3, SUFFICIENT), (4, INSUFFICIENT)]
)
def test_the_invalid_share_is_compared_with_the_law_at_its_boundary(
    tmp_path: Path, invalid: int, verdict: str
) -> None:
    # 3 of 20 is exactly 15 %, the edition's maximum: not above it, so sufficient.
    assert RULES.invalid_share_max.value == 0.15
    assert _share_case(tmp_path, invalid, 20).verdict == verdict


def test_too_few_valid_signatures_are_insufficient(tmp_path: Path) -> None:
    assert _share_case(tmp_path, 0, 20, required=20).verdict == SUFFICIENT
    assert _share_case(tmp_path, 1, 20, required=20).verdict == INSUFFICIENT


def test_no_signature_at_all_is_insufficient(tmp_path: Path) -> None:
    report = check(tmp_path, [GOOD], [])
    assert (report.total, report.verdict, report.invalid_share) == (0, INSUFFICIENT, 0.0)


# --- The sample ------------------------------------------------------------------------------


def _redraw(population: int, size: int, seed: int) -> list[int]:
    """An observer's own reading of the documented algorithm, with a plain list."""
    bits = np.random.PCG64(seed)
    items = list(range(population))
    for i in range(min(size, population)):
        m = population - i
        while True:
            u = int(bits.random_raw())
            if u < 2**64 - 2**64 % m:
                break
        j = i + u % m
        items[i], items[j] = items[j], items[i]
    return items[: min(size, population)]


@given(st.integers(0, 300), st.integers(0, 320), st.integers(0, 2**64 - 1))
def test_an_observer_redraws_the_sample_from_the_published_seed(
    population: int, size: int, seed: int
) -> None:
    drawn = draw_sample(population, size, seed)
    assert drawn == _redraw(population, size, seed)
    assert len(set(drawn)) == len(drawn) == min(size, population)
    assert all(0 <= i < population for i in drawn)


def test_the_sample_is_reproducible_and_changes_with_the_seed(tmp_path: Path) -> None:
    voters = [Voter(pin(i)) for i in range(200)]
    rows = [signer(v, 1 + i // 10, 1 + i % 10) for i, v in enumerate(voters)]
    signers = read_signers(write(tmp_path / "s.csv", rows), TODAY)
    snapshot = snapshot_of(voters)
    first = verify(signers, snapshot, RULES, HOME, sample=40, seed=2025)
    again = verify(signers, snapshot, RULES, HOME, sample=40, seed=2025)
    other = verify(signers, snapshot, RULES, HOME, sample=40, seed=2026)
    assert first.sample is not None and again.sample is not None and other.sample is not None
    assert first.sample.rows.tolist() == again.sample.rows.tolist()
    assert first.sample.rows.tolist() != other.sample.rows.tolist()
    assert sorted(set(first.sample.rows.tolist())) == sorted(first.sample.rows.tolist())
    # The same sheets typed in another order give the same signatures in the sample.
    shuffled = read_signers(write(tmp_path / "r.csv", rows[::-1]), TODAY)
    reordered = verify(shuffled, snapshot, RULES, HOME, sample=40, seed=2025)
    assert reordered.sample is not None
    picked = [(int(signers.sheet[r]), int(signers.line[r])) for r in first.sample.rows]
    repicked = [(int(shuffled.sheet[r]), int(shuffled.line[r])) for r in reordered.sample.rows]
    assert picked == repicked


def test_the_sample_decides_the_verdict_with_the_law_threshold(tmp_path: Path) -> None:
    report = _share_case(tmp_path, 30, 100, sample=100, seed=1)  # the whole list: 30 % invalid
    assert report.sample is not None
    assert (report.sample.size, report.sample.invalid) == (100, 30)
    assert report.verdict == INSUFFICIENT
    small = _share_case(tmp_path, 30, 100, sample=10, seed=4)
    assert small.sample is not None and small.sample.size == 10
    share = small.sample.invalid / 10
    assert small.sample.invalid_share == share
    assert small.verdict == (SUFFICIENT if share <= 0.15 else INSUFFICIENT)
    assert small.full_verdict == INSUFFICIENT
    assert small.sample.estimated_valid == 100 * (10 - small.sample.invalid) // 10
    assert small.sample.share_low <= share <= small.sample.share_high
    # Some seed finds fewer invalid signatures than the threshold allows; the verdict follows.
    verdicts = {_share_case(tmp_path, 30, 100, sample=10, seed=s).verdict for s in range(12)}
    assert verdicts == {SUFFICIENT, INSUFFICIENT}
    assert small.summary()["sample"]["seed"] == 4


def test_a_sample_needs_a_published_seed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed"):
        check(tmp_path, [GOOD], [signer(GOOD, 1, 1)], sample=1)


def test_the_wilson_interval_holds_its_point() -> None:
    low, high = wilson_interval(3, 20)
    assert 0 < low < 0.15 < high < 0.5
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 10)[0] == 0.0


# --- Collectors -----------------------------------------------------------------------------


def test_a_collector_far_above_the_others_is_flagged(tmp_path: Path) -> None:
    voters, rows = [], []
    for c in range(10):
        for k in range(100):
            voter = Voter(pin(c * 100 + k))
            voters.append(voter)
            # 5 % invalid for everyone, 40 % for collector C-3
            forged = k < (40 if c == 3 else 5)
            surname = "Мамытов" if forged else voter.surname
            rows.append(
                signer(voter, 1 + c * 10 + k // 10, 1 + k % 10, collector=f"C-{c}", surname=surname)
            )
    report = check(tmp_path, voters, rows)
    assert [rate.collector for rate in report.anomalies] == ["C-3"]
    worst = report.anomalies[0]
    assert (worst.rows, worst.invalid, worst.share) == (100, 40, 0.4)
    assert worst.others_share == pytest.approx(45.5 / 901)
    assert worst.p_value < 1e-12
    assert all(rate.p_value > 0.01 for rate in report.collectors if not rate.flagged)
    assert report.summary()["anomalies"][0]["collector"] == "C-3"


def test_a_collector_alone_or_at_the_common_rate_is_not_flagged(tmp_path: Path) -> None:
    voters = [Voter(pin(i)) for i in range(40)]
    rows = [
        signer(v, 1, i + 1, surname="Мамытов" if i % 2 else v.surname) for i, v in enumerate(voters)
    ]
    assert check(tmp_path, voters, rows).anomalies == ()


@given(st.integers(0, 60), st.integers(0, 60), st.floats(0.001, 0.999))
def test_the_binomial_tail_is_the_exact_sum(k: int, n: int, p: float) -> None:
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert binomial_upper_tail(k, n, p) == pytest.approx(exact, rel=1e-9, abs=1e-300)


def test_the_binomial_tail_at_its_edges() -> None:
    assert binomial_upper_tail(0, 10, 0.3) == 1.0
    assert binomial_upper_tail(11, 10, 0.3) == 0.0
    assert binomial_upper_tail(1, 10, 0.0) == 0.0
    assert binomial_upper_tail(5, 10, 1.0) == 1.0
    # Large collectors: a million rows converge, and a rate at the common one is no anomaly.
    assert binomial_upper_tail(50_000, 1_000_000, 0.05) == pytest.approx(0.5, abs=0.01)
    assert binomial_upper_tail(60_000, 1_000_000, 0.05) < 1e-100


# --- The snapshot ---------------------------------------------------------------------------


def test_the_snapshot_sorts_its_rows_and_reads_in_chunks() -> None:
    voters = [Voter(pin(i), death=date(2024, 1, i + 1) if i % 3 == 0 else None) for i in range(10)][
        ::-1
    ]
    small = snapshot_of(voters, chunk=3)
    whole = snapshot_of(voters)
    assert small.pin.tolist() == sorted(int(v.pin) for v in voters)
    for column in ("pin", "eligible", "territory", "name_hash", "death", "moved_on", "previous"):
        assert getattr(small, column).tolist() == getattr(whole, column).tolist()
    assert small.death[0] == date(2024, 1, 1).toordinal()
    assert small.previous.tolist() == [-1] * 10
    assert small.nbytes == 33 * 10


def test_the_snapshot_refuses_a_pin_twice_and_ragged_columns() -> None:
    with pytest.raises(ValueError, match="more than once"):
        snapshot_of([Voter(pin(2)), Voter(pin(1)), Voter(pin(2))])
    with pytest.raises(ValueError, match="equal length"):
        RegisterSnapshot.from_columns([1, 2], [True], [1, 1], [0, 0])


def test_the_snapshot_takes_ordinals_and_flags() -> None:
    rows = [(int(pin(1)), True, HOME, "mamatov asan", 739_000, 0, None)]
    snapshot = RegisterSnapshot.from_rows(rows)
    assert (snapshot.death[0], snapshot.moved_on[0], snapshot.previous[0]) == (739_000, 0, -1)


# --- Properties ------------------------------------------------------------------------------

POOL = [Voter(pin(i, born=date(1970 + i % 30, 1 + i % 12, 1 + i % 28))) for i in range(12)]
POOL[1] = replace(POOL[1], death=SIGNED)
POOL[2] = replace(POOL[2], eligible=False)
POOL[3] = replace(POOL[3], territory=ELSEWHERE, moved_on=SIGNED, previous=HOME)
POOL[4] = replace(POOL[4], territory=ELSEWHERE)
POOL_SNAPSHOT = snapshot_of(POOL[:10])  # the last two are not in the register

signer_rows = st.lists(
    st.builds(
        lambda voter, sheet, line, days, forged, collector: signer(
            voter,
            sheet,
            line,
            SIGNED + timedelta(days=days),
            f"C-{collector}",
            **({"surname": "Мамытов"} if forged else {}),
        ),
        st.sampled_from(POOL),
        st.integers(1, 4),
        st.integers(1, 20),
        st.integers(-3, 3),
        st.booleans(),
        st.integers(0, 2),
    )
    | st.builds(lambda p: signer(p, 9, 1), sx.malformed_pins),
    max_size=40,
)
OTHERS = pins_array([POOL[5].pin])
PROPERTY = settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def _verify(rows: list[list[str]]) -> SignatureReport:
    return verify(built(rows), POOL_SNAPSHOT, RULES, HOME, OTHERS)


@PROPERTY
@given(signer_rows)
def test_every_row_gets_exactly_one_reason(rows: list[list[str]]) -> None:
    report = _verify(rows)
    assert sum(report.counts.values()) == report.total == len(rows)
    assert report.valid + report.invalid == len(rows)
    assert len(list(report.explain())) == report.invalid
    valid_pins = [int(p) for p, r in zip(built(rows).pin, report.reasons, strict=True) if r == 0]
    assert len(valid_pins) == len(set(valid_pins))  # each voter counted once at most


@PROPERTY
@given(signer_rows, st.data())
def test_adding_a_duplicate_never_adds_a_valid_signature(rows: list[list[str]], data: Any) -> None:
    if not rows:
        return
    copy = list(data.draw(st.sampled_from(rows)))
    copy[0], copy[1] = "99", str(data.draw(st.integers(1, 20)))
    assert _verify([*rows, copy]).valid <= _verify(rows).valid
    assert _verify([copy, *rows]).valid <= _verify(rows).valid


@PROPERTY
@given(signer_rows, st.randoms(use_true_random=False))
def test_the_order_of_rows_does_not_change_the_counts(rows: list[list[str]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    first, second = _verify(rows), _verify(shuffled)
    assert first.counts == second.counts
    assert first.verdict == second.verdict

    def valid_rows(report: SignatureReport, given: list[list[str]]) -> Counter[str]:
        return Counter(row[3] for row, r in zip(given, report.reasons, strict=True) if r == 0)

    assert valid_rows(first, rows) == valid_rows(second, shuffled)
