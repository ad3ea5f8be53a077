"""Benchmark: read synthetic distorted ballot scans; count misreads against the ground truth.

    .venv/bin/python bench/omr.py [--ballots 2500] [--dpi 200] [--seed 2026] [--setting standard]

Images are generated once (slow) into ``var/bench-omr/<seed>-<setting>-<dpi>-<n>/`` with their
``truth.json`` and reused; only reading is timed, on one core (OpenCV limited to one thread).
``ballots_per_s`` is sheets per CPU second of this process (decoding the file included), which
is what "per core" means on a shared machine; ``wall_ballots_per_s`` is the same by the clock.
The baseline decodes the same files with ``cv2.imread`` and nothing else, alternating with the
reader file by file; ``ratio`` is our sheets per second over the baseline's (1.0 would mean
reading costs nothing beyond decoding the image).

A *misread* is an oval whose recorded value differs from the ground truth on a sheet that was
not sent to adjudication: a voter's mark read as empty, an empty oval read as a mark, or a
deliberately marginal mark decided by the machine. ``marginal_rate`` is the share of sheets
sent to a human because of a marginal mark; ``qr_rate`` the share whose QR code decoded;
``corner`` counts sheets with one lost corner mark (and an intact QR code) that were read
without a human.

Offline acceptance run (1,549,703 positions, the old federal voting-system test level; the
``combined`` style has 40 ovals, so 38,743 sheets; about 1.9 MB of images per sheet, so some
75 GB under ``--cache``, and about five hours to generate on one core)::

    .venv/bin/python bench/omr.py --ballots 38743 --cache /big/disk/bench-omr
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import cv2

from shailoo.counting.omr import read_image_file
from shailoo.counting.reads import ContestOutcome, Reason, SheetStatus, Thresholds
from shailoo.synth.ballot_definitions import make_ballot_definition
from shailoo.synth.ballots import make_scans

STATION = "1001"
STYLE = "combined"


def _report(done: int) -> None:
    if done % 250 == 0:
        print(f"  {done} generated", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=2500, help="sheets (40 ovals each)")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--setting", choices=("standard", "hard"), default="standard")
    parser.add_argument("--cache", type=Path, default=Path("var/bench-omr"))
    args = parser.parse_args()
    cv2.setNumThreads(1)
    definition = make_ballot_definition(seed=args.seed)
    folder = args.cache / f"{args.seed}-{args.setting}-{args.dpi}-{args.ballots}"
    truth_path = folder / "truth.json"
    if not truth_path.is_file():
        print(f"generating {args.ballots} scans into {folder} (once) ...", file=sys.stderr)
        started = time.perf_counter()
        make_scans(
            definition,
            STATION,
            folder,
            args.ballots,
            args.seed,
            args.setting,
            dpi=args.dpi,
            styles=[STYLE],
            exact_pdf=False,
            on_progress=_report,
        )
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    truths = json.loads(truth_path.read_text(encoding="utf-8"))
    files = [folder / t["file"] for t in truths]

    # Baseline and reader alternate file by file so both see the same machine load. CPU time
    # of this one process is what "per core" means on a shared machine; wall time is shown too.
    limits = Thresholds()
    baseline = ours = baseline_wall = ours_wall = 0.0
    reads = []
    for path in files:
        started, started_wall = time.process_time(), time.perf_counter()
        if cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) is None:
            raise SystemExit(f"{path}: does not decode")
        middle, middle_wall = time.process_time(), time.perf_counter()
        reads.append(read_image_file(path, definition, STATION, limits))
        ours += time.process_time() - middle
        ours_wall += time.perf_counter() - middle_wall
        baseline += middle - started
        baseline_wall += middle_wall - started_wall

    positions = misreads = marginal_sheets = qr_ok = 0
    corner_sheets = corner_read = 0
    reasons: Counter[str] = Counter()
    for truth, read in zip(truths, reads, strict=True):
        positions += len(truth["ovals"])
        reasons.update(r.value for r in read.reasons)
        if read.reasons and Reason.MARGINAL_MARK in read.reasons:
            marginal_sheets += 1
        if read.serial is not None:
            qr_ok += read.serial == truth["serial"]
        d = truth["distortion"]
        if d["missing_corner"] and d["missing_corners"] == 1 and not d["qr_damaged"]:
            corner_sheets += 1
            corner_read += read.status is SheetStatus.READABLE
        if read.status is not SheetStatus.READABLE:
            continue  # the whole sheet goes to a human
        intents = {(o["contest_id"], o["option_id"]): o["intent"] for o in truth["ovals"]}
        for contest in read.contests:
            if contest.outcome is ContestOutcome.MARGINAL:
                continue  # goes to a human
            for selection in contest.selections:
                intent = intents[(contest.contest_id, selection.option_id)]
                expected = {"mark": True, "empty": False}.get(intent)
                if selection.marked is not expected:
                    misreads += 1
                    print(
                        f"MISREAD {read.source} {contest.contest_id} {selection}", file=sys.stderr
                    )
    n = len(reads)
    print(f"adjudication reasons: {dict(reasons)}", file=sys.stderr)
    print(
        f"RESULT omr ballots_per_s={n / ours:.1f} positions={positions} misreads={misreads} "
        f"marginal_rate={marginal_sheets / n:.4f} qr_rate={qr_ok / n:.4f} "
        f"corner={corner_read}/{corner_sheets} ratio={baseline / ours:.3f} "
        f"imread_per_s={n / baseline:.1f} wall_ballots_per_s={n / ours_wall:.1f} "
        f"dpi={args.dpi} setting={args.setting}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
