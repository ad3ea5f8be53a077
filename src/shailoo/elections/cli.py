"""``shailoo elections``: create elections, list them, show one, choose the current one.

Every command that acts on an election takes ``--election CODE`` and otherwise acts on the
current one: :func:`chosen` finds it, or prints why not and exits 2. ``load-definition``
joins this group from the composition (``shailoo.cli``): it stores counting's rows, and
elections sit below counting; counting adds its lines to ``elections show`` the same way
(:func:`add_details`).

Exit codes: 0 done; 1 refused by the state of things (a code already taken, a role that does
not allow it); 2 bad input (a malformed code or date, an unknown law edition or election).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from shailoo.common.cli import console, django_setup

if TYPE_CHECKING:
    from shailoo.common.refusals import Refusal
    from shailoo.elections.models import Election

#: Who acts from the command line (the operator's shell access), as ledger entries name it.
CLI = "cli"

app = typer.Typer(
    help="Elections: create one, list them, show one, choose the current one.",
    no_args_is_help=True,
)

#: Lines other domains add to ``elections show``: (label, value) pairs for an election.
Details = Callable[["Election"], Iterable[tuple[str, str]]]
_DETAILS: list[Details] = []

#: How the command line names the fields a refusal locates its problems at.
_OPTIONS = {
    "code": "CODE",
    "name": "--name",
    "polling_day": "--polling-day",
    "law_edition": "--law-edition",
}


def add_details(describe: Details) -> None:
    """Add ``describe``'s lines to ``elections show`` (the composition wires counting's)."""
    if describe not in _DETAILS:
        _DETAILS.append(describe)


def refused(exc: Refusal, code: int = 2, where: str = "") -> typer.Exit:
    """Print a refusal (each problem at its option) and return the exit to raise."""
    head = f"{where}: {exc.message}" if where else exc.message
    if exc.citation:
        head = f"{head} ({exc.citation})"
    console.print(f"[red]{escape(head)}[/]", highlight=False)
    for problem in exc.problems[:50]:
        place = _OPTIONS.get(problem.where, problem.where) if not problem.source else ""
        text = str(problem) if not place else f"{place}: {problem.why}"
        console.print(f"[red]{escape(text)}[/]", highlight=False)
    return typer.Exit(code)


def chosen(code: str | None, where: str = "--election") -> Election:
    """The election ``--election CODE`` names, else the current one; exits 2 if there is none.

    Starts Django (and brings the schema up to date) first.
    """
    django_setup()
    from shailoo.common.refusals import NotFound, Refusal
    from shailoo.elections.services import all_elections, election_named

    try:
        return election_named(code)
    except Refusal as exc:
        failed = refused(exc, 2, where if code else "")
        if isinstance(exc, NotFound):
            known = ", ".join(e.code for e in all_elections()[:20]) or "none"
            console.print(f"[red]elections: {escape(known)} (shailoo elections list)[/]")
        raise failed from None


#: The ``--election CODE`` option of every command that acts on an election.
ELECTION_OPTION = typer.Option(
    None,
    "--election",
    metavar="CODE",
    help="Election code (default: the current election)",
    show_default=False,
)


@app.command("create")
def create(
    code: str = typer.Argument(..., help="Short code: letters, digits, - and _ (e.g. jk-2027)"),
    name: str = typer.Option(..., "--name", help="Name of the election, as published"),
    polling_day: str = typer.Option(..., "--polling-day", metavar="YYYY-MM-DD", help="Polling day"),
    law_edition: str = typer.Option(
        ..., "--law-edition", help="Packaged law edition (`shailoo law list`), e.g. kg-2025"
    ),
    current: bool = typer.Option(
        False, "--current", help="Make it the current election (the one commands act on)"
    ),
) -> None:
    """Create an election under a law edition; with --current, make it the current one."""
    django_setup()
    from shailoo.common.refusals import InvalidInput, Refusal
    from shailoo.elections.services import create_election

    try:
        election = create_election(
            CLI,
            code=code,
            name=name,
            polling_day=polling_day,
            law_edition=law_edition,
            current=current,
        )
    except Refusal as exc:
        raise refused(exc, 2 if isinstance(exc, InvalidInput) else 1) from None
    console.print(
        f"elections create: {election.code} ({election.polling_day}, {election.law_edition})"
        + (", current" if election.is_current else ""),
        highlight=False,
    )


@app.command("list")
def list_() -> None:
    """Every election, the latest polling day first; * marks the current one."""
    django_setup()
    from shailoo.elections.services import all_elections

    elections = all_elections()
    if not elections:
        console.print("no elections: create one with `shailoo elections create`")
        return
    width = max(len(e.code) for e in elections)
    for e in elections:
        mark = "*" if e.is_current else " "
        typer.echo(f"{mark} {e.code:<{width}}  {e.polling_day}  {e.law_edition:<8}  {e.name}")


@app.command("show")
def show(
    code: str | None = typer.Argument(
        None, help="Election code (default: the current election)", show_default=False
    ),
) -> None:
    """One election: polling day, law edition, whether it is current, its definition."""
    election = chosen(code, "CODE")
    from shailoo.law.loader import LawError, load_edition

    try:
        title = f" ({load_edition(election.law_edition).meta.title})"
    except LawError:
        title = " (does not load: see `shailoo law show`)"
    lines = [
        ("code", election.code),
        ("name", election.name),
        ("polling day", str(election.polling_day)),
        ("law edition", election.law_edition + title),
        ("current", "yes" if election.is_current else "no"),
    ]
    for describe in _DETAILS:
        lines.extend(describe(election))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        typer.echo(f"{label:<{width}}  {value}")


@app.command("set-current")
def set_current_command(
    code: str = typer.Argument(..., help="Election code"),
) -> None:
    """Make CODE the current election; every other election stops being current."""
    django_setup()
    from shailoo.common.refusals import NotFound, Refusal
    from shailoo.elections.services import set_current

    try:
        election = set_current(CLI, code)
    except Refusal as exc:
        raise refused(exc, *((2, "CODE") if isinstance(exc, NotFound) else (1, ""))) from None
    console.print(f"elections set-current: {election.code} is the current election")
