"""Real ballot images for a few demo stations, read by the OMR engine and recorded.

For each chosen station the ballots found in the box (``shailoo.synth.votes``) become
sheets: the first :data:`IMAGE_SHEETS` are printed (the real PDF layout, rasterised),
marked as voters mark them, scanned badly (``shailoo.synth.ballots``) and read by
``counting.omr``; the remaining sheets of the station are recorded as the scanner's reads
without images, so the station's automatic count covers every ballot while the demo stays
fast. Planted among the images: a
speck and a hesitation stroke beside a real vote (marginal marks), and at the first station
one sheet whose QR code is blotted (unreadable). What each voter meant is written beside the
images (``truth.json``, the format of ``shailoo synth ballots``). Whatever the reader doubts
waits for a person at ``/staff/counting/``; the scanner's reads are recorded with
``counting.services.record_scan`` (one ledger entry per batch).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from shailoo.common.cli import progress
from shailoo.counting.ballots.qr import serial_text
from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.omr import read_image_file
from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest
from shailoo.counting.services import record_scan
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.synth import ballots as synth
from shailoo.synth.votes import ContestFigures, Outcome

IMAGE_SHEETS = 10
DPI = 150
THRESHOLDS = Thresholds()
#: Fill ratios written into reads of sheets recorded without an image.
MARKED_FILL, EMPTY_FILL = 0.92, 0.01

Ballot = tuple[Outcome, str | None]


@dataclass
class ScanSummary:
    """Sheets recorded at the scanned stations and why some wait for a person."""

    stations: list[int] = field(default_factory=list)
    sheets: int = 0
    images: int = 0
    waiting: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def scan_stations(
    election: Election,
    definition: ElectionDefinition,
    stations: Sequence[PollingStation],
    figures: Mapping[int, list[ContestFigures]],
    seed: int,
    out_dir: Path,
) -> ScanSummary:
    """Render, read and record the sheets of ``stations``; the summary of what was stored."""
    summary = ScanSummary(stations=[s.number for s in stations])
    with progress() as bar:
        task = bar.add_task("ballot images", total=IMAGE_SHEETS * len(stations))
        for index, station in enumerate(stations):
            folder = out_dir / str(station.number)
            folder.mkdir(parents=True, exist_ok=True)
            rng = random.Random(f"demo.scans/{seed}/{station.number}")
            sheets = _sheets(definition, station, figures[station.number], rng)
            imaged, plain = sheets[:IMAGE_SHEETS], sheets[IMAGE_SHEETS:]
            reads, truths = [], []
            for n, (style_id, serial, ballots) in enumerate(imaged):
                plan = _plan(definition, style_id, serial, ballots, n, index == 0, rng)
                path = folder / f"{serial}.jpg"
                image = synth.render_plan(definition, str(station.number), plan, DPI, False)
                path.write_bytes(synth.encode_image(image, "jpeg", plan.distortion.jpeg_quality))
                reads.append(read_image_file(path, definition, str(station.number), THRESHOLDS))
                truths.append(
                    synth.plan_truth(definition, str(station.number), plan, DPI, path.name)
                )
                bar.advance(task)
            synth.write_truth(truths, folder / "truth.json")
            reads += [
                _plain_read(definition, election, station, style_id, serial, ballots)
                for style_id, serial, ballots in plain
            ]
            actor = f"demo:pec-{station.number}"
            first = record_scan(election, station, reads[: len(imaged)], folder, actor)
            rest = record_scan(election, station, reads[len(imaged) :], None, actor)
            summary.sheets += first.created + rest.created
            summary.images += first.created
            summary.waiting += first.needs_adjudication + rest.needs_adjudication
            for read in reads:
                if read.needs_adjudication:
                    summary.reasons.update(r.value for r in read.reasons or ())
    return summary


def _sheets(
    definition: ElectionDefinition,
    station: PollingStation,
    figures: list[ContestFigures],
    rng: random.Random,
) -> list[tuple[str, str, dict[str, Ballot]]]:
    """Every sheet found at the station: (style, serial, {contest: ballot}), numbered in turn."""
    by_contest = {f.contest_id: f.ballots(rng) for f in figures}
    out = []
    serial = 0
    for style in definition.styles_for_station(str(station.number)):
        contests = definition.style_contests(style.id)
        count = min(len(by_contest[c.id]) for c in contests)
        for i in range(count):
            serial += 1
            out.append(
                (style.id, serial_text(serial), {c.id: by_contest[c.id][i] for c in contests})
            )
    return out


def _plan(
    definition: ElectionDefinition,
    style_id: str,
    serial: str,
    ballots: dict[str, Ballot],
    n: int,
    blot_qr: bool,
    rng: random.Random,
) -> synth.SheetPlan:
    """How the voter marked this sheet (plus the planted doubts) and how it was scanned."""
    marks: list[synth.MarkSpec] = []
    truths: list[synth.ContestTruth] = []
    for contest in definition.style_contests(style_id):
        outcome, option = ballots[contest.id]
        ids = [o.id for o in contest.options]
        kind = rng.choices(synth.INTENDED_KINDS, (0.5, 0.2, 0.15, 0.1, 0.05))[0]
        if outcome == "valid" and option is not None:
            marks.append(synth.random_mark(rng, contest.id, option, kind))
            others = [i for i in ids if i != option]
            if n in (0, 3):  # a speck or a hesitation stroke beside the vote: marginal
                doubt: synth.MarkKind = "speck" if n == 0 else "stroke"
                marks.append(synth.random_mark(rng, contest.id, rng.choice(others), doubt))
            truths.append(synth.ContestTruth(contest.id, "valid", (option,)))
        elif outcome == "overvote":
            for oid in rng.sample(ids, contest.votes_allowed + 1):
                marks.append(synth.random_mark(rng, contest.id, oid, kind))
            truths.append(synth.ContestTruth(contest.id, "overvote"))
        else:
            truths.append(synth.ContestTruth(contest.id, "undervote"))
    distortion = replace(synth.random_distortion(rng), fmt="jpeg", qr_damaged=blot_qr and n == 1)
    return synth.SheetPlan(
        style_id, serial, tuple(marks), tuple(truths), distortion, rng.randrange(2**31)
    )


def _plain_read(
    definition: ElectionDefinition,
    election: Election,
    station: PollingStation,
    style_id: str,
    serial: str,
    ballots: dict[str, Ballot],
) -> SheetRead:
    """The scanner's read of a sheet recorded without its image."""
    contests = []
    for contest in definition.style_contests(style_id):
        outcome, option = ballots[contest.id]
        ids = [o.id for o in contest.options]
        marked = (
            {option} if outcome == "valid" else set(ids[:2]) if outcome == "overvote" else set()
        )
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        fills = [(oid, MARKED_FILL if oid in marked else EMPTY_FILL) for oid in ids]
        contests.append(
            classify_contest(contest.id, fills, contest.votes_allowed, THRESHOLDS, against)
        )
    return SheetRead(
        source=f"{serial}.cvr",
        status=SheetStatus.READABLE,
        thresholds=THRESHOLDS,
        election_id=election.code,
        style_id=style_id,
        station=str(station.number),
        serial=serial,
        contests=tuple(contests),
    )
