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
``combined`` style has 40 ovals, so 38,743 sheets). It generates and reads in one pass in
``--jobs`` worker processes, keeps no image, and stops after ``--max-minutes`` if given (the
result then says ``complete=no`` and counts only what was read)::

    nice -n 10 .venv/bin/python bench/omr.py --offline --positions 1549703 --jobs 2

Each sheet of the stream has its own seed (``shailoo.synth.ballots.indexed_plan``), so a
misread is listed as ``seed``/``sheet`` and made again alone with
``bench/omr.py --offline --reproduce SHEET --seed SEED --save sheet.png``. PNG and TIFF are
lossless, so their sheets are read straight from memory; JPEG sheets are encoded and decoded
at their drawn quality first. ``reader_ballots_per_s`` is sheets per CPU second spent in
``read_sheet`` alone (summed over the workers). An interrupted run continues with
``--resume LOG`` (same seed, setting, dpi, target, and generator and reader code).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import math
import multiprocessing
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.omr import read_image_file, read_sheet
from shailoo.counting.reads import ContestOutcome, Reason, SheetRead, SheetStatus, Thresholds
from shailoo.synth import ballots as sb
from shailoo.synth.ballot_definitions import make_ballot_definition
from shailoo.synth.ballots import make_scans

STATION = "1001"
STYLE = "combined"


def _report(done: int) -> None:
    if done % 250 == 0:
        print(f"  {done} generated", file=sys.stderr)


@dataclass
class Tally:
    """What the reader did against the truth, summed over sheets (and over workers)."""

    sheets: int = 0
    positions: int = 0
    misreads: int = 0
    marginal_sheets: int = 0
    qr_ok: int = 0
    corner_sheets: int = 0
    corner_read: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    intents: Counter[str] = field(default_factory=Counter)
    misread_lines: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # sheets whose generation or read raised
    reader_s: float = 0.0  # CPU seconds in read_sheet alone
    generator_s: float = 0.0  # CPU seconds making the scanned image
    codec_s: float = 0.0  # CPU seconds JPEG-encoding and decoding it

    def add(self, other: Tally) -> None:
        for name in ("sheets", "positions", "misreads", "marginal_sheets", "qr_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.corner_sheets += other.corner_sheets
        self.corner_read += other.corner_read
        self.reasons.update(other.reasons)
        self.intents.update(other.intents)
        self.misread_lines += other.misread_lines
        self.crashes += other.crashes
        self.reader_s += other.reader_s
        self.generator_s += other.generator_s
        self.codec_s += other.codec_s


def score(truth: dict[str, Any], read: SheetRead, tally: Tally, label: str) -> None:
    """Count one sheet: a misread is an oval the machine decided against the truth."""
    tally.sheets += 1
    tally.positions += len(truth["ovals"])
    tally.intents.update(o["intent"] for o in truth["ovals"])
    tally.reasons.update(r.value for r in read.reasons)
    if read.reasons and Reason.MARGINAL_MARK in read.reasons:
        tally.marginal_sheets += 1
    if read.serial is not None:
        tally.qr_ok += read.serial == truth["serial"]
    d = truth["distortion"]
    if d["missing_corner"] and d["missing_corners"] == 1 and not d["qr_damaged"]:
        tally.corner_sheets += 1
        tally.corner_read += read.status is SheetStatus.READABLE
    if read.status is not SheetStatus.READABLE:
        return  # the whole sheet goes to a human
    intents = {(o["contest_id"], o["option_id"]): o for o in truth["ovals"]}
    for contest in read.contests:
        if contest.outcome is ContestOutcome.MARGINAL:
            continue  # goes to a human
        for selection in contest.selections:
            oval = intents[(contest.contest_id, selection.option_id)]
            expected = {"mark": True, "empty": False}.get(oval["intent"])
            if selection.marked is not expected:
                tally.misreads += 1
                tally.misread_lines.append(
                    f"MISREAD {label} {contest.contest_id}/{selection.option_id} "
                    f"intent={oval['intent']} kind={oval['kind']} marked={selection.marked} "
                    f"fill={selection.fill:.3f}"
                )


# -- offline streaming run ----------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _worker_init(seed: int, setting: sb.Setting, dpi: int) -> None:
    cv2.setNumThreads(1)
    _WORKER.update(definition=make_ballot_definition(seed=seed), seed=seed, setting=setting)
    _WORKER["dpi"] = dpi


def _sheet(
    definition: ElectionDefinition, seed: int, setting: sb.Setting, dpi: int, index: int
) -> tuple[sb.SheetPlan, npt.NDArray[np.uint8]]:
    plan = sb.indexed_plan(definition, STATION, STYLE, seed, index, setting, dpi)
    return plan, sb.render_plan(definition, STATION, plan, dpi, exact_pdf=False)


def _as_scanned(image: npt.NDArray[np.uint8], plan: sb.SheetPlan) -> npt.NDArray[np.uint8]:
    """What the reader gets from the file: JPEG is lossy, PNG and TIFF give the image back."""
    if plan.distortion.fmt != "jpeg":
        return image
    data = sb.encode_image(image, "jpeg", plan.distortion.jpeg_quality)
    return np.asarray(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE))


