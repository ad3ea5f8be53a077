"""Registry extracts loaded into the tables the candidate checks read: located rejects,
replacement per person, refusal of a wrong file, one ledger entry per load."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shailoo.candidates import registry_models as reg
from shailoo.candidates.registry_import import load_registry
from shailoo.common.refusals import InvalidInput
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import build_pin

pytestmark = pytest.mark.django_db
A = build_pin("F", datetime.date(1980, 3, 4), 11)
B = build_pin("M", datetime.date(1975, 6, 7), 12)


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extract.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_citizenship_extract_is_loaded_with_located_rejects(tmp_path) -> None:
    path = _file(
        tmp_path,
        "pin,citizenships,as_of,reference\n"
        f"{A},KG;RU,2027-01-10,C-1\n"
        f"{B},stateless,2027-01-10,C-2\n"
        "123,KG,2027-01-10,C-3\n"
        f"{A},KG,2027-01-10,C-4\n"
        f"{B},kg,2027-01-10,C-5\n",
    )
    load = load_registry("citizenship", path, "cli")
    assert (load.read, load.stored, load.persons) == (5, 2, 2)
    assert [(p.line, p.where) for p in load.rejects] == [
        (4, "pin"),
        (5, "pin"),
        (6, "citizenships"),
    ]
    assert reg.CitizenshipRecord.objects.get(pin=A).citizenships == "KG;RU"
    assert reg.CitizenshipRecord.objects.get(pin=B).citizenships == ""
    assert LedgerEntry.objects.filter(kind="candidates.registry_import").count() == 1


def test_an_extract_replaces_what_the_table_held_about_its_persons(tmp_path) -> None:
    header = "pin,started_on,ended_on,as_of,reference\n"
    first = _file(
        tmp_path,
        header + f"{A},1990-01-01,2000-12-31,2027-01-10,R\n{A},2005-01-01,,2027-01-10,R\n",
    )
    load_registry("residence", first, "cli")
    assert reg.ResidenceStay.objects.filter(pin=A).count() == 2
    corrected = _file(tmp_path, header + f"{A},1985-01-01,,2027-01-12,R2\n")
    load_registry("residence", corrected, "cli")
    load_registry("residence", corrected, "cli")  # the same extract again changes nothing
    stays = list(reg.ResidenceStay.objects.filter(pin=A).values_list("started_on", "ended_on"))
    assert stays == [(datetime.date(1985, 1, 1), None)]


def test_bad_dates_and_values_are_located(tmp_path) -> None:
    path = _file(
        tmp_path,
        "pin,article,convicted_on,expunged_on,reference\n"
        f"{A},159,2001-02-30,,X\n"
        f"{A},159,2001-02-03,2000-01-01,X\n"
        f"{B},,2001-02-03,,X\n"
        f"{B},159,2001-02-03,2010-01-01,X\n",
    )
    load = load_registry("criminal", path, "cli")
    assert [(p.line, p.where) for p in load.rejects] == [
        (2, "convicted_on"),
        (3, "expunged_on"),
        (4, "article"),
    ]
    assert reg.CriminalRecord.objects.get(pin=B).expunged_on == datetime.date(2010, 1, 1)


def test_a_file_of_another_registry_is_refused_at_its_header(tmp_path) -> None:
    path = _file(tmp_path, "pin,level,as_of,document\n")
    with pytest.raises(InvalidInput) as refused:
        load_registry("language", path, "cli")
    assert refused.value.problems[0].line == 1
    with pytest.raises(InvalidInput):
        load_registry("horoscope", path, "cli")
    assert not LedgerEntry.objects.filter(kind="candidates.registry_import").exists()


def test_the_command_loads_and_exits_1_with_rejects(tmp_path, monkeypatch) -> None:
    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)
    path = _file(tmp_path, f"pin,level,as_of,document\n{A},higher,2027-01-10,D-1\n{B},phd,x,y\n")
    result = CliRunner().invoke(app, ["candidates", "load-registry", "education", str(path)])
    assert result.exit_code == 1, result.output
    assert "stored 1 rows for 1 persons, rejected 1" in result.output
    assert "extract.csv:3: level" in result.output
