"""The register import writes one ledger entry per committed batch, in the batch's transaction."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import transaction

from shailoo.integrity.canonical import canonical_loads
from shailoo.integrity.export import verify_database
from shailoo.integrity.models import LedgerEntry
from shailoo.register.importer import RegisterImporter
from shailoo.register.ledger_entries import IMPORT_BATCH, import_batch
from shailoo.register.models import ImportRun, Person

pytestmark = pytest.mark.django_db


def _payloads() -> list[dict[str, object]]:
    rows = LedgerEntry.objects.filter(kind=IMPORT_BATCH).order_by("sequence")
    return [canonical_loads(bytes(e.data))["payload"] for e in rows]  # type: ignore[index,misc]


def test_a_committed_batch_becomes_one_entry() -> None:
    run = ImportRun.objects.create(file_name="x.csv", file_sha256="ab" * 32, actor="t")
    with transaction.atomic():
        import_batch(run.pk, created=5, updated=2, unchanged=1, rejected=3)
    assert _payloads() == [
        {
            "run_id": run.pk,
            "file_sha256": "ab" * 32,
            "through_line": 1,
            "created": 5,
            "updated": 2,
            "unchanged": 1,
            "rejected": 3,
        }
    ]


@pytest.fixture
def small_world(tmp_path: Path) -> Path:
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.synth.geography import generate_geography, write_geography_csv
    from shailoo.synth.population import write_population_csv

    geography = generate_geography(5, 20)
    write_geography_csv(geography, tmp_path / "geo.csv")
    import_geography(tmp_path / "geo.csv")
    Election.objects.create(
        code="t",
        name="t",
        polling_day=datetime.date(2027, 3, 14),
        law_edition="kg-2025",
        is_current=True,
    )
    write_population_csv(tmp_path / "people.csv", 5, 250, geography)
    return tmp_path / "people.csv"


def test_a_register_import_is_in_the_ledger_batch_by_batch(small_world: Path) -> None:
    summary = RegisterImporter(small_world, batch_size=100, parallel=False).run()
    payloads = _payloads()
    assert len(payloads) == -(-summary.read // 100)  # one entry per batch, not per row
    assert sum(p["created"] for p in payloads) == summary.created == Person.objects.count()  # type: ignore[misc]
    assert {p["run_id"] for p in payloads} == {summary.run_id}
    text = b"".join(bytes(d) for d in LedgerEntry.objects.values_list("data", flat=True))
    assert not any(pin.encode() in text for pin in Person.objects.values_list("pin", flat=True))
    # The same file again changes nothing in the register; each batch still says so.
    again = RegisterImporter(small_world, batch_size=100, parallel=False).run()
    assert again.unchanged == summary.created
    assert sum(p["unchanged"] for p in _payloads()) == summary.created  # type: ignore[misc]
    assert verify_database().ok
