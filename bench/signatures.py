"""Benchmark: signature-sheet verification against a bare PIN look-up in a Python dict.

A synthetic register (default 4,000,000 voters) and a signer list (default 1,000,000 rows)
are generated deterministically from ``--seed`` with numpy and the name pools of
``shailoo.synth``: PINs in the register's format (sex digit, birth date, serial), Kyrgyz names
with their feminine and patronymic forms, ten territories (the candidate's is territory 1),
deaths and moves around the signing period. The signer list plants every kind of invalid
signature — PINs not in the register, dead signers (the day before signing), ineligible
ones, voters who moved out, voters of another territory, forged names, duplicates, voters who
signed for another candidate, malformed rows — and accepted variants of the register's names
(Latin transliteration, capitals, Russian-style spelling). One collector forges half of
their rows, for the anomaly test to find.

Then, each in its own process (so peak memory is its own), reading the same register rows
from a generator as the service reads them from a database cursor:

* **ours** — the product's path: ``RegisterSnapshot.from_rows``, ``read_signers`` of the CSV
  file, ``verify`` with the law's rules (kg-2025), a sample of ``sample_share`` of the
  signatures from a seed, and the explanation of every invalid signature;
* **bare** — a dict ``{pin: row}`` built from the same rows, the CSV read with :mod:`csv`,
  and a loop that only looks each PIN up.

Prints the counts, both times and
``RESULT signatures per_s=<signatures/s> total_s=<s> peak_mib=<MiB> ratio=<ours/bare>``
where total_s and per_s are ours (verification from rows to explanations) and peak_mib is
ours' peak resident memory (the generated columns it reads from included).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

SIGNING_FROM = date(2025, 6, 2)
SIGNING_DAYS = 40
TODAY = date(2025, 7, 20)
TERRITORY = 1
TERRITORIES = 10
OTHER_SIGNERS = 100_000
#: Planted shares of the signer list, by kind (the rest are valid, a few as name variants).
PLANTS = {
    "not_in_register": 0.010,
    "dead": 0.005,
    "not_eligible": 0.010,
    "moved": 0.005,
    "wrong_territory": 0.010,
    "forged_name": 0.010,
    "duplicate": 0.010,
    "signed_for_other": 0.005,
    "malformed": 0.002,
}
VARIANTS = 0.05
FORGER = "C-0013"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Synthetic data -------------------------------------------------------------------------


def _name_tables() -> dict[str, list[str]]:
    """Surnames (masculine then feminine), given names (male then female), patronymics."""
    from shailoo.synth.namepools import KYRGYZ, feminine, patronymic

    fathers = KYRGYZ.male[:60]
    return {
        "surname_m": list(KYRGYZ.surnames),
        "surname_f": [feminine(s) for s in KYRGYZ.surnames],
        "given_m": list(KYRGYZ.male),
        "given_f": list(KYRGYZ.female),
        "patronymic_m": [patronymic(f, "M", "ovich") for f in fathers]
        + [patronymic(f, "M", "uulu") for f in fathers],
        "patronymic_f": [patronymic(f, "F", "ovich") for f in fathers]
        + [patronymic(f, "F", "uulu") for f in fathers],
    }


def make_register(voters: int, seed: int) -> dict[str, np.ndarray]:
    """The register's columns, in the order a database would hand the rows over."""
    rng = np.random.Generator(np.random.PCG64(seed))
    names = _name_tables()
    first, last = date(1940, 1, 1).toordinal(), date(2006, 12, 31).toordinal()
    draw = int(voters * 1.02) + 1000
    born = rng.integers(first, last + 1, draw)
    days = [date.fromordinal(o) for o in range(first, last + 1)]
    ddmmyyyy = np.array([d.day * 1_000_000 + d.month * 10_000 + d.year for d in days], np.int64)
    female = rng.random(draw) < 0.52
    pin = (
        np.where(female, 1, 2).astype(np.int64) * 10**13
        + ddmmyyyy[born - first] * 10**5
        + rng.integers(0, 100_000, draw)
    )
    pin, keep = np.unique(pin, return_index=True)
    chosen = rng.permutation(len(pin))[:voters]
    pin, female = pin[chosen], female[keep][chosen]
    n = len(pin)
    surname = rng.integers(0, len(names["surname_m"]), n).astype(np.int16)
    given = rng.integers(0, min(len(names["given_m"]), len(names["given_f"])), n).astype(np.int16)
    patr = rng.integers(0, len(names["patronymic_m"]), n).astype(np.int16)
    territory = np.where(rng.random(n) < 0.6, 1, rng.integers(2, TERRITORIES + 1, n))
    start = SIGNING_FROM.toordinal()
    dead = rng.random(n) < 0.01
    death = np.where(dead, rng.integers(start - 400, start + SIGNING_DAYS + 30, n), 0)
    moved = rng.random(n) < 0.04
    moved_on = np.where(moved, rng.integers(start - 400, start + SIGNING_DAYS + 30, n), 0)
    previous = np.where(moved, rng.integers(1, TERRITORIES + 1, n), -1)
    previous = np.where(moved & (previous == territory), territory % TERRITORIES + 1, previous)
    eligible = (rng.random(n) < 0.97) & ~dead
    return {
        "pin": pin,
        "female": female,
        "surname": surname,
        "given": given,
        "patronymic": patr,
        "territory": territory.astype(np.int32),
        "eligible": eligible,
        "death": death.astype(np.int32),
        "moved_on": moved_on.astype(np.int32),
        "previous": previous.astype(np.int32),
    }


