"""``shailoo demo``: a fresh synthetic country, loaded through the real importers.

Everything the demo shows comes from ``shailoo.synth`` with a seed, and goes in through the
same code paths an operator uses (``geo import``, ``register import``), so the demo is also a
smoke test of the whole chain. Running it again rebuilds the same country.
"""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path

from shailoo.common.cli import console, django_setup, progress

DEMO_POLLING_DAY = date(2027, 3, 14)
DEMO_USER = "cec-admin"


def _fresh_database() -> None:
    """Start from an empty database: delete the embedded SQLite file, or flush another one."""
    from django.conf import settings

    if not os.environ.get("SHAILOO_DATABASE_URL"):
        base = Path(str(settings.DATABASES["default"]["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)


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
    election = Election.objects.create(
        code="jk-2027",
        name="Выборы депутатов Жогорку Кенеша 2027 (демо)",
        polling_day=DEMO_POLLING_DAY,
        law_edition=settings.SHAILOO_LAW_EDITION,
        is_current=True,
    )

    with console.status(f"Generating {persons:,} persons…"):
        write_population_csv(pop_csv, seed, persons, geography, truth_path=truth_csv)
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

    from shailoo.integrity.heads import sign_head

    head = sign_head()
    console.print(
        f"ledger: {head.size} entries, signed tree head root "
        f"{bytes(head.root_hash).hex()[:16]}… by key {head.key_id[:12]}… "
        "(check with `shailoo audit verify`)"
    )

    built = {
        "regions": Region.objects.count(),
        "tecs": TerritorialCommission.objects.count(),
        "stations": PollingStation.objects.count(),
        "persons": Person.objects.count(),
        "voters": Person.objects.filter(eligible=True).count(),
        "rejected": summary.rejected,
    }
    console.print(
        f"[bold]Demo country (seed {seed}):[/] {built['regions']} regions, {built['tecs']} TECs, "
        f"{built['stations']} polling stations, {built['persons']:,} persons, "
        f"{built['voters']:,} voters on the lists for «{election.name}» on {election.polling_day}"
    )
    console.print(f"Files: {geo_csv}, {pop_csv} (planted problems: {truth_csv})")
    console.print(f"[bold]Staff login:[/] user [cyan]{DEMO_USER}[/] password [cyan]{password}[/]")
    console.print(
        f"[bold]Second factor (TOTP):[/] add [cyan]{device.secret_base32}[/] to an authenticator "
        f"app, or open {device.config_url()}"
    )
    return built
