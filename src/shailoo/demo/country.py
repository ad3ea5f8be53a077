"""``shailoo demo``: a fresh synthetic country, loaded through the real importers.

Everything the demo shows comes from ``shailoo.synth`` with a seed, and goes in through the
same code paths an operator uses (``geo import``, ``register import``), so the demo is also a
smoke test of the whole chain. Running it again rebuilds the same country.

After the register comes a polling day (``counting``): the election definition, every
station's protocols with a few planted problems, real ballot images for two stations
(``ballots``), and biometric enrolment with a deduplication run (``biometrics``), so
the public results and the staff queues have something in them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from shailoo.common.cli import console, django_setup, progress

if TYPE_CHECKING:
    from shailoo.demo.biometrics import BiometricsSummary
    from shailoo.demo.counting import CountingSummary

DEMO_POLLING_DAY = date(2027, 3, 14)
DEMO_USER = "cec-admin"


def _fresh_database() -> None:
    """Start from an empty database: delete the embedded SQLite file, or flush another one.

    Files that belong to rows of the old database go with it: stored ballot images,
    deduplication run directories (named by run number, which starts again at 1) and the
    previous demo's scans.
    """
    from django.conf import settings

    if not os.environ.get("SHAILOO_DATABASE_URL"):
        base = Path(str(settings.DATABASES["default"]["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
    var = Path(settings.VAR_DIR)
    for folder in (var / "ballots", Path(settings.DEDUP_DIR), var / "demo" / "scans"):
        shutil.rmtree(folder, ignore_errors=True)


def print_polling_day(counting: CountingSummary, biometrics: BiometricsSummary) -> None:
    """The summary lines of what the demo's polling day left to look at."""
    status, planted = counting.status, counting.planted
    console.print(
        f"[bold]Protocols:[/] {status.get('accepted', 0):,} accepted, "
        f"{counting.blocked} blocked ({counting.open_alerts} open alerts: planted count "
        f"discrepancies at {_numbers(planted['discrepancy'])}, a control-relation slip at "
        f"{_numbers(planted['control'])}, scanned stations waiting for adjudication at "
        f"{_numbers(planted['scanned'])}), {status.get('disputed', 0)} disputed "
        f"({_numbers(planted['disputed'])})"
    )
    scans = counting.scans
    if scans is not None:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(scans.reasons.items())) or "none"
        console.print(
            f"[bold]Scanned ballots:[/] {scans.sheets} sheets at {_numbers(scans.stations)} "
            f"({scans.images} real images), {scans.waiting} waiting for a person ({reasons})"
        )
    console.print(
        f"[bold]Biometrics:[/] {biometrics.enrolled} voters of {_numbers(biometrics.stations)} "
        f"enrolled, {len(biometrics.planted)} registered twice (planted); deduplication run "
        f"{biometrics.run} found {biometrics.candidates} pairs, {biometrics.open_pairs} open "
        f"in the queue ({biometrics.planted_found} of the planted)"
    )
    console.print(
        "[bold]Pages:[/] /results/ (public results), /staff/results/ (protocols, alerts), "
        "/staff/counting/ (sheets waiting), /staff/dedup/ (duplicate pairs)"
    )


def _numbers(stations: list[int]) -> str:
    return "stations " + ", ".join(f"№{n}" for n in stations) if stations else "no station"