def _work(first: int, count: int) -> Tally:
    """Generate and read sheets ``first .. first + count - 1``; only the tally comes back."""
    definition: ElectionDefinition = _WORKER["definition"]
    seed, setting, dpi = _WORKER["seed"], _WORKER["setting"], _WORKER["dpi"]
    limits = Thresholds()
    tally = Tally()
    for index in range(first, first + count):
        label = f"seed={seed} setting={setting} dpi={dpi} sheet={index}"
        started = time.process_time()
        try:
            plan, image = _sheet(definition, seed, setting, dpi, index)
            made = time.process_time()
            image = _as_scanned(image, plan)
            coded = time.process_time()
            read = read_sheet(image, definition, STATION, limits, source=plan.serial)
        except Exception as error:  # one bad sheet must not end an hours-long run
            tally.crashes.append(f"CRASH {label} {type(error).__name__}: {error}")
            continue
        tally.reader_s += time.process_time() - coded
        tally.codec_s += coded - made
        tally.generator_s += made - started
        truth = sb.plan_truth(definition, STATION, plan, dpi, plan.serial).to_json()
        score(truth, read, tally, label)
    return tally


def _result_line(tally: Tally, args: argparse.Namespace, wall: float, complete: bool) -> str:
    n = max(tally.sheets, 1)
    return (
        f"RESULT omr-offline positions={tally.positions} sheets={tally.sheets} "
        f"misreads={tally.misreads} crashes={len(tally.crashes)} "
        f"marginal_rate={tally.marginal_sheets / n:.4f} "
        f"qr_rate={tally.qr_ok / n:.4f} corner={tally.corner_read}/{tally.corner_sheets} "
        f"reader_ballots_per_s={tally.sheets / max(tally.reader_s, 1e-9):.1f} "
        f"generator_ballots_per_s={tally.sheets / max(tally.generator_s, 1e-9):.1f} "
        f"wall_ballots_per_s={tally.sheets / max(wall, 1e-9):.1f} wall_s={wall:.0f} "
        f"jobs={args.jobs} target={args.positions} complete={'yes' if complete else 'no'} "
        f"seed={args.seed} dpi={args.dpi} setting={args.setting}"
    )


#: What decides the images and their reading: a run may only be resumed with the same code.
_CODE_MODULES = (
    "shailoo.synth.ballots",
    "shailoo.synth.ballot_definitions",
    "shailoo.counting.ballots.layout",
    "shailoo.counting.ballots.pdf",
    "shailoo.counting.ballots.qr",
    "shailoo.counting.reads",
    "shailoo.counting.omr.frame",
    "shailoo.counting.omr.geometry_constants",
    "shailoo.counting.omr.qr",
    "shailoo.counting.omr.reader",
    "shailoo.counting.omr.scoring",
)