def register_rows(reg: dict[str, np.ndarray]) -> Iterator[tuple[Any, ...]]:
    """The rows as a database cursor gives them: PIN text, codes, territory, name key, dates."""
    from shailoo.register.names import normalise

    names = _name_tables()
    keys = {k: [normalise(v) for v in values] for k, values in names.items()}
    sur = keys["surname_m"], keys["surname_f"]
    giv = keys["given_m"], keys["given_f"]
    pat = keys["patronymic_m"], keys["patronymic_f"]
    fromordinal = date.fromordinal
    columns = ("pin", "female", "surname", "given", "patronymic", "eligible", "territory",
               "death", "moved_on", "previous")  # fmt: skip
    step = 50_000  # a cursor's fetch size: the rows come a batch at a time
    for at in range(0, len(reg["pin"]), step):
        part = [reg[name][at : at + step].tolist() for name in columns]
        for pin, fem, s, g, p, eligible, territory, death, moved, previous in zip(
            *part, strict=True
        ):
            codes = "" if eligible else ("ALIVE" if death else "BIOMETRICS")
            yield (
                f"{pin:014d}",
                codes,
                territory,
                f"{sur[fem][s]} {giv[fem][g]} {pat[fem][p]}",
                fromordinal(death) if death else None,
                fromordinal(moved) if moved else None,
                previous if moved else None,
            )


