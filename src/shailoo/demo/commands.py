"""Synthetic-data commands that work on the database or on the product's command line.

Plain functions: the top-level ``shailoo.cli`` wires them as ``shailoo synth definition /
ballots / biometrics`` and, under their older names, ``shailoo results synth-definition``,
``shailoo ballots synth`` and ``shailoo biometrics enrol-synth``. They live here, not in
``shailoo.synth``, because they start Django (stations and persons come from the database)
or reuse a product command's helpers; the data itself comes from ``shailoo.synth``.

Bad input ends with a located message and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import typer

from shailoo.common.cli import console, django_setup, progress
from shailoo.elections.cli import ELECTION_OPTION


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/]", highlight=False)
    return typer.Exit(2)


def synth_definition(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="Definition JSON to write"),
    seed: int = typer.Option(2026, "--seed", help="Seed: the same seed writes the same bytes"),
    election: str | None = ELECTION_OPTION,
    kind: str = typer.Option("parliament", "--kind", help="parliament or president"),
) -> None:
    """Write a synthetic election definition for the polling stations in the database."""
    from shailoo.elections.cli import chosen

    if kind not in ("parliament", "president"):
        raise _fail(f"--kind: {kind!r} is neither 'parliament' nor 'president'")
    target = chosen(election)  # starts Django
    from shailoo.counting.definition import dump_definition
    from shailoo.geo.models import PollingStation
    from shailoo.synth.definition import make_definition

    stations = [
        (str(number), region, tec)
        for number, region, tec in PollingStation.objects.values_list(
            "number", "region__code", "tec__code"
        ).order_by("number")
    ]
    if not stations:
        raise _fail("no polling stations in the database: run `shailoo geo import` first")
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
        raise _fail(f"election {target.code}: {exc}") from None
    out.write_text(dump_definition(definition), encoding="utf-8")
    console.print(
        f"synth-definition: {len(definition.contests)} contests, "
        f"{len(definition.ballot_styles)} ballot styles, {len(stations)} stations -> {out}"
    )


def synth_ballots(
    definition_file: Path | None = typer.Option(
        None,
        "--definition",
        dir_okay=False,
        help="Election definition JSON (default: the one loaded for --election)",
    ),
    station: str = typer.Option(..., "--station", help="Polling-station number"),
    election: str | None = ELECTION_OPTION,
    out: Path = typer.Option(..., "--out", file_okay=False, help="Folder for images + truth"),
    sheets: int = typer.Option(10, "--sheets", min=1, max=1_000_000),
    seed: int = typer.Option(2026, "--seed", help="The same seed writes the same images"),
    setting: str = typer.Option("standard", "--setting", help="standard | hard"),
    dpi: int = typer.Option(200, "--dpi", min=150, max=300),
) -> None:
    """Filled and scanned synthetic ballot images, with truth.json (the ground truth)."""
    from shailoo.counting.ballots.cli import _definition
    from shailoo.synth.ballots import make_scans

    if setting not in ("standard", "hard"):
        raise _fail(f"--setting {setting!r}: expected standard or hard")
    definition = _definition(definition_file, station, election)
    with progress() as bar:
        task = bar.add_task("ballots synth", total=sheets)
        make_scans(
            definition,
            station,
            out,
            sheets,
            seed,
            setting,  # type: ignore[arg-type]
            dpi=dpi,
            on_progress=lambda n: bar.update(task, completed=n),
        )
    console.print(f"ballots synth: {sheets} images + truth.json -> {out}", highlight=False)


def enrol_synth(
    persons: int = typer.Option(100, "--persons", min=1, help="How many persons to enrol"),
    seed: int = typer.Option(2026, "--seed", help="Same seed, same templates"),
    station: int | None = typer.Option(None, "--station", help="Only voters of this station"),
    setting: str = typer.Option("standard", "--setting", help="standard or hard"),
    actor: str = typer.Option("cli", "--actor", help="Recorded as who enrolled"),
) -> None:
    """Enrol synthetic fingers (right and left index) and a face for register persons (demo)."""
    django_setup()
    from shailoo.biometrics import services
    from shailoo.common.refusals import Refusal
    from shailoo.geo.models import PollingStation
    from shailoo.register.models import Person
    from shailoo.synth.enrolment import person_templates

    query = Person.objects.filter(eligible=True).order_by("pk")
    if station is not None:
        place = PollingStation.objects.filter(number=station).first()
        if place is None:
            raise _fail(f"--station {station}: no such polling station")
        query = services.voters_at(place).order_by("pk")
    chosen = list(query[:persons])
    if not chosen:
        raise _fail("no eligible persons in the register: import or run the demo first")
    try:
        with progress() as bar:
            task = bar.add_task("enrol synthetic templates", total=len(chosen))
            for person in chosen:
                items = person_templates(person.pk, seed, 0, setting)
                services.enrol(person, items, actor, device_key="synth")
                bar.advance(task)
    except (Refusal, ValueError) as exc:
        raise _fail(str(exc)) from None
    console.print(f"enrolled {len(chosen)} persons (seed {seed}, setting {setting})")
