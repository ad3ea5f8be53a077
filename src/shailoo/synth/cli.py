"""``shailoo synth`` commands: write the synthetic geography and population files.

The other ``shailoo synth`` commands (definition, ballots, biometrics, probe, evaluate,
calibrate) live in ``shailoo.synth.biometrics_cli`` and ``shailoo.demo.commands``; the
top-level ``shailoo.cli`` adds them to this group.

The population uses ``generate_geography(seed, stations)``, so a population written with
the same ``--seed`` and ``--stations`` as a geography file refers to exactly its stations.
This module imports no Django (``shailoo.synth`` is pure), hence its own small console.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shailoo.synth.geography import MIN_STATIONS, generate_geography, write_geography_csv
from shailoo.synth.population import Rates, write_population_csv

app = typer.Typer(
    help="Deterministic synthetic data: geography, population, definition, ballots, biometrics.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)


def progress() -> Progress:
    """The progress bar of the synthetic-data commands (on this module's console)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


_SEED = typer.Option(2026, "--seed", help="Seed: the same seed writes the same bytes")
_STATIONS = typer.Option(2500, "--stations", min=MIN_STATIONS, help="Polling stations")


@app.command("geo")
def geo(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Geography CSV to write"),
    stations: int = _STATIONS,
    seed: int = _SEED,
) -> None:
    """Write the electoral geography: regions, districts, TECs and polling stations."""
    geography = generate_geography(seed, stations)
    rows = write_geography_csv(geography, out)
    abroad = sum(s.is_abroad for s in geography.stations)
    remote = sum(s.is_remote_voting for s in geography.stations)
    console.print(
        f"synth geo: {rows} stations ({abroad} abroad, {remote} remote-voting), "
        f"{len(geography.tecs)} TECs, {len(geography.regions)} regions -> {out}"
    )


@app.command("population")
def population(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Population CSV to write"),
    persons: int = typer.Option(..., "--persons", min=0, help="Persons in the first extract"),
    seed: int = _SEED,
    stations: int = _STATIONS,
    truth: Path | None = typer.Option(
        None, "--truth", dir_okay=False, help="Also write the planted problems (pin,problem)"
    ),
    later: bool = typer.Option(
        False, "--later", help="The later extract: moves, deaths and new persons since"
    ),
) -> None:
    """Write a population-registry extract (and, with --truth, its planted problems)."""
    geography = generate_geography(seed, stations)
    total = persons + (round(persons * Rates().new) if later else 0)
    with progress() as bar:
        task = bar.add_task("synth population", total=total)
        summary = write_population_csv(
            out,
            seed,
            persons,
            geography,
            truth_path=truth,
            later=later,
            on_progress=lambda rows: bar.update(task, completed=rows),
        )
    console.print(f"synth population: {summary.line()}")