def build_demo(persons: int, seed: int, stations: int | None = None) -> dict[str, object]:
    """Build the demo country; return what was built (also printed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
    import django

    django.setup()
    from django.conf import settings

    if settings.PRODUCTION:
        raise SystemExit("shailoo demo refuses to run with SHAILOO_ENV=production")
    _fresh_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if os.environ.get("SHAILOO_DATABASE_URL"):
        call_command("flush", verbosity=0, interactive=False)
    django_setup(migrate=False)

    from django.contrib.auth import get_user_model

    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.geo.models import PollingStation, Region, TerritorialCommission
    from shailoo.register.importer import RegisterImporter
    from shailoo.register.models import Person
    from shailoo.synth.geography import generate_geography, write_geography_csv
    from shailoo.synth.population import write_population_csv

    station_count = stations or max(50, min(2500, round(2500 * persons / 200_000)))
    out = Path(settings.VAR_DIR) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    geo_csv, pop_csv, truth_csv = out / "geography.csv", out / "population.csv", out / "truth.csv"
    rejects_csv = out / "rejects.csv"

    geography = generate_geography(seed, station_count)
    write_geography_csv(geography, geo_csv)
    geo = import_geography(geo_csv)
    console.print(f"geo import: {geo.line()}")

    Election.objects.update(is_current=False)
    # The name in the three languages of the portal (Election.name reads as the reader's).
    election = Election.objects.create(
        code="jk-2027",
        name="Выборы депутатов Жогорку Кенеша 2027 (демо)",
        name_ky="Жогорку Кеңештин депутаттарын шайлоо 2027 (демо)",
        name_ru="Выборы депутатов Жогорку Кенеша 2027 (демо)",
        name_en="Elections of deputies of the Jogorku Kenesh 2027 (demo)",
        polling_day=DEMO_POLLING_DAY,
        law_edition=settings.SHAILOO_LAW_EDITION,
        is_current=True,
    )

    with console.status(f"Generating {persons:,} persons…"):
        write_population_csv(pop_csv, seed, persons, geography, truth_path=truth_csv)
    from shailoo.demo.candidates import ballot_from_candidates, load_candidates, plan_candidates

    # Candidates are persons of this population; the few the world needs on a boundary
    # (a birthday the day after polling day, a stateless person) join the extract.
    world = plan_candidates(election, seed, persons, geography, pop_csv)
    from shailoo.demo.finance import load_finance, plan_finance_world
    from shailoo.synth.population import generate_population

    # Donors are persons of this population too (a sample of it); the namesakes the planted
    # cases need join the extract before its import.
    step = max(1, persons // 50_000)
    finance_world = plan_finance_world(
        election,
        seed,
        world,
        [
            row
            for n, row in enumerate(generate_population(seed, persons, geography))
            if n % step == 0
        ],
        pop_csv,
        transactions=max(4000, min(20_000, persons // 10)),
    )
    size = pop_csv.stat().st_size
    with progress() as bar:
        task = bar.add_task("register import", total=size)
        summary = RegisterImporter(
            pop_csv,
            actor="demo",
            election=election,
            on_progress=lambda offset: bar.update(task, completed=offset),
        ).run(rejects_csv)
    console.print(f"register import: {summary.line()}")

    from shailoo.accounts.roles import Role
    from shailoo.accounts.services import create_user, enrol_totp, parse_scope

    password = secrets.token_urlsafe(12)
    get_user_model().objects.filter(username=DEMO_USER).delete()
    admin_user = create_user(
        DEMO_USER,
        password,
        Role.CEC_ADMIN,
        parse_scope("country"),
        actor="demo",
        email="cec@example.kg",
    )
    device = enrol_totp(admin_user)

    from shailoo.counting.definition import ElectionDefinition
    from shailoo.demo.biometrics import enrol_and_dedup, pick_stations
    from shailoo.demo.counting import build_counting

    started = time.monotonic()
    candidates_out = out / "candidates"
    candidates_out.mkdir(exist_ok=True)

    def with_candidates(definition: ElectionDefinition) -> ElectionDefinition:
        load_candidates(election, world, candidates_out)
        return ballot_from_candidates(election, definition)

    counting = build_counting(election, seed, out, on_definition=with_candidates)
    counted = time.monotonic()
    biometrics = enrol_and_dedup(seed, pick_stations(seed))
    console.print(
        f"polling day built in {time.monotonic() - started:.1f} s "
        f"(counting {counted - started:.1f} s, biometrics {time.monotonic() - counted:.1f} s)"
    )

    from shailoo.demo.incidents import build_incidents

    build_incidents(election, seed)
    load_finance(election, finance_world, out / "finance")

    from shailoo.demo.election_day import run_election_day

    day = run_election_day(election, seed, biometrics.stations)
    if day.totals:
        t = day.totals
        console.print(
            f"[bold]Election day (rehearsal):[/] {t['visits']} voters at the devices of "
            f"{_numbers(day.stations)}: {t['ballots']} ballots, outcomes {t['outcomes']}, "
            f"{t['offline_decisions']} decided offline, {t['second_issues']} second ballots "
            "(see /staff/polling/)"
        )

    from shailoo.integrity.heads import sign_head

    head = sign_head()
    console.print(
        f"ledger: {head.size} entries, signed tree head root "
        f"{bytes(head.root_hash).hex()[:16]}… by key {head.key_id[:12]}… "
        "(check with `shailoo ledger verify`)"
    )

    built = {
        "regions": Region.objects.count(),
        "tecs": TerritorialCommission.objects.count(),
        "stations": PollingStation.objects.count(),
        "persons": Person.objects.count(),
        "voters": Person.objects.filter(eligible=True).count(),
        "rejected": summary.rejected,
        "protocols": counting.status,
        "blocked": counting.blocked,
        "open_alerts": counting.open_alerts,
        "sheets_waiting": counting.scans.waiting if counting.scans else 0,
        "dedup_pairs": biometrics.open_pairs,
    }
    console.print(
        f"[bold]Demo country (seed {seed}):[/] {built['regions']} regions, {built['tecs']} TECs, "
        f"{built['stations']} polling stations, {built['persons']:,} persons, "
        f"{built['voters']:,} voters on the lists for «{election.name}» on {election.polling_day}"
    )
    print_polling_day(counting, biometrics)
    console.print(f"Files: {geo_csv}, {pop_csv} (planted problems: {truth_csv})")
    console.print(f"[bold]Staff login:[/] user [cyan]{DEMO_USER}[/] password [cyan]{password}[/]")
    console.print(
        f"[bold]Second factor (TOTP):[/] add [cyan]{device.secret_base32}[/] to an authenticator "
        f"app, or open {device.config_url()}"
    )
    return built
