"""``shailoo candidates``: explain stated facts, verify signatures, check a list, check and
decide a candidate — the exit codes and the lines staff read."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Party
from shailoo.cli import app
from shailoo.register.pin import build_pin

POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


def run(*args: str):
    return CliRunner().invoke(app, ["candidates", *args])


def test_explain_decides_good_rows_and_locates_bad_ones(election, tmp_path) -> None:
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "ref,office,birth_date,citizenships,residence_years,state_language,education,"
        "criminal_record,terms_served\n"
        "A,president,1980-01-01,KG,20,passed,higher,none,0\n"
        "B,president,1980-01-01,KG;RU,20,passed,higher,none,0\n"
        "C,jk_deputy,1990-01-01,KG,5,passed,higher,expunged,\n"
        "D,president,1980-01-01,KG,,passed,higher,none,0\n"
        "E,king,1980-01-01,KG,20,passed,higher,none,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = run("explain", "--facts", str(facts), "--out", str(out))
    assert result.exit_code == 2  # a bad row: located, the others decided
    rows = {row["ref"]: row for row in csv.DictReader(io.StringIO(out.read_text("utf-8")))}
    assert rows["A"]["verdict"] == "eligible"
    assert (rows["B"]["verdict"], rows["B"]["rules"]) == ("ineligible", "OTHER_CITIZENSHIP")
    assert (rows["C"]["verdict"], rows["C"]["rules"]) == ("ineligible", "CRIMINAL_RECORD")
    assert (rows["D"]["verdict"], rows["D"]["rules"]) == ("undecided", "RESIDENCE")
    assert "E" not in rows


def test_check_prints_every_rule_and_exits_by_verdict(election) -> None:
    birth = datetime.date(1980, 1, 10)
    candidate = services.nominate(
        "cli",
        election,
        services.NominationData(
            ref="J-1", pin=build_pin("M", birth, 5), surname="Асанов", given_name="Бакыт",
            patronymic="", sex="M", birth_date=birth, office="jk_deputy",
            nominated_on=datetime.date(2027, 1, 10), district="D01",
        ),
    )  # fmt: skip
    reg.CitizenshipRecord.objects.create(
        pin=candidate.pin, citizenships="KG;KZ", as_of=POLLING_DAY, reference="C-1"
    )
    result = run("check", "--candidate", "J-1", "--lang", "ru")
    assert result.exit_code == 1, result.output
    assert "Art. 59" not in result.output and "ст. 59" in result.output
    assert run("check", "--candidate", "nobody").exit_code == 2
    decided = run("decide", "--candidate", "J-1")
    assert decided.exit_code == 0, decided.output  # refused on the check: a decision all the same
    assert "refused" in decided.output


def test_party_list_names_the_positions_that_break_a_rule(tmp_path) -> None:
    f.election("kg-2021", polling_day=POLLING_DAY)
    party = Party.objects.create(
        code="ak", name_ky="Ак жол", name_ru="Ак жол", registered_on=datetime.date(2010, 1, 1)
    )
    from shailoo.elections.services import current_election

    election = current_election()
    for n, sex in enumerate("FFFMMFMFMF", 1):
        birth = datetime.date(1970, 1, n)
        services.nominate(
            "cli",
            election,
            services.NominationData(
                ref=f"L-{n}", pin=build_pin(sex, birth, n), surname="Асанов", given_name="Бакыт",
                patronymic="", sex=sex, birth_date=birth, office="jk_deputy",
                nominated_on=datetime.date(2027, 1, 10), party=party.code, list_position=n,
            ),
        )  # fmt: skip
    result = run("party-list", "ak", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "positions 1–3" in result.output
    assert run("party-list", "nope").exit_code == 2


def test_a_party_is_recorded_once_with_located_errors() -> None:
    args = ["party-add", "ata", "--name-ky", "Ата Журт", "--name-ru", "Ата Журт",
            "--registration-number", "MJ-1", "--registered-on", "2010-05-01"]  # fmt: skip
    assert run(*args).exit_code == 0
    assert Party.objects.get(code="ata").registration_number == "MJ-1"
    assert run(*args).exit_code == 1  # the same code again
    bad = run("party-add", "a b", "--name-ky", "", "--name-ru", "X",
              "--registration-number", "M", "--registered-on", "2010-05-01")  # fmt: skip
    assert bad.exit_code == 2 and "CODE: " in bad.output and "name_ky: " in bad.output
    assert run(*args[:-1], "2010-13-01").exit_code == 2


def test_a_list_deposit_is_recorded() -> None:
    f.election("kg-2021", polling_day=POLLING_DAY)
    Party.objects.create(
        code="ak", name_ky="Ак жол", name_ru="Ак жол", registered_on=datetime.date(2010, 1, 1)
    )
    result = run("list-deposit", "ak", "1000000", "--on", "2027-01-05")
    assert result.exit_code == 0, result.output
    assert "deposit 1000000 som recorded" in result.output
    assert run("list-deposit", "nope", "5", "--on", "2027-01-05").exit_code == 2
    assert run("list-deposit", "ak", "5", "--on", "yesterday").exit_code == 2
