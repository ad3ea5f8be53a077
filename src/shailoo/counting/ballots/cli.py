"""``shailoo ballots``: print ballots, scan a folder of sheet images.

``ballots synth`` (synthetic scans) lives outside the product; the top-level ``shailoo.cli``
adds it to this group.

Bad input (a missing folder, a definition that does not validate, a station the definition
does not know, bad thresholds) ends with a located message and exit status 2, never a
traceback. A file in the scan folder that has an image suffix but does not decode is not
dropped: it becomes an unreadable sheet that goes to adjudication. Files without an image
suffix are listed as skipped. The cast vote records are checked against the official NIST
SP 1500-103 schema before they are written; a report it refuses is not written at all.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.markup import escape

from shailoo.common.cli import console, progress
from shailoo.counting.definition import DefinitionError, ElectionDefinition, load_definition
from shailoo.counting.reads import SheetRead, Thresholds
from shailoo.elections.cli import ELECTION_OPTION

app = typer.Typer(no_args_is_help=True)

_DEFINITION = typer.Option(
    None,
    "--definition",
    dir_okay=False,
    help="Election definition JSON (default: the one loaded for --election)",
)
_STATION = typer.Option(..., "--station", help="Polling-station number")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/]", highlight=False)
    return typer.Exit(2)


def _stored_definition(code: str | None) -> tuple[str, ElectionDefinition]:
    """The definition loaded into the database for ``--election`` (default: the current one)."""
    from shailoo.common.refusals import Refusal
    from shailoo.elections.cli import chosen

    election = chosen(code)  # starts Django
    from shailoo.counting.services import current_definition

    try:
        return election.code, current_definition(election)
    except Refusal as exc:
        raise _fail(
            f"no --definition given and {exc.message} "
            f"(shailoo elections load-definition FILE --election {election.code})"
        ) from None


def _definition(path: Path | None, station: str, election: str | None = None) -> ElectionDefinition:
    """``--definition FILE``, else the definition loaded for ``--election`` or the current one."""
    if path is not None and election is not None:
        raise _fail("give --definition FILE or --election CODE, not both")
    if path is None:
        code, definition = _stored_definition(election)
        if not definition.styles_for_station(station):
            raise _fail(f"--station {station}: no ballot style of election {code} is issued there")
        return definition
    if not path.is_file():
        raise _fail(f"{path}: --definition: no such file")
    try:
        definition = load_definition(path)
    except DefinitionError as exc:
        raise _fail(str(exc)) from None
    if not definition.styles_for_station(station):
        known = ", ".join(list(definition.stations())[:10]) or "none"
        raise _fail(
            f"{path}: --station {station}: no ballot style is issued there (known: {known})"
        )
    return definition


def parse_thresholds(text: str) -> Thresholds:
    """``"marginal,definite"`` as fill ratios, e.g. ``0.12,0.30``."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError("give two numbers: marginal,definite")
        return Thresholds(float(parts[0]), float(parts[1]))
    except ValueError as exc:
        raise _fail(f"--thresholds {text!r}: {exc}") from None


@app.command("render")
def render(
    definition_file: Path | None = _DEFINITION,
    station: str = _STATION,
    out: Path = typer.Option(..., "--out", file_okay=False, help="Folder for the PDFs"),
    sheets: int = typer.Option(1, "--sheets", min=1, max=100_000, help="Sheets per style"),
    first: int = typer.Option(1, "--first", min=0, help="First sheet serial number"),
    election: str | None = ELECTION_OPTION,
) -> None:
    """One PDF per ballot style the station issues, with serial-numbered sheets."""
    from shailoo.common.pdf_fonts import FontMissing
    from shailoo.counting.ballots.layout import LayoutError
    from shailoo.counting.ballots.pdf import render_station
    from shailoo.counting.ballots.qr import QrPayloadError

    definition = _definition(definition_file, station, election)
    try:
        written = render_station(definition, station, out, sheets, first)
    except (LayoutError, QrPayloadError, FontMissing) as exc:
        raise _fail(f"{definition_file}: {exc}") from None
    for path in written:
        console.print(f"ballots render: {sheets} sheets -> {path}", highlight=False)


@app.command("scan")
def scan(
    folder: Path = typer.Argument(..., help="Folder of sheet images (PNG, JPEG, TIFF)"),
    definition_file: Path | None = _DEFINITION,
    station: str = _STATION,
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Cast vote records JSON"),
    thresholds: str = typer.Option(
        "0.12,0.30",
        "--thresholds",
        envvar="SHAILOO_OMR_THRESHOLDS",
        help="marginal,definite fill (configured by SHAILOO_OMR_THRESHOLDS)",
    ),
    election: str | None = ELECTION_OPTION,
) -> None:
    """Read every sheet image in FOLDER; write NIST SP 1500-103 cast vote records."""
    from shailoo.counting.formats.nist_cvr import build_cvr_report
    from shailoo.counting.formats.schemas import SchemaViolation, write_json
    from shailoo.counting.omr import IMAGE_SUFFIXES, read_image_file

    limits = parse_thresholds(thresholds)
    if not folder.is_dir():
        raise _fail(f"{folder}: no such folder")
    definition = _definition(definition_file, station, election)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    for skipped in (p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES):
        console.print(
            f"{skipped}: skipped, not an image file (suffix {skipped.suffix or 'none'})",
            highlight=False,
        )
    if not images:
        raise _fail(f"{folder}: no image files (.png, .jpg, .jpeg, .tif, .tiff)")
    reads: list[SheetRead] = []
    with progress() as bar:
        task = bar.add_task("ballots scan", total=len(images))
        for path in images:
            reads.append(read_image_file(path, definition, station, limits))
            bar.advance(task)
    report = build_cvr_report(
        definition, reads, generated=datetime.now(UTC), report_id=f"{station}:{folder.name}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_json("nist-cvr", report, out)  # validated against the official schema first
    except SchemaViolation as exc:
        raise _fail(escape(f"{out}: refused, not written: {exc}")) from None
    except OSError as exc:
        raise _fail(f"{out}: {exc.strerror}") from None
    console.print(summary_line(reads) + f" -> {out}", highlight=False)


def summary_line(reads: list[SheetRead]) -> str:
    """``sheets=N readable=R adjudication=A (reason=n, ...)``."""
    to_human = [r for r in reads if r.needs_adjudication]
    reasons = Counter(reason.value for r in to_human for reason in r.reasons)
    listed = ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())) or "none"
    readable = sum(1 for r in reads if r.status.value == "readable")
    return (
        f"ballots scan: sheets={len(reads)} readable={readable} "
        f"adjudication={len(to_human)} ({listed})"
    )