def code_digest() -> str:
    """SHA-256 over the generator and reader sources (a log records what made its figures)."""
    digest = hashlib.sha256()
    for name in _CODE_MODULES:
        module = importlib.import_module(name)
        digest.update(name.encode() + b"\0" + Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _resumed(path: Path, args: argparse.Namespace) -> tuple[Tally, float]:
    """The tally and wall time of an interrupted run, refused if it was another run."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        earlier = data["args"]
        for name in ("seed", "setting", "dpi", "positions"):
            if earlier[name] != str(getattr(args, name)):
                raise SystemExit(f"{path}: --{name} was {earlier[name]}, not {getattr(args, name)}")
        if data["code"] != code_digest():
            raise SystemExit(f"{path}: made by another version of the generator or reader")
        tally = Tally(
            **{f.name: data[f.name] for f in fields(Tally) if f.name not in ("reasons", "intents")},
            reasons=Counter(data["reasons"]),
            intents=Counter(data["intents"]),
        )
        return tally, float(data["wall_s"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"{path}: cannot resume from it ({error})") from error


def _write_log(path: Path, tally: Tally, args: argparse.Namespace, wall: float, done: bool) -> None:
    data: dict[str, Any] = {k: v for k, v in vars(tally).items() if not isinstance(v, Counter)}
    data.update(reasons=dict(tally.reasons), intents=dict(tally.intents))
    data.update(
        when=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_s=round(wall, 1),
        finished=done,
        result=_result_line(tally, args, wall, done and tally.positions >= args.positions),
        args={k: str(v) for k, v in vars(args).items()},
        code=code_digest(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def offline(args: argparse.Namespace) -> int:
    """Stream sheets through generator and reader until ``--positions`` ovals are read."""
    definition = make_ballot_definition(seed=args.seed)
    per_sheet = sum(len(c.options) for c in definition.style_contests(STYLE))
    sheets = math.ceil(args.positions / per_sheet)
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else math.inf
    log = (
        args.log
        or args.resume
        or args.cache / f"offline-{args.seed}-{args.setting}-{args.dpi}.json"
    )
    tally, earlier_wall = _resumed(args.resume, args) if args.resume else (Tally(), 0.0)
    print(
        f"offline: {sheets} sheets x {per_sheet} ovals >= {args.positions} positions, "
        f"{args.jobs} jobs, progress in {log}",
        file=sys.stderr,
    )
    # Chunks are taken in order, so a log always covers sheets 0 .. tally.sheets - 1.
    started = time.monotonic() - earlier_wall
    chunks = [(f, min(args.chunk, sheets - f)) for f in range(tally.sheets, sheets, args.chunk)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.jobs, _worker_init, (args.seed, args.setting, args.dpi)) as pool:
        pending: list[AsyncResult[Tally]] = []
        next_chunk = 0
        while next_chunk < len(chunks) or pending:
            while (
                next_chunk < len(chunks)
                and len(pending) < 2 * args.jobs
                and time.monotonic() < deadline
            ):
                pending.append(pool.apply_async(_work, chunks[next_chunk]))
                next_chunk += 1
            if not pending:
                break  # out of time: nothing more was started
            part: Tally = pending.pop(0).get()
            tally.add(part)
            for line in part.misread_lines + part.crashes:
                print(line, file=sys.stderr, flush=True)
            wall = time.monotonic() - started
            _write_log(log, tally, args, wall, done=False)
            print(
                f"  {tally.sheets}/{sheets} sheets, {tally.positions} positions, "
                f"{tally.misreads} misreads, {wall:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    wall = time.monotonic() - started
    complete = tally.positions >= args.positions
    _write_log(log, tally, args, wall, done=True)
    print(f"adjudication reasons: {dict(tally.reasons)}", file=sys.stderr)
    print(f"oval intents: {dict(tally.intents)}", file=sys.stderr)
    print(
        f"CPU per sheet: generate {1000 * tally.generator_s / max(tally.sheets, 1):.1f} ms, "
        f"JPEG round trip {1000 * tally.codec_s / max(tally.sheets, 1):.1f} ms, "
        f"read {1000 * tally.reader_s / max(tally.sheets, 1):.1f} ms",
        file=sys.stderr,
    )
    for line in tally.misread_lines + tally.crashes:
        print(line)
    print(_result_line(tally, args, wall, complete))
    return 0


def reproduce(args: argparse.Namespace) -> int:
    """Make one sheet of the offline stream again, read it, and show what differs."""
    cv2.setNumThreads(1)
    definition = make_ballot_definition(seed=args.seed)
    plan, image = _sheet(definition, args.seed, args.setting, args.dpi, args.reproduce)
    image = _as_scanned(image, plan)
    if args.save is not None:
        args.save.write_bytes(sb.encode_image(image, "png"))
    read = read_sheet(image, definition, STATION, Thresholds(), source=plan.serial)
    truth = sb.plan_truth(definition, STATION, plan, args.dpi, plan.serial).to_json()
    tally = Tally()
    score(truth, read, tally, f"seed={args.seed} setting={args.setting} sheet={args.reproduce}")
    print(json.dumps(truth["distortion"]))
    print(f"status={read.status.value} reasons={[r.value for r in read.reasons]}")
    for contest in read.contests:
        print(f"  {contest.contest_id}: {contest.outcome.value} {contest.votes}")
    for line in tally.misread_lines:
        print(line)
    return 1 if tally.misreads else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=2500, help="sheets (40 ovals each)")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--setting", choices=("standard", "hard"), default="standard")
    parser.add_argument("--cache", type=Path, default=Path("var/bench-omr"))
    parser.add_argument("--offline", action="store_true", help="stream; cache no image")
    parser.add_argument("--positions", type=int, default=1_549_703, help="offline: ovals")
    parser.add_argument("--jobs", type=int, default=1, help="offline: worker processes")
    parser.add_argument("--chunk", type=int, default=25, help="offline: sheets per task")
    parser.add_argument("--max-minutes", type=float, default=0.0, help="offline: stop after")
    parser.add_argument("--log", type=Path, default=None, help="offline: progress JSON")
    parser.add_argument("--resume", type=Path, default=None, help="offline: continue a log")
    parser.add_argument("--reproduce", type=int, default=None, help="offline: one sheet index")
    parser.add_argument("--save", type=Path, default=None, help="with --reproduce: PNG path")
    args = parser.parse_args()
    for name in ("positions", "jobs", "chunk"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.reproduce is not None:
        return reproduce(args)
    if args.offline:
        return offline(args)
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

    tally = Tally()
    for truth, read in zip(truths, reads, strict=True):
        score(truth, read, tally, read.source)
    for line in tally.misread_lines:
        print(line, file=sys.stderr)
    positions, misreads, reasons = tally.positions, tally.misreads, tally.reasons
    marginal_sheets, qr_ok = tally.marginal_sheets, tally.qr_ok
    corner_read, corner_sheets = tally.corner_read, tally.corner_sheets
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
