"""The register importer: counts, idempotency, incremental updates, bad input, crash resume."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shailoo.common.csvsource import HeaderError
from shailoo.register.importer import (
    ImportError_,
    RegisterImporter,
    drop_secondary_indexes,
    ensure_secondary_indexes,
)
from shailoo.register.models import ImportRun, Person, PersonChange
from shailoo.register.pin import mask_pin
from shailoo.register.rows import COLUMNS

pytestmark = pytest.mark.django_db

SNAPSHOT_FIELDS = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "name_key",
    "sex",
    "birth_date",
    "citizenship",
    "death_date",
    "station__number",
    "eligible",
    "ineligible_codes",
    "row_hash",
)


def snapshot() -> list[tuple]:
    return list(Person.objects.order_by("pin").values_list(*SNAPSHOT_FIELDS))


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
def test_clean_import_accepts_every_valid_row(world, parallel: bool) -> None:
    rows = read_rows(world.population_csv)
    summary = RegisterImporter(world.population_csv, parallel=parallel).run()
    assert summary.read == len(rows)
    assert summary.rejected == 0
    assert summary.created == summary.accepted == Person.objects.count() == len(rows)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.COMPLETED and run.created == len(rows)
    # Verdicts were computed: the planted minors and dead persons are not on the lists.
    assert Person.objects.filter(eligible=False, ineligible_codes__contains="AGE").exists()
    assert Person.objects.filter(eligible=False, ineligible_codes__contains="ALIVE").exists()
    assert Person.objects.filter(eligible=True).count() > len(rows) // 3
    assert not Person.objects.filter(name_key="").exists()


def test_same_file_twice_changes_nothing(world) -> None:
    RegisterImporter(world.population_csv).run()
    before, history = snapshot(), PersonChange.objects.count()
    summary = RegisterImporter(world.population_csv).run()
    assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0)
    assert summary.unchanged == len(before)
    assert snapshot() == before
    assert PersonChange.objects.count() == history


def test_later_extract_updates_moves_and_deaths_with_history(world) -> None:
    RegisterImporter(world.population_csv).run()
    rows = read_rows(world.population_csv)
    stations = sorted({r["station"] for r in rows})
    moved, died = rows[10], rows[20]
    assert not died["death_date"]
    moved["station"] = next(s for s in stations if s != moved["station"])
    moved["address"] = moved["address"] + ", кв. 7"
    died["death_date"] = "2026-06-01"
    later = world.tmp / "later.csv"
    write_rows(later, rows)
    summary = RegisterImporter(later).run()
    assert (summary.created, summary.updated, summary.rejected) == (0, 2, 0)
    person = Person.objects.get(pin=moved["pin"])
    assert str(person.station.number) == moved["station"]
    change = PersonChange.objects.get(person=person)
    assert change.source == PersonChange.Source.IMPORT
    assert set(change.changes) >= {"station_id", "address"}
    dead = Person.objects.get(pin=died["pin"])
    assert not dead.eligible and "ALIVE" in dead.ineligible_codes


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
def test_bad_rows_are_rejected_with_line_field_and_reason(world, parallel: bool) -> None:
    good = read_rows(world.population_csv)[:6]
    bad_pin = dict(good[1], pin="12345")
    mismatch = dict(good[2], birth_date="1990-01-01")
    impossible = dict(good[3], birth_date="2001-02-30")
    unknown_station = dict(good[4], station="999999")
    path = world.tmp / "bad.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(good[0])  # line 2
        writer.writerow(bad_pin)  # line 3
        writer.writerow(mismatch)  # line 4
        writer.writerow(impossible)  # line 5
        writer.writerow(unknown_station)  # line 6
        fh.write("only,three,columns\n")  # line 7
        writer.writerow(good[0])  # line 8: repeats the PIN of line 2
    with path.open("ab") as fh:
        fh.write(b"\xff\xfe broken encoding line\n")  # line 9
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=COLUMNS).writerow(good[5])  # line 10
    rejects_path = world.tmp / "rejects.csv"
    summary = RegisterImporter(path, parallel=parallel).run(rejects_path)
    assert summary.read == 9
    assert (summary.accepted, summary.rejected) == (2, 7)
    assert set(Person.objects.values_list("pin", flat=True)) == {good[0]["pin"], good[5]["pin"]}
    rejects = {int(r["line"]): r for r in read_rows_any(rejects_path)}
    assert rejects[3]["field"] == "pin" and "14 digits" in rejects[3]["reason"]
    assert rejects[4]["field"] == "birth_date" and "does not match" in rejects[4]["reason"]
    assert rejects[5]["field"] == "birth_date" and "impossible date" in rejects[5]["reason"]
    assert rejects[6]["field"] == "station" and "unknown polling station" in rejects[6]["reason"]
    assert "expected 15 columns" in rejects[7]["reason"]
    assert rejects[8]["field"] == "pin" and "line 2" in rejects[8]["reason"]
    assert "UTF-8" in rejects[9]["reason"]
    # No PIN appears in clear in the rejects file.
    text = rejects_path.read_text(encoding="utf-8")
    assert good[0]["pin"] not in text and good[2]["pin"] not in text


def read_rows_any(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_wrong_header_refuses_the_file_before_any_write(world) -> None:
    path = world.tmp / "wrong-header.csv"
    path.write_text("pin,name\n12345678901234,Асанов\n", encoding="utf-8")
    with pytest.raises(HeaderError, match=r"missing column\(s\): surname"):
        RegisterImporter(path).run()
    assert not ImportRun.objects.exists() and not Person.objects.exists()


class Crash(Exception):
    pass


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
def test_crash_and_rerun_converge_to_one_clean_run(world, parallel: bool) -> None:
    rejects_clean = world.tmp / "rejects-clean.csv"
    RegisterImporter(world.population_csv, batch_size=400).run(rejects_clean)
    clean = snapshot()
    Person.objects.all().delete()
    ImportRun.objects.all().delete()

    batches = 0

    def crash_after_three(_line: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Crash

    with pytest.raises(Crash):
        RegisterImporter(
            world.population_csv, batch_size=400, after_batch=crash_after_three, parallel=parallel
        ).run()
    partial = Person.objects.count()
    assert 0 < partial < len(clean)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.RUNNING and run.resume_offset > 0

    rejects_resumed = world.tmp / "rejects-resumed.csv"
    summary = RegisterImporter(world.population_csv, batch_size=400, parallel=parallel).run(
        rejects_resumed
    )
    assert summary.resumed_from_line is not None
    assert snapshot() == clean
    assert ImportRun.objects.count() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMPLETED and run.created == len(clean)
    assert rejects_resumed.read_text() == rejects_clean.read_text()


def _indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cur:
        return set(connection.introspection.get_constraints(cur, Person._meta.db_table))


def test_secondary_indexes_are_rebuilt_after_a_load_and_after_a_resumed_one(world) -> None:
    everything = [*Person._meta.constraints, *Person._meta.indexes]
    wanted = {index.name for index in everything}
    # Partial indexes (few rows, appended in order) stay through the load.
    kept = {"person_ineligible", "person_remote_station"}
    batches = 0

    def crash_after_two(_line: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise Crash

    with pytest.raises(Crash):
        RegisterImporter(world.population_csv, batch_size=500, after_batch=crash_after_two).run()
    assert wanted & _indexes() == kept  # the rest dropped for the load into the empty register
    RegisterImporter(world.population_csv, batch_size=500).run()
    assert wanted <= _indexes()


def test_pin_index_is_not_rebuilt_over_repeated_pins_and_says_which(world) -> None:
    RegisterImporter(world.population_csv).run()
    drop_secondary_indexes()  # as during a first load ...
    person = Person.objects.order_by("pin").first()
    person.pk = None  # ... while someone adds a person with an imported PIN
    person.save()
    with pytest.raises(ImportError_) as raised:
        ensure_secondary_indexes()
    message = str(raised.value)
    assert "repeated PINs" in message and mask_pin(person.pin) in message
    assert person.pin not in message
    assert "person_pin_unique" not in _indexes()


@pytest.mark.django_db(transaction=True)
def test_worker_batches_copied_from_staging_equal_an_in_process_import(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    copied = []
    original = RegisterImporter._copy_staged

    def spy(self, batch, now):
        copied.append(batch.end_line)
        return original(self, batch, now)

    monkeypatch.setattr(RegisterImporter, "_copy_staged", spy)
    rejects_workers = world.tmp / "rejects-workers.csv"
    summary = RegisterImporter(world.population_csv, batch_size=300, parallel=True).run(
        rejects_workers
    )
    through_workers = snapshot()
    # SQLite copies every batch with INSERT ... SELECT; PostgreSQL receives the rows.
    assert bool(copied) == (connection.vendor == "sqlite")
    Person.objects.all().delete()
    ImportRun.objects.all().delete()
    rejects_here = world.tmp / "rejects-here.csv"
    again = RegisterImporter(world.population_csv, batch_size=300, parallel=False).run(rejects_here)
    assert snapshot() == through_workers
    assert (summary.read, summary.created, summary.rejected) == (
        again.read,
        again.created,
        again.rejected,
    )
    assert rejects_workers.read_text() == rejects_here.read_text()
