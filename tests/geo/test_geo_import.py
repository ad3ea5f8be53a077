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


# --- hostile files ---------------------------------------------------------------------------


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _located(summary) -> list[tuple[int, str]]:
    return [(r.line, r.where) for r in summary.rejects]


def test_an_open_quote_refuses_its_row_only(national_csv: Path, tmp_path: Path) -> None:
    lines = national_csv.read_bytes().splitlines(keepends=True)[:1001]
    head, last = lines[500].rsplit(b",", 1)  # line 501: the capacity's quote stays open
    lines[500] = head + b',"' + last
    path = tmp_path / "open.csv"
    path.write_bytes(b"".join(lines))
    summary = import_geography(path)
    assert _located(summary) == [(501, "capacity")]
    assert summary.created == PollingStation.objects.count() == 999
    assert (summary.read, summary.lines, summary.other) == (1000, 1001, 0)
    assert "1001 lines: 1 header, 1000 rows read, 0 blank or continuation" in summary.line()


def test_bad_utf8_and_a_10_mb_line_are_refused_alone(national_csv: Path, tmp_path: Path) -> None:
    lines = national_csv.read_bytes().splitlines(keepends=True)[:11]
    lines[3] = lines[3].replace(b'"', b'"\xff', 1)  # line 4: a bad byte in the quoted address
    lines[6] = b"1," + b"x" * (10 << 20) + b"\n"  # line 7: 10 MB
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"".join(lines))
    summary = import_geography(path)
    assert _located(summary) == [(4, "address"), (7, "")]
    assert "UTF-8" in summary.rejects[0].why and "longer than" in summary.rejects[1].why
    assert summary.created == 8 and summary.lines == 11


def test_a_station_number_twice_in_a_file_is_refused_naming_both_lines(
    national_csv: Path, tmp_path: Path
) -> None:
    rows = _rows(national_csv)
    elsewhere = next(r for r in rows if r["tec_code"] != rows[0]["tec_code"])
    twice = dict(elsewhere, number=rows[0]["number"])  # line 6: station of line 2, moved
    path = _write(tmp_path / "twice.csv", [*rows[:4], twice])
    summary = import_geography(path)
    assert _located(summary) == [(6, "number")]
    assert "already on line 2" in summary.rejects[0].why
    station = PollingStation.objects.get(number=int(rows[0]["number"]))
    assert station.tec.code == rows[0]["tec_code"]


def test_a_reimport_that_moves_a_station_is_refused_unless_asked_and_then_ledgered(
    national_csv: Path, tmp_path: Path
) -> None:
    from shailoo.integrity.canonical import canonical_loads
    from shailoo.integrity.models import LedgerEntry

    rows = _rows(national_csv)
    import_geography(_write(tmp_path / "first.csv", rows[:5]))
    other = next(
        r
        for r in rows
        if r["region_code"] == rows[0]["region_code"] and r["tec_code"] != rows[0]["tec_code"]
    )
    moved = dict(
        rows[0],
        **{name: other[name] for name in COLUMNS if name.startswith(("district", "tec"))},
    )
    path = _write(tmp_path / "moved.csv", [moved, *rows[1:5]])
    entries = LedgerEntry.objects.count()

    refused = import_geography(path)
    assert _located(refused) == [(2, "district_code")]
    assert "--allow-moves" in refused.rejects[0].why and refused.unchanged == 4
    station = PollingStation.objects.get(number=int(rows[0]["number"]))
    assert station.tec.code == rows[0]["tec_code"]
    assert LedgerEntry.objects.count() == entries

    applied = import_geography(path, actor="operator-7", allow_moves=True)
    assert not applied.rejects and (applied.updated, applied.moved) == (1, 1)
    station.refresh_from_db()
    assert (station.district.code, station.tec.code) == (other["district_code"], other["tec_code"])
    entry = LedgerEntry.objects.order_by("-sequence").first()
    assert entry.kind == "geo.station_moved"
    payload = canonical_loads(bytes(entry.data))["payload"]
    assert payload["actor"] == "operator-7"
    assert payload["data"]["from"]["tec"] == rows[0]["tec_code"]
    assert payload["data"]["to"] == {
        "region": other["region_code"],
        "district": other["district_code"],
        "tec": other["tec_code"],
    }
    assert payload["data"]["line"] == 2
    again = import_geography(path, allow_moves=True)
    assert (again.unchanged, again.moved) == (5, 0)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("name", "Ш" * 5000, "longer than 200"),
        ("name", "Ш" * 201, "longer than 200"),
        ("address", "у" * 301, "longer than 300"),
        ("region_name_ky", "ы" * 101, "longer than 100"),
        ("region_name_en", "x" * 101, "longer than 100"),
        ("district_name_ru", "й" * 101, "longer than 100"),
        ("tec_name", "т" * 201, "longer than 200"),
        ("district_code", "D" * 17, "1-16"),
        ("tec_code", "", "1-16"),
        ("number", "1000000", "1-999999"),
        ("number", "١٢٣", "1-999999"),
        ("capacity", "100001", "1-100000"),
        ("region_code", "KG-ZZ", "must be one of"),
        ("district_name_ky", "", "is empty although district_code"),
        ("name", "СОШ\n№1", "control character"),
    ],
)
def test_every_documented_field_limit_is_a_located_reject(
    national_csv: Path, tmp_path: Path, field: str, value: str, why: str
) -> None:
    rows = [r for r in _rows(national_csv) if r["district_code"]][:3]
    rows[1][field] = value
    summary = import_geography(_write(tmp_path / "limits.csv", rows))
    assert _located(summary) == [(3, field)]
    assert why in summary.rejects[0].why
    assert summary.created == 2


def test_a_station_abroad_has_no_district(national_csv: Path, tmp_path: Path) -> None:
    rows = _rows(national_csv)
    abroad = next(r for r in rows if r["region_code"] == "ABROAD")
    inland = next(r for r in rows if r["district_code"])
    bad = dict(abroad, **{name: inland[name] for name in COLUMNS if name.startswith("district")})
    summary = import_geography(_write(tmp_path / "abroad.csv", [bad]))
    assert _located(summary) == [(2, "district_code")]