def write_signers(
    reg: dict[str, np.ndarray], count: int, seed: int, path: Path
) -> tuple[np.ndarray, dict[str, int]]:
    """Write the signer list; return the other candidate's PINs and the planted counts."""
    from shailoo.register.names import transliterate
    from shailoo.synth.namepools import russify

    rng = np.random.Generator(np.random.PCG64(seed + 1))
    names = _name_tables()
    start = SIGNING_FROM.toordinal()
    signed = rng.integers(start, start + SIGNING_DAYS, count)
    kind = np.full(count, "valid", dtype=object)
    cut = np.cumsum([0, *(round(share * count) for share in PLANTS.values())])
    order = rng.permutation(count)
    for (name, _), a, b in zip(PLANTS.items(), cut[:-1], cut[1:], strict=True):
        kind[order[a:b]] = name
    good = np.flatnonzero(
        (reg["territory"] == TERRITORY)
        & reg["eligible"]
        & (reg["death"] == 0)
        & (reg["moved_on"] == 0)
    )
    voter = good[rng.permutation(len(good))[:count]]
    if len(voter) < count:
        voter = np.resize(voter, count)

    def pick(mask: np.ndarray, where: np.ndarray) -> None:
        pool = np.flatnonzero(mask)
        voter[where] = pool[rng.integers(0, len(pool), len(where))]

    today = TODAY.toordinal()
    dead = (reg["death"] > 0) & (reg["death"] < today)
    pick((reg["territory"] == TERRITORY) & dead, np.flatnonzero(kind == "dead"))
    pick(
        (reg["territory"] == TERRITORY) & ~reg["eligible"] & (reg["death"] == 0),
        np.flatnonzero(kind == "not_eligible"),
    )
    pick(
        (reg["territory"] != TERRITORY) & (reg["moved_on"] == 0) & reg["eligible"],
        np.flatnonzero(kind == "wrong_territory"),
    )
    moved_rows = np.flatnonzero(kind == "moved")
    pick(
        (reg["previous"] == TERRITORY)
        & (reg["moved_on"] > 0)
        & (reg["moved_on"] < today)
        & (reg["territory"] != TERRITORY)
        & reg["eligible"],
        moved_rows,
    )
    # A dead signer signs the day after the death; one who moved out, the day after the move.
    dead_rows = np.flatnonzero(kind == "dead")
    signed[dead_rows] = reg["death"][voter[dead_rows]] + 1
    signed[moved_rows] = reg["moved_on"][voter[moved_rows]] + 1
    signed = np.minimum(signed, TODAY.toordinal())
    collectors = rng.integers(0, 50, count)
    forger = np.flatnonzero((collectors == 13) & (kind == "valid"))
    kind[forger[rng.random(len(forger)) < 0.5]] = "forged_name"
    # A duplicate copies a valid signer's PIN and name, on another sheet.
    duplicate_rows = np.flatnonzero(kind == "duplicate")
    sources = np.flatnonzero(kind == "valid")
    voter[duplicate_rows] = voter[sources[rng.integers(0, len(sources), len(duplicate_rows))]]
    elsewhere = np.flatnonzero(reg["territory"] != TERRITORY)  # the other candidate's voters
    other = reg["pin"][elsewhere[rng.integers(0, len(elsewhere), OTHER_SIGNERS)]]
    for_other = np.flatnonzero(kind == "signed_for_other")
    other[: len(for_other)] = reg["pin"][voter[for_other]]

    surname_tables = names["surname_m"], names["surname_f"]
    given_tables = names["given_m"], names["given_f"]
    patronymic_tables = names["patronymic_m"], names["patronymic_f"]
    variant = rng.random(count) < VARIANTS
    style = rng.integers(0, 3, count)
    kinds = kind.tolist()
    fake_serial = rng.integers(0, 100_000, count)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "sheet",
                "line",
                "collector",
                "pin",
                "surname",
                "given_name",
                "patronymic",
                "signed_on",
            ]
        )
        rows = zip(
            voter.tolist(), signed.tolist(), variant.tolist(), style.tolist(),
            collectors.tolist(), kinds, fake_serial.tolist(), strict=True,
        )  # fmt: skip
        for i, (v, day, var, sty, col, what, serial) in enumerate(rows):
            fem = bool(reg["female"][v])
            surname = surname_tables[fem][reg["surname"][v]]
            given = given_tables[fem][reg["given"][v]]
            patr = patronymic_tables[fem][reg["patronymic"][v]]
            pin = f"{int(reg['pin'][v]):014d}"
            when = date.fromordinal(day).isoformat()
            if what == "not_in_register":
                pin = f"{pin[:9]}{serial:05d}"  # another serial: almost surely no such voter
            elif what == "forged_name":
                surname = surname_tables[fem][(reg["surname"][v] + 7) % len(surname_tables[0])]
            elif what == "malformed":
                # a PIN one digit short, a day not in the calendar, a day after today
                pin, when = ((pin[:13], when), (pin, "2025-02-30"), (pin, "2025-07-21"))[sty]
            elif var:
                surname, given, patr = (
                    (transliterate(surname), transliterate(given), transliterate(patr)),
                    (surname.upper(), given.upper(), patr.upper()),
                    (russify(surname), russify(given), russify(patr)),
                )[sty]
            out.writerow([i // 20 + 1, i % 20 + 1, f"C-{col:04d}", pin, surname, given, patr, when])
    planted = {name: int(np.count_nonzero(kind == name)) for name in PLANTS}
    planted["forged_name"] = int(np.count_nonzero(kind == "forged_name"))
    return other, planted


# --- The two sides --------------------------------------------------------------------------


def worker_ours(data: Path, signers: Path) -> dict[str, Any]:
    from shailoo.candidates.signatures import RegisterSnapshot, verify
    from shailoo.candidates.signers_file import read_signers
    from shailoo.law.loader import load_edition

    reg = dict(np.load(data / "register.npz"))
    other = np.load(data / "other.npy")
    rules = load_edition("kg-2025").candidates.signatures
    times: dict[str, float] = {}
    start = time.perf_counter()
    snapshot = RegisterSnapshot.from_rows(register_rows(reg))
    times["snapshot_s"] = time.perf_counter() - start
    mark = time.perf_counter()
    rows = read_signers(signers, TODAY)
    times["read_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    sample = math.ceil(rules.sample_share.value * len(rows))
    # As the service calls it: the voting age checked on each signing date too.
    report = verify(
        rows, snapshot, rules, TERRITORY, other, sample=sample, seed=20250720, min_age=18
    )
    times["verify_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    explained = sum(1 for _ in report.explain())
    times["explain_s"] = time.perf_counter() - mark
    times["seconds"] = time.perf_counter() - start
    return {
        **times,
        "rows": len(rows),
        "explained": explained,
        "counts": report.counts,
        "verdict": report.verdict,
        "sample_share": report.sample.invalid_share if report.sample else None,
        "anomalies": [rate.collector for rate in report.anomalies],
        "snapshot_mib": snapshot.nbytes / 2**20,
        "signers_mib": rows.nbytes / 2**20,
        "peak_mib": _peak_mib(),
    }


def worker_bare(data: Path, signers: Path) -> dict[str, Any]:
    reg = dict(np.load(data / "register.npz"))
    start = time.perf_counter()
    register = {row[0]: row for row in register_rows(reg)}
    found = rows = 0
    with signers.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            rows += 1
            if row[3] in register:
                found += 1
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "found": found, "peak_mib": _peak_mib()}


#: The reason each planted kind must be found under.
FOUND_AS = {
    "not_in_register": "NOT_IN_REGISTER",
    "dead": "DEAD",
    "not_eligible": "NOT_ELIGIBLE",
    "moved": "MOVED",
    "wrong_territory": "WRONG_TERRITORY",
    "forged_name": "NAME_MISMATCH",
    "duplicate": "DUPLICATE",
    "signed_for_other": "SIGNED_FOR_OTHER",
    "malformed": "MALFORMED",
}


def _check(planted: dict[str, int], ours: dict[str, Any]) -> list[str]:
    """Each planted kind found (within 2 %: a planted PIN may collide with a real one), the
    accepted name variants not taken for forgeries, and the forging collector flagged."""
    failures = []
    for kind, reason in FOUND_AS.items():
        found = ours["counts"][reason]
        if abs(found - planted[kind]) > 0.02 * planted[kind] + 2:
            failures.append(f"{kind}: planted {planted[kind]}, found {found} {reason}")
    if ours["anomalies"] != [FORGER]:
        failures.append(f"anomalous collectors {ours['anomalies']}, expected [{FORGER!r}]")
    return failures


def _spawn(kind: str, data: Path, signers: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(data), str(signers)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--voters", type=int, default=4_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, data, signers = args.worker
        fn = worker_ours if kind == "ours" else worker_bare
        print(json.dumps(fn(Path(data), Path(signers))))
        return
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shailoo-bench-") as tmpdir:
        tmp = Path(tmpdir)
        reg = make_register(args.voters, args.seed)
        np.savez(tmp / "register.npz", **reg)
        signers = tmp / "signers.csv"
        other, planted = write_signers(reg, args.signatures, args.seed, signers)
        np.save(tmp / "other.npy", other)
        del reg
        generated = time.perf_counter() - begun
        print(f"generated {args.voters} voters, {args.signatures} signatures in {generated:.1f}s")
        print(f"planted: {planted}", flush=True)
        bare = _spawn("bare", tmp, signers)
        ours = _spawn("ours", tmp, signers)
    print(f"counts: {ours['counts']}")
    print(
        f"verdict={ours['verdict']} sample_invalid_share={ours['sample_share']:.4f} "
        f"anomalous collectors={ours['anomalies']} explained={ours['explained']}"
    )
    print(
        f"ours: snapshot {ours['snapshot_s']:.2f}s ({ours['snapshot_mib']:.0f} MiB), "
        f"read {ours['read_s']:.2f}s ({ours['signers_mib']:.0f} MiB), "
        f"verify {ours['verify_s']:.2f}s, explain {ours['explain_s']:.2f}s, "
        f"total {ours['seconds']:.2f}s, peak {ours['peak_mib']:.0f} MiB"
    )
    print(
        f"bare: {bare['seconds']:.2f}s, {bare['found']} of {bare['rows']} PINs found, "
        f"peak {bare['peak_mib']:.0f} MiB"
    )
    print(f"whole run {time.perf_counter() - begun:.1f}s")
    failures = _check(planted, ours)
    for failure in failures:
        print(f"CHECK FAILED: {failure}")
    ratio = ours["seconds"] / bare["seconds"]
    if failures:
        sys.exit(1)
    print(
        f"RESULT signatures per_s={ours['rows'] / ours['seconds']:.0f} "
        f"total_s={ours['seconds']:.2f} peak_mib={ours['peak_mib']:.0f} ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
