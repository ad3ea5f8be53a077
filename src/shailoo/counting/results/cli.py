"""``shailoo results``: exports of protocols and results (seats and others merge in here).

``shailoo results export [--election CODE] --format csv|nist-err|nist-cvr --out FILE`` writes
the accepted protocols as CSV (columns in ``docs/operator/results.md``), the results as NIST
SP 1500-100 v2 JSON, or the stored cast vote records as NIST SP 1500-103 JSON. A NIST
document is checked against the official schema the package carries before it is written
(``shailoo.counting.formats.schemas``): one the schema refuses is not written, and the message
gives the JSON path of its first problems. The file is written next to its final name and
renamed into place, so a failed export leaves nothing half-written behind. Without
``--election`` it exports the current election.

``shailoo results issued-vs-counted [--election CODE] [--out FILE.csv]`` sets the ballots the
station devices issued against each protocol's ballots issued and found
(``counting.results.issued_vs_counted``): it prints the stations whose figures differ, writes
every row to the CSV when asked, and exits 1 when some station differs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from shailoo.common.cli import console, django_setup
from shailoo.elections.cli import ELECTION_OPTION, chosen, refused

app = typer.Typer(no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"
    NIST_ERR = "nist-err"
    NIST_CVR = "nist-cvr"


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


@app.command("export")
def export(
    election: str | None = ELECTION_OPTION,
    fmt: ExportFormat = typer.Option(..., "--format", help="csv | nist-err | nist-cvr"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="File to write"),
    include_unaccepted: bool = typer.Option(
        False, "--include-unaccepted", help="CSV only: also reported and disputed protocols"
    ),
) -> None:
    """Export an election's protocols, results or cast vote records."""
    if include_unaccepted and fmt is not ExportFormat.CSV:
        raise _fail("--include-unaccepted applies to --format csv only")
    if not out.parent.is_dir():
        raise _fail(f"{out.parent}: no such folder")
    if out.is_dir():
        raise _fail(f"{out}: is a folder, give a file name")
    django_setup()
    from shailoo.counting.formats.schemas import SchemaViolation, write_json
    from shailoo.counting.results.export import (
        ExportError,
        cvr_report,
        results_report,
        write_csv,
    )

    event = chosen(election)
    tmp = out.with_name(out.name + ".tmp")
    now = datetime.now(UTC)
    try:
        if fmt is ExportFormat.CSV:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                rows = write_csv(event, fh, include_unaccepted)
            os.replace(tmp, out)
            summary = f"{rows} rows"
        elif fmt is ExportFormat.NIST_ERR:
            report = results_report(event, now)
            write_json("nist-err", report, out)  # validated against the official schema first
            summary = f"{len(report['GpUnit'])} reporting units"
        else:
            report = cvr_report(event, now)
            write_json("nist-cvr", report, out)
            summary = f"{len(report['CVR'])} cast vote records"
    except ExportError as exc:
        tmp.unlink(missing_ok=True)
        raise _fail(f"{event.code}: {exc}") from None
    except SchemaViolation as exc:
        raise _fail(escape(f"{event.code}: refused, {out} not written: {exc}")) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _fail(f"{out}: {exc.strerror}") from None
    console.print(f"results export: {fmt.value} {summary} -> {out}", highlight=False)


def _signed(value: int | None) -> str:
    return "-" if value is None else f"{value:+d}"


@app.command("issued-vs-counted")
def issued_vs_counted(
    election: str | None = ELECTION_OPTION,
    out: Path | None = typer.Option(
        None, "--out", dir_okay=False, help="CSV file to write every row to"
    ),
) -> None:
    """Ballots the station devices issued against the protocols' ballots issued and found.

    Prints the stations whose figures differ (differences are protocol minus devices) and
    exits 1 when there is one; --out writes every row, matching or not.
    """
    if out is not None and not out.parent.is_dir():
        raise _fail(f"{out.parent}: no such folder")
    if out is not None and out.is_dir():
        raise _fail(f"{out}: is a folder, give a file name")
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.results import issued_vs_counted as comparison

    event = chosen(election)
    try:
        rows = comparison.compare(event)
    except Refusal as exc:
        raise refused(exc, 2, event.code) from None
    if out is not None:
        tmp = out.with_name(out.name + ".tmp")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                comparison.write_csv(event.code, rows, fh)
            os.replace(tmp, out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _fail(f"{out}: {exc.strerror}") from None
    differing = [row for row in rows if row.differs]
    if differing:
        # Protocol's figures, then the devices' ballots and the differences (protocol minus
        # devices).
        table = Table(
            "station", "contest", "status", "list", "issued", "found", "devices",
            "Δ issued", "Δ found",
        )  # fmt: skip
        table.add_column(
            "findings", overflow="fold", min_width=len(comparison.ISSUED_ABOVE_DEVICES)
        )
        for row in differing:
            table.add_row(
                str(row.station),
                escape(row.contest),
                row.status,
                str(row.voters_on_list),
                str(row.ballots_issued),
                str(row.ballots_found),
                f"{row.devices_issued}"
                + (f" ({row.devices_second} 2nd)" if row.devices_second else ""),
                _signed(row.issued_difference),
                _signed(row.found_difference),
                "\n".join(row.findings),
            )
        console.print(table)
        seen = {code for row in differing for code in row.findings}
        for code, meaning in comparison.EXPLANATIONS.items():
            if code in seen:
                console.print(f"{code}: {meaning}", highlight=False)
    compared = sum(1 for row in rows if row.version is not None)
    silent = len(rows) - compared
    summary = (
        f"issued vs counted {event.code}: {compared} protocols compared, "
        f"{len(differing)} differ; {silent} stations issued ballots but reported no protocol"
    )
    console.print(summary + (f" -> {out}" if out is not None else ""), highlight=False)
    if differing:
        raise typer.Exit(1)
