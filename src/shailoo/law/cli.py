"""``shailoo law``: check an edition file, show the edition in force, list editions.

No Django here: the edition in force comes from the ``SHAILOO_LAW_EDITION`` environment
variable (the same one settings.py reads), so an official can check a file on any machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from shailoo.law.loader import LawError, available_editions, format_problem, load_edition
from shailoo.law.schema import LANGS, Edition, Lang, localize_cite

DEFAULT_EDITION = "kg-2025"
ENV_EDITION = "SHAILOO_LAW_EDITION"

app = typer.Typer(help="The electoral law as data: check, show and list editions.")


def edition_in_force() -> str:
    """The id configured for this deployment (``SHAILOO_LAW_EDITION``, else kg-2025)."""
    return os.environ.get(ENV_EDITION) or DEFAULT_EDITION


def _console() -> Console:
    """A console made per command, so it sees the terminal (and COLUMNS) of this run."""
    return Console(soft_wrap=False, highlight=False)


def _fail(error: LawError) -> typer.Exit:
    for problem in error.problems:
        typer.echo(format_problem(problem))
    return typer.Exit(1)


@app.command("check")
def check(
    file: Path = typer.Argument(..., help="Edition file (YAML) to validate"),
) -> None:
    """Validate an edition file; print every problem as FILE:LINE: key.path: reason."""
    try:
        edition = load_edition(file)
    except LawError as error:
        raise _fail(error) from None
    params = list(edition.parameters())
    unconfirmed = sum(1 for _, param in params if param.unconfirmed)
    typer.echo(
        f"{file}: OK: {edition.meta.id} ({edition.meta.title}), in force from "
        f"{edition.meta.in_force_from}, {len(params)} parameters, {unconfirmed} unconfirmed"
    )


@app.command("show")
def show(
    edition: str | None = typer.Argument(
        None, help="Edition id or file; default: SHAILOO_LAW_EDITION or kg-2025", show_default=False
    ),
    lang: str = typer.Option("en", "--lang", help="Language of the citations: ky, ru or en"),
    notes: bool = typer.Option(False, "--notes", help="Add each parameter's note"),
) -> None:
    """Print an edition as a table of key, value and citation."""
    if lang not in LANGS:
        typer.echo(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
        raise typer.Exit(2)
    name = edition or edition_in_force()
    try:
        law = load_edition(name)
    except LawError as error:
        raise _fail(error) from None
    console = _console()
    console.print(_edition_table(law, cast(Lang, lang), notes))
    console.print(_sources_table(law, cast(Lang, lang)))


def _edition_table(law: Edition, lang: Lang, notes: bool) -> Table:
    """Parameters with short citations (article, source id); the sources follow as a legend."""
    meta = law.meta
    caption = f"in force from {meta.in_force_from}"
    if meta.supersedes:
        caption += f", supersedes {meta.supersedes}"
    table = Table(
        title=Text(f"{meta.id}: {meta.title}"),
        caption=Text(caption + "; ⚠ = unconfirmed, see the note"),
    )
    params = list(law.parameters())
    table.add_column("key", overflow="fold", style="bold")
    table.add_column("value", overflow="fold")
    table.add_column("citation", overflow="fold")
    if notes:
        table.add_column("note", overflow="fold")
    for path, param in params:
        mark = " ⚠" if param.unconfirmed else ""
        cite = f"{localize_cite(param.cite, lang)}, {param.source}"
        row = [Text(path), Text(_show_value(param.value) + mark), Text(cite)]
        if notes:
            row.append(Text(param.note))
        table.add_row(*row)
    return table


def _sources_table(law: Edition, lang: Lang) -> Table:
    table = Table(title="sources")
    table.add_column("source", overflow="fold", style="bold")
    table.add_column("act", overflow="fold")
    for source in law.meta.sources:
        act = source.title.get(lang) + (f" <{source.url}>" if source.url else "")
        table.add_row(Text(source.id), Text(act))
    return table


def _show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@app.command("list")
def list_editions() -> None:
    """List the packaged editions; the one in force is marked."""
    in_force = edition_in_force()
    table = Table(title="Law editions")
    for column in ("id", "title", "in force from", "supersedes", ""):
        table.add_column(column)
    problems: list[LawError] = []
    for edition_id in available_editions():
        try:
            meta = load_edition(edition_id).meta
        except LawError as error:
            problems.append(error)
            table.add_row(Text(edition_id), Text("(invalid: run shailoo law check)"), "", "", "")
            continue
        table.add_row(
            Text(meta.id),
            Text(meta.title),
            meta.in_force_from.isoformat(),
            Text(meta.supersedes or ""),
            "in force" if meta.id == in_force else "",
        )
    _console().print(table)
    if in_force not in available_editions():
        typer.echo(f"{ENV_EDITION}={in_force!r} names no packaged edition")
        raise typer.Exit(1)
    for failed in problems:
        _fail(failed)
    if problems:
        raise typer.Exit(1)
