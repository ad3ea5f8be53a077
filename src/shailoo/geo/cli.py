"""``shailoo geo`` commands: load and inspect electoral geography."""

from __future__ import annotations

from pathlib import Path

import typer

from shailoo.common.cli import console, django_setup

app = typer.Typer(
    help="Electoral geography: regions, districts, TECs, polling stations.", no_args_is_help=True
)


@app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Geography CSV (docs/formats.md)"
    ),
    allow_moves: bool = typer.Option(
        False,
        "--allow-moves",
        help="Apply rows that move a station to another region, district or TEC (ledgered)",
    ),
) -> None:
    """Create or update regions, districts, TECs and polling stations from a CSV file."""
    django_setup()
    from rich.markup import escape

    from shailoo.common.csvsource import HeaderError
    from shailoo.geo.importer import import_geography

    try:
        with console.status("Importing geography…"):
            summary = import_geography(file, actor="cli", allow_moves=allow_moves)
    except HeaderError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    for reject in summary.rejects[:50]:
        where = f"{file}:{reject.line}: {reject.where or 'row'}: {reject.why}"
        console.print(f"[yellow]{escape(where)}[/]")
    if len(summary.rejects) > 50:
        console.print(f"[yellow]… and {len(summary.rejects) - 50} more rejected rows[/]")
    console.print(f"geo import: {summary.line()}")
    if summary.rejects:
        raise typer.Exit(1)


@app.command("stats")
def stats() -> None:
    """Count regions, TECs and polling stations per region."""
    django_setup()
    from django.db.models import Count
    from rich.table import Table

    from shailoo.geo.models import Region

    table = Table("region", "name", "TECs", "stations")
    for region in Region.objects.annotate(
        n_tecs=Count("tecs", distinct=True), n_stations=Count("stations", distinct=True)
    ):
        table.add_row(region.code, region.name_ru, str(region.n_tecs), str(region.n_stations))
    console.print(table)
