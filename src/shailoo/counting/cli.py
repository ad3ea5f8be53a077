"""Commands that load the election definition and scanned sheets into counting.

Unnamed typer apps the composition (``shailoo.cli``) merges into their groups:
:data:`definition_app` into ``shailoo elections`` (``load-definition``), :data:`scan_app`
into ``shailoo ballots`` (``load-scan``), and :data:`app` into ``shailoo results``, which
keeps the old names as hidden aliases for one release. :func:`definition_details` adds the
definition to ``shailoo elections show``. Both loads act on the current election unless
``--election CODE`` names another. Bad input ends with located messages (file, place,
reason) and exit status 2; a refusal by the service (a definition frozen by recorded
ballots, a sheet of another station) with 1. Nothing is stored from a refused file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from shailoo.common.cli import console, django_setup
from shailoo.elections.cli import ELECTION_OPTION, chosen

if TYPE_CHECKING:
    from shailoo.elections.models import Election

#: A station's scan file: a few KiB a sheet, a few thousand sheets; far larger is refused.
MAX_SCAN_BYTES = 128 * 1024 * 1024
app = typer.Typer(no_args_is_help=True)
definition_app = typer.Typer()
scan_app = typer.Typer()
#: Merged into ``shailoo candidates`` by the composition: counting sits above candidates.
candidates_definition_app = typer.Typer()


def _fail(lines: list[str], code: int) -> typer.Exit:
    for line in lines[:50]:
        console.print(f"[red]{line}[/]", highlight=False)
    if len(lines) > 50:
        console.print(f"[red]… and {len(lines) - 50} more problems[/]")
    return typer.Exit(code)


def _election(code: str | None) -> Election:
    """The election ``--election`` names, else the current one (exit 2 when there is none)."""
    return chosen(code)


def definition_details(election: Election) -> list[tuple[str, str]]:
    """``shailoo elections show`` lines: the loaded definition and what it holds."""
    from shailoo.counting.models import BallotStyle, Contest, Definition
    from shailoo.geo.models import PollingStation

    loaded = Definition.objects.filter(election=election).first()
    if loaded is None:
        return [("definition", "not loaded (shailoo elections load-definition FILE)")]
    styles = BallotStyle.objects.filter(election=election)
    stations = PollingStation.objects.filter(ballot_styles__in=styles).distinct().count()
    return [
        (
            "definition",
            f"loaded {loaded.imported_at:%Y-%m-%d %H:%M} by {loaded.imported_by}, "
            f"sha256 {loaded.sha256[:16]}",
        ),
        ("contests", str(Contest.objects.filter(election=election).count())),
        ("ballot styles", str(styles.count())),
        ("stations", str(stations)),
    ]


def load_definition_command(
    file: Path = typer.Argument(..., dir_okay=False, help="Election definition JSON"),
    election: str | None = ELECTION_OPTION,
) -> None:
    """Load the election definition (contests, options, ballot styles) of the election."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.definition import DefinitionError, load_definition
    from shailoo.counting.services import import_definition

    target = _election(election)
    if not file.is_file():
        raise _fail([f"{file}: no such file"], 2)
    try:
        definition = load_definition(file)
        done = import_definition(target, definition, "cli")
    except DefinitionError as exc:
        raise _fail(str(exc).splitlines(), 2) from None
    except Refusal as exc:
        lines = [f"{file}: {exc.message}"] + [f"{file}: {w}: {why}" for w, why in exc.problems]
        raise _fail(lines, 1) from None
    console.print(
        f"load-definition: {done.action} sha256={done.sha256[:16]} contests={done.contests} "
        f"options={done.options} ballot_styles={done.styles} stations={done.stations}"
        + (f" ledger={done.ledger_sequence}" if done.ledger_sequence is not None else "")
    )


