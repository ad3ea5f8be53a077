"""Geography import: realistic counts from synth, idempotency, located errors for bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shailoo.common.csvsource import HeaderError
from shailoo.geo.importer import COLUMNS, import_geography
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.synth.geography import generate_geography, write_geography_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def national_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geo") / "geography.csv"
    write_geography_csv(generate_geography(3, 2500), path)
    return path


def test_national_geography_imports_at_realistic_counts(national_csv: Path) -> None:
    summary = import_geography(national_csv)
    assert not summary.rejects
    assert summary.created == PollingStation.objects.count() == 2500
    codes = set(Region.objects.values_list("code", flat=True))
    assert {"KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y", "KG-GB", "KG-GO"} <= codes
    assert "ABROAD" in codes
    assert 40 <= TerritorialCommission.objects.count() <= 70
    assert PollingStation.objects.filter(is_abroad=True).exists()
    assert PollingStation.objects.filter(is_remote_voting=True).exists()


def test_reimport_changes_nothing(national_csv: Path) -> None:
    import_geography(national_csv)
    again = import_geography(national_csv)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2500)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_bad_rows_are_located_and_good_rows_kept(national_csv: Path, tmp_path: Path) -> None:
    rows = _rows(national_csv)[:5]
    rows[1]["number"] = "12a"
    rows[2]["region_code"] = "KG-??"
    rows[3]["capacity"] = "0"
    path = tmp_path / "bad.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    summary = import_geography(path)
    assert summary.created == 2
    located = {(r.line, r.where) for r in summary.rejects}
    assert located == {(3, "number"), (4, "region_code"), (5, "capacity")}


def test_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("number,name\n1,x\n", encoding="utf-8")
    with pytest.raises(HeaderError, match="missing column"):
        import_geography(path)
    assert not PollingStation.objects.exists()
