"""``shailoo results`` commands for the election definition and scanned sheets.

An unnamed typer app: the ``results`` group merges it (``results_app.add_typer(app)``).
Bad input ends with located messages (file, place, reason) and exit status 2; a refusal by
the service (a definition frozen by recorded ballots, a sheet of another station) with 1.
Nothing is stored from a refused file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from shailoo.common.cli import console, django_setup

app = typer.Typer(no_args_is_help=True)


def _fail(lines: list[str], code: int) -> typer.Exit:
    for line in lines[:50]:
        console.print(f"[red]{line}[/]", highlight=False)
    if len(lines) > 50:
        console.print(f"[red]… and {len(lines) - 50} more problems[/]")
    return typer.Exit(code)


def _election(code: str) -> Any:
    from shailoo.elections.models import Election

    election = Election.objects.filter(code=code).first()
    if election is None:
        raise _fail([f"--election: no election with code {code!r}"], 2)
    return election


@app.command("load-definition")
def load_definition_command(
    file: Path = typer.Argument(..., dir_okay=False, help="Election definition JSON"),
    election: str = typer.Option(..., "--election", help="Election code"),
) -> None:
    """Import the election definition (contests, options, ballot styles) for an election."""
    django_setup()
    from shailoo.counting.definition import DefinitionError, load_definition
    from shailoo.counting.services import CountingError, import_definition

    target = _election(election)
    if not file.is_file():
        raise _fail([f"{file}: no such file"], 2)
    try:
        definition = load_definition(file)
        done = import_definition(target, definition, "cli")
    except DefinitionError as exc:
        raise _fail(str(exc).splitlines(), 2) from None
    except CountingError as exc:
        lines = [f"{file}: {exc.message}"] + [f"{file}: {w}: {why}" for w, why in exc.problems]
        raise _fail(lines, 1) from None
    console.print(
        f"load-definition: {done.action} sha256={done.sha256[:16]} contests={done.contests} "
        f"options={done.options} ballot_styles={done.styles} stations={done.stations}"
        + (f" ledger={done.ledger_sequence}" if done.ledger_sequence is not None else "")
    )


@app.command("synth-definition")
def synth_definition_command(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Definition JSON to write"),
    seed: int = typer.Option(2026, "--seed", help="Seed: the same seed writes the same bytes"),
    election: str | None = typer.Option(
        None, "--election", help="Election code (default: the current election)"
    ),
    kind: str = typer.Option("parliament", "--kind", help="parliament or president"),
) -> None:
    """Write a synthetic definition for the polling stations in the database."""
    django_setup()
    from shailoo.counting.definition import dump_definition
    from shailoo.elections.models import Election
    from shailoo.geo.models import PollingStation
    from shailoo.synth.definition import make_definition

    if kind not in ("parliament", "president"):
        raise _fail([f"--kind: {kind!r} is neither 'parliament' nor 'president'"], 2)
    if election is not None:
        target = _election(election)
    else:
        target = Election.objects.filter(is_current=True).order_by("-polling_day").first()
        if target is None:
            raise _fail(["--election: no current election; name one with --election"], 2)
    stations = [
        (str(number), region, tec)
        for number, region, tec in PollingStation.objects.values_list(
            "number", "region__code", "tec__code"
        ).order_by("number")
    ]
    if not stations:
        raise _fail(["no polling stations in the database: run `shailoo geo import` first"], 2)
    try:
        definition = make_definition(
            stations,
            seed=seed,
            law_edition=target.law_edition,
            election_date=target.polling_day,
            election_id=target.code,
            election="president" if kind == "president" else "parliament",
        )
    except ValueError as exc:
        raise _fail([f"election {target.code}: {exc}"], 2) from None
    out.write_text(dump_definition(definition), encoding="utf-8")
    console.print(
        f"synth-definition: {len(definition.contests)} contests, "
        f"{len(definition.ballot_styles)} ballot styles, {len(stations)} stations -> {out}"
    )


@app.command("load-scan")
def load_scan_command(
    file: Path = typer.Argument(..., dir_okay=False, help="Scanner reads: JSON list or NIST CVR"),
    election: str = typer.Option(..., "--election", help="Election code"),
    station: int = typer.Option(..., "--station", help="Polling station number"),
    images: Path | None = typer.Option(
        None, "--images", file_okay=False, help="Folder holding the scanned images"
    ),
) -> None:
    """Store a station's cast vote records (SheetRead JSON list or NIST SP 1500-103)."""
    django_setup()
    from shailoo.counting.services import CountingError, current_definition, record_scan
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
    except CountingError as exc:
        lines = [f"{file}: {exc.message}"] + [f"{file}: {w}: {why}" for w, why in exc.problems]
        raise _fail(lines, 1) from None
    console.print(
        f"load-scan: station {station}: {batch.created} new, {batch.unchanged} already stored, "
        f"{batch.needs_adjudication} for adjudication"
        + (f" ledger={batch.ledger_sequence}" if batch.ledger_sequence is not None else "")
    )


def _reads(file: Path, definition: Any) -> list[Any]:
    """The sheets of ``file``: a JSON list of SheetRead objects, or a NIST CVR report."""
    from shailoo.counting.reads import SheetRead

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail([f"{file}: not UTF-8 at byte {exc.start}"], 2) from None
    except json.JSONDecodeError as exc:
        raise _fail(
            [f"{file}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"], 2
        ) from None
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