@candidates_definition_app.command("to-definition")
def candidates_to_definition_command(
    election: str | None = ELECTION_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Also write the new definition here"),
    load: bool = typer.Option(
        False, "--load", help="Load it (replacing the definition while no ballot is recorded)"
    ),
) -> None:
    """Put the registered candidates and party lists on the ballot.

    Takes the loaded definition and replaces the options of every contest that has
    registered candidates (with each candidate's sex); other contests keep theirs.
    """
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.definition import dump_definition
    from shailoo.counting.from_candidates import definition_from_candidates
    from shailoo.counting.services import current_definition, import_definition

    target = _election(election)
    try:
        built = definition_from_candidates(target, current_definition(target))
        if out is not None:
            out.write_text(dump_definition(built.definition), encoding="utf-8")
        done = import_definition(target, built.definition, "cli") if load else None
    except Refusal as exc:
        raise _fail([exc.message], 1) from None
    console.print(
        f"to-definition: {len(built.replaced)} contests from registered candidates, "
        f"{len(built.kept)} kept as they were"
        + (f"; load-definition: {done.action} sha256={done.sha256[:16]}" if done else "")
    )
    if built.kept:
        console.print(
            "kept: " + ", ".join(built.kept[:20]) + (" …" if len(built.kept) > 20 else "")
        )


def load_scan_command(
    file: Path = typer.Argument(..., dir_okay=False, help="Scanner reads: JSON list or NIST CVR"),
    election: str | None = ELECTION_OPTION,
    station: int = typer.Option(..., "--station", help="Polling station number"),
    images: Path | None = typer.Option(
        None, "--images", file_okay=False, help="Folder holding the scanned images"
    ),
) -> None:
    """Record a station's scanned sheets (SheetRead JSON list or NIST SP 1500-103 CVRs)."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.services import current_definition, record_scan
    from shailoo.geo.models import PollingStation

    target = _election(election)
    where = PollingStation.objects.filter(number=station).first()
    if where is None:
        raise _fail([f"--station: polling station {station} does not exist"], 2)
    if images is not None and not images.is_dir():
        raise _fail([f"--images: {images} is not a folder"], 2)
    if not file.is_file():
        raise _fail([f"{file}: no such file"], 2)
    try:
        definition = current_definition(target)
        reads = _reads(file, definition)
        batch = record_scan(target, where, reads, images, "cli")
    except Refusal as exc:
        lines = [f"{file}: {exc.message}"] + [f"{file}: {w}: {why}" for w, why in exc.problems]
        raise _fail(lines, 1) from None
    console.print(
        f"load-scan: station {station}: {batch.created} new, {batch.unchanged} already stored, "
        f"{batch.needs_adjudication} for adjudication"
        + (f" ledger={batch.ledger_sequence}" if batch.ledger_sequence is not None else "")
    )


definition_app.command("load-definition")(load_definition_command)
scan_app.command("load-scan")(load_scan_command)
# The old names, ``shailoo results load-definition|load-scan``: hidden, for one release.
app.command("load-definition", hidden=True)(load_definition_command)
app.command("load-scan", hidden=True)(load_scan_command)


def _reads(file: Path, definition: Any) -> list[Any]:
    """The sheets of ``file``: a JSON list of SheetRead objects, or a NIST CVR report."""
    from shailoo.common import safe_json
    from shailoo.counting.reads import SheetRead

    try:
        data = safe_json.load(file, max_bytes=MAX_SCAN_BYTES)
    except safe_json.JsonInputError as exc:
        raise _fail([str(problem) for problem in exc.problems], 2) from None
    if isinstance(data, dict) and data.get("@type") == "CVR.CastVoteRecordReport":
        return _nist_reads(file, data, definition)
    if not isinstance(data, list):
        raise _fail([f"{file}: expected a JSON list of sheet reads or a NIST CVR report"], 2)
    reads, problems = [], []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            problems.append(f"{file}: [{i}]: a sheet read is a JSON object")
            continue
        try:
            reads.append(SheetRead.from_json(item))
        except KeyError as exc:
            problems.append(f"{file}: [{i}]: missing key {exc}")
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{file}: [{i}]: {exc}")
    if problems:
        raise _fail(problems, 2)
    return reads


def _nist_reads(file: Path, data: dict[str, Any], definition: Any) -> list[Any]:
    """Original (scanner) reads of a NIST report; decisions made elsewhere are not imported."""
    from shailoo.counting.formats.nist_cvr import AdjudicatedSheet, CvrFormatError, read_cvr_entries

    try:
        entries = read_cvr_entries(data, definition)
    except CvrFormatError as exc:
        raise _fail([f"{file}: {exc.where}: {exc.reason}"], 2) from None
    decided = sum(isinstance(e, AdjudicatedSheet) for e in entries)
    if decided:
        console.print(
            f"[yellow]{file}: {decided} sheets carry decisions made elsewhere: only the "
            "scanner's reads are stored, people decide here, on this ledger[/]"
        )
    return [e.original if isinstance(e, AdjudicatedSheet) else e for e in entries]
