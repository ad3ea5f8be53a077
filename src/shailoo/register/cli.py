"""``shailoo register`` commands: import extracts, explain verdicts, print lists."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from shailoo.common.cli import console, django_setup, progress

app = typer.Typer(help="The national voter register.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Population-registry CSV"),
    rejects: Path | None = typer.Option(None, "--rejects", help="Write refused rows here (CSV)"),
    batch_size: int = typer.Option(10000, "--batch-size", min=1),
    actor: str = typer.Option("cli", "--actor", help="Who runs the import (recorded in history)"),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        max=64,
        help="Preparation processes for a large file (0: two, or up to four on more cores)",
    ),
) -> None:
    """Import (or resume importing) a population-registry extract."""
    django_setup()
    from shailoo.common.csvsource import HeaderError
    from shailoo.register.importer import ImportError_, RegisterImporter

    size = file.stat().st_size
    with progress() as bar:
        task = bar.add_task("register import", total=size)
        try:
            importer = RegisterImporter(
                file,
                actor=actor,
                batch_size=batch_size,
                workers=workers or None,
                on_progress=lambda offset: bar.update(task, completed=offset),
            )
            summary = importer.run(rejects)
        except (HeaderError, ImportError_) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
        bar.update(task, completed=size)
    if summary.rejected and rejects is None:
        console.print("[yellow]rows were rejected: pass --rejects FILE to list them[/]")
    elif rejects is not None:
        console.print(f"rejects written to {rejects}")
    console.print(f"register import: {summary.line()}")


@app.command("check")
def check(
    pin: str = typer.Argument(
        "-",
        help="Personal identification number (14 digits); '-' or nothing: read it from "
        "standard input (or a hidden prompt), out of the shell history and process list",
    ),
    lang: str = typer.Option("ru", "--lang", help="ky, ru or en"),
) -> None:
    """Explain one person's eligibility for the current election, rule by rule, in --lang."""
    if lang not in ("ky", "ru", "en"):
        console.print("[red]--lang must be ky, ru or en[/]")
        raise typer.Exit(2)
    if pin == "-":
        pin = _read_pin()
    django_setup()
    from django.utils import translation

    with translation.override(lang):  # every line of the answer, not only the rules
        _explain(pin, lang)


def _read_pin() -> str:
    """The PIN from a hidden prompt at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return str(typer.prompt("PIN", hide_input=True)).strip()
    line = sys.stdin.readline(64).strip()
    if not line:
        console.print("[red]no PIN given: pass it on standard input or as the argument[/]")
        raise typer.Exit(2)
    return line


def _explain(pin: str, lang: str) -> None:
    """Print ``shailoo register check`` for ``pin`` in the active language (``lang``)."""
    from django.utils.translation import gettext
    from rich.markup import escape

    from shailoo.common.refusals import Refusal
    from shailoo.register import services
    from shailoo.register.eligibility import evaluate, render
    from shailoo.register.models import Person
    from shailoo.register.pin import mask_pin
    from shailoo.register.verdicts import person_facts

    person = Person.objects.select_related("station", "remote_station").filter(pin=pin).first()
    if person is None:
        message = gettext("No person with PIN %(pin)s is in the voter register.")
        console.print(f"[red]{escape(message % {'pin': mask_pin(pin)})}[/]")
        raise typer.Exit(1)
    try:
        election = services.current_election()
        law = services.law_for(election)
    except Refusal as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from None
    verdict = evaluate(person_facts(person), election.polling_day, law)
    station = person.voting_station
    console.print(
        f"[bold]{escape(person.full_name)}[/] ({mask_pin(person.pin)}), {escape(election.name)}"
    )
    console.print(
        gettext("Eligible to vote.") if verdict.eligible else gettext("Not eligible to vote.")
    )
    where = gettext("Polling station №%(number)s, %(address)s")
    console.print(escape(where % {"number": station.number, "address": station.address}))
    if person.remote_station is not None:
        home = gettext("Remote voting; home station №%(number)s.")
        console.print(home % {"number": person.station.number})
    for line in render(verdict, lang):
        console.print(f"  {escape(line)}")


@app.command("lists")
def lists(
    precinct: int = typer.Option(..., "--precinct", help="Polling station number"),
    out: Path = typer.Option(..., "--out", help="Output file: .csv or .pdf"),
    public: bool = typer.Option(False, "--public", help="Public version: PINs masked"),
) -> None:
    """Write one precinct's voter list as CSV or PDF (Kyrgyz and Russian headings)."""
    django_setup()
    from shailoo.common.pdf_fonts import FontMissing
    from shailoo.register.lists import write_precinct_list

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "pdf"):
        console.print("[red]--out must end in .csv or .pdf[/]")
        raise typer.Exit(2)
    try:
        count = write_precinct_list(precinct, out, fmt=fmt, public=public)
    except (LookupError, ValueError, FontMissing) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    console.print(f"register lists: station {precinct}, {count} voters written to {out}")


@app.command("duplicates")
def duplicates(
    out: Path | None = typer.Option(None, "--out", help="Write the pairs to this CSV"),
    threshold: float = typer.Option(
        88.0, "--threshold", min=0, max=100, help="Name similarity 0-100"
    ),
    alert: bool = typer.Option(
        False, "--alert", help="Raise each pair as an alert to the rapid-response groups"
    ),
) -> None:
    """List likely duplicate persons (same birth date and sex, near-identical names).

    With --alert each pair becomes a multiple-voting case for the response groups (persons
    named by their ledger reference, never by PIN); a pair whose case is still open is added
    to that case, not opened again.
    """
    django_setup()
    from rich.markup import escape

    from shailoo.common import csvout
    from shailoo.common.refusals import Refusal
    from shailoo.register.alerts import likely_duplicates, raise_duplicate_alerts
    from shailoo.register.pin import mask_pin

    with console.status("Comparing names within birth-date blocks…"):
        pairs = likely_duplicates(threshold)
    if out is not None:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csvout.Writer(fh)
            writer.writerow(["pin_a", "pin_b", "score", "reason"])
            for pair in pairs:
                writer.writerow([pair.pin_a, pair.pin_b, f"{pair.score:.1f}", pair.reason])
    for pair in pairs[:20]:
        console.print(
            f"{mask_pin(pair.pin_a)}  {mask_pin(pair.pin_b)}  {pair.score:5.1f}  {pair.reason}"
        )
    console.print(f"register duplicates: {len(pairs)} likely duplicate pairs")
    if alert:
        try:
            opened, already = raise_duplicate_alerts(pairs, "cli")
        except Refusal as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(2) from None
        console.print(f"register duplicates: {opened} alerts opened, {already} already open")


@app.command("dwellings")
def dwellings(
    over: int | None = typer.Option(
        None,
        "--over",
        min=0,
        help="List dwellings with more voters than this (default: the law edition's "
        "polling.max_registered_per_dwelling, a screening level, not a legal limit)",
    ),
    alert: bool = typer.Option(
        False, "--alert", help="Raise each dwelling as an alert to the rapid-response groups"
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the dwellings to this CSV"),
) -> None:
    """List dwellings with more voters on the lists than a screening level (register padding).

    The default level is the current election's law edition (10 in the packaged editions,
    from CEC practice, the level the staff dashboard uses); --over sets another, e.g. higher
    where dormitories are common. With --alert each dwelling becomes a multiple-voting case
    for the response groups; one whose case is still open is not opened again.
    """
    django_setup()
    from rich.markup import escape

    from shailoo.common import csvout
    from shailoo.common.refusals import Refusal
    from shailoo.register.alerts import (
        crowded_dwellings,
        dwelling_threshold,
        raise_crowded_dwelling_alerts,
    )

    try:
        threshold = over if over is not None else dwelling_threshold()
        rows = crowded_dwellings(threshold)
    except Refusal as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from None
    if out is not None:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csvout.Writer(fh)
            writer.writerow(["dwelling_id", "address", "station", "voters", "persons"])
            for row in rows:
                writer.writerow(
                    [row.dwelling_id, row.address, row.station_number, row.voters, row.persons]
                )
    for row in rows[:20]:
        console.print(
            f"{escape(row.dwelling_id)}  №{row.station_number}  {row.voters:4d} voters "
            f"({row.persons} persons)  {escape(row.address)}"
        )
    console.print(f"register dwellings: {len(rows)} dwellings with more than {threshold} voters")
    if alert:
        try:
            opened, already = raise_crowded_dwelling_alerts(rows, "cli")
        except Refusal as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(2) from None
        console.print(f"register dwellings: {opened} alerts opened, {already} already open")


@app.command("reevaluate")
def reevaluate() -> None:
    """Recompute every person's verdict for the current election (after its date changes)."""
    django_setup()
    from shailoo.register.importer import current_election
    from shailoo.register.verdicts import reevaluate_all

    election = current_election()
    with progress() as bar:
        task = bar.add_task("re-evaluating", total=None)
        changed, total = reevaluate_all(election, lambda n: bar.update(task, completed=n))
    console.print(f"register reevaluate: {total} persons, {changed} verdicts changed")


@app.command("bind-state")
def bind_state() -> None:
    """Bind the state of every person who has none yet to the ledger (once, after upgrading).

    Persons registered before states were bound are otherwise reported by `shailoo ledger
    verify --state`. This trusts the register as it is now: verify it first.
    """
    django_setup()
    from shailoo.register.state import bind_unbound

    with console.status("Binding person states…"):
        bound, written = bind_unbound()
    console.print(f"register bind-state: {bound} persons bound in {written} ledger entries")
