"""Signature sheets verified against the stored register, participants admitted or refused,
and the ballot built from registered candidates — through the services staff and the CLI use.
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Candidate, Participant, SignatureFinding
from shailoo.candidates.participant_services import (
    ParticipantData,
    register_participant,
    revoke_participant,
)
from shailoo.candidates.signature_services import verify_signatures
from shailoo.common.refusals import Conflict
from shailoo.counting.definition import load_definition
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import build_pin

POLLING_DAY = datetime.date(2027, 3, 14)
SIGNED = datetime.date(2027, 1, 25)
pytestmark = pytest.mark.django_db


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


def _president(election, ref: str = "P-1", serial: int = 7) -> Candidate:
    birth = datetime.date(1975, 4, 2)
    return services.nominate(
        "cli",
        election,
        services.NominationData(
            ref=ref,
            pin=build_pin("F", birth, serial),
            surname="Токтогулова",
            given_name="Нургүл",
            patronymic="Асановна",
            sex="F",
            birth_date=birth,
            office="president",
            nominated_on=datetime.date(2027, 1, 10),
        ),
    )


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "sheet",
                "line",
                "collector",
                "pin",
                "surname",
                "given_name",
                "patronymic",
                "signed_on",
            ]
        )
        writer.writerows(rows)
    return path


def _row(sheet: int, line: int, person, *, surname: str | None = None, day=SIGNED) -> list[str]:
    return [
        str(sheet),
        str(line),
        "K-1",
        person.pin,
        surname or person.surname,
        person.given_name,
        person.patronymic,
        day.isoformat(),
    ]


def test_signatures_are_verified_against_the_stored_register(election, tmp_path) -> None:
    station = f.station(1001)
    voters = [f.person(station, birth_date=datetime.date(1980, 1, 1 + n)) for n in range(8)]
    dead = f.person(station, death_date=datetime.date(2026, 12, 1), eligible=False,
                    ineligible_codes="ALIVE")  # fmt: skip
    ghost = build_pin("M", datetime.date(1970, 5, 5), 99_999)
    rows = [_row(1, n + 1, v) for n, v in enumerate(voters)]
    rows.append(_row(2, 1, voters[0]))  # signed twice
    rows.append(_row(2, 2, voters[1], surname="Бекова"))  # another name on a real PIN
    rows.append(_row(2, 3, dead))
    rows.append(["2", "4", "K-1", ghost, "Асанов", "Бакыт", "", SIGNED.isoformat()])
    rows.append(["2", "5", "K-1", "123", "Асанов", "Бакыт", "", SIGNED.isoformat()])
    path = _write(tmp_path / "sheets.csv", rows)
    candidate = _president(election)
    submission, report = verify_signatures("cli", candidate, path, today=POLLING_DAY)
    counts = submission.counts
    assert report.total == 13 and submission.valid == 8
    assert counts["DUPLICATE"] == 1 and counts["NAME_MISMATCH"] == 1
    assert counts["DEAD"] == 1 and counts["NOT_IN_REGISTER"] == 1 and counts["MALFORMED"] == 1
    assert submission.verdict == "insufficient"  # far from the 30,000 the office needs
    findings = {(x.sheet, x.line): x.reason for x in SignatureFinding.objects.all()}
    assert findings[(2, 2)] == "NAME_MISMATCH" and findings[(2, 3)] == "DEAD"
    entry = LedgerEntry.objects.get(kind="candidates.signatures")
    assert all(v.pin.encode() not in bytes(entry.data) for v in voters)
    # a second presidential candidate: the voters who signed for the first signed already
    second = _president(election, "P-2", 8)
    path2 = _write(tmp_path / "second.csv", [_row(1, 1, voters[2]), _row(1, 2, voters[3])])
    other, _ = verify_signatures("cli", second, path2, today=POLLING_DAY)
    assert other.counts["SIGNED_FOR_OTHER"] == 2


def test_a_district_candidate_signers_must_live_in_the_district(election, tmp_path) -> None:
    from shailoo.counting.services import import_definition

    inside, outside = f.station(2001), f.station(2002)
    definition = {
        "format": "shailoo-election-definition/1",
        "election_id": election.code,
        "name": {"ky": "Шайлоо", "ru": "Выборы"},
        "election_date": POLLING_DAY.isoformat(),
        "law_edition": "kg-2025",
        "contests": [
            {"id": "d01", "kind": "district", "title": {"ky": "1", "ru": "1"},
             "seats": 3, "district": "D01",
             "options": [{"id": "x", "kind": "candidate", "name": {"ky": "X", "ru": "X"}}]},
            {"id": "d02", "kind": "district", "title": {"ky": "2", "ru": "2"},
             "seats": 3, "district": "D02",
             "options": [{"id": "y", "kind": "candidate", "name": {"ky": "Y", "ru": "Y"}}]},
        ],
        "ballot_styles": [
            {"id": "s1", "contests": ["d01"], "stations": [str(inside.number)]},
            {"id": "s2", "contests": ["d02"], "stations": [str(outside.number)]},
        ],
    }  # fmt: skip
    file = tmp_path / "definition.json"
    file.write_text(json.dumps(definition), encoding="utf-8")
    import_definition(election, load_definition(file), "cli")
    birth = datetime.date(1985, 6, 1)
    candidate = services.nominate(
        "cli",
        election,
        services.NominationData(
            ref="D-1", pin=build_pin("M", birth, 3), surname="Асанов", given_name="Бакыт",
            patronymic="", sex="M", birth_date=birth, office="jk_deputy",
            nominated_on=datetime.date(2027, 1, 10), district="D01",
        ),
    )  # fmt: skip
    here, there = f.person(inside), f.person(outside)
    path = _write(tmp_path / "d.csv", [_row(1, 1, here), _row(1, 2, there)])
    submission, _ = verify_signatures("cli", candidate, path, today=POLLING_DAY)
    assert submission.counts["VALID"] == 1 and submission.counts["WRONG_TERRITORY"] == 1


def test_a_sample_needs_a_seed(election, tmp_path) -> None:
    candidate = _president(election)
    path = _write(tmp_path / "s.csv", [])
    with pytest.raises(Conflict):
        verify_signatures("cli", candidate, path, sample=10, today=POLLING_DAY)


def test_participants_are_admitted_or_refused_with_cited_reasons(election) -> None:
    station = f.station(3001)
    voter = f.person(station)
    reg.CitizenshipRecord.objects.create(
        pin=voter.pin, citizenships="KG;RU", as_of=POLLING_DAY, reference="C-9"
    )
    president = _president(election).ref  # the trusted persons act for her
    dual = register_participant(
        "cli", election, ParticipantData("T-1", "trusted_person", voter.surname,
                                         voter.given_name, pin=voter.pin, for_candidate=president),
    )  # fmt: skip
    assert dual.status == "admitted" and dual.badge_number  # a dual citizen is no foreigner
    foreign = register_participant(
        "cli", election,
        ParticipantData("T-2", "trusted_person", "Иванов", "Иван", citizenships=("RU",),
                        for_candidate=president),
    )  # fmt: skip
    assert foreign.status == "refused"
    assert [r["code"] for r in foreign.reasons] == ["FOREIGN_CITIZEN"]
    assert "Art. 9" in foreign.reasons[0]["citation"]["en"]
    stateless = register_participant(
        "cli", election,
        ParticipantData("T-3", "trusted_person", "Ким", "Олег", citizenships=(),
                        for_candidate=president),
    )  # fmt: skip
    assert [r["code"] for r in stateless.reasons] == ["STATELESS"]
    police = register_participant(
        "cli", election,
        ParticipantData("O-1", "domestic_observer", voter.surname, voter.given_name,
                        pin=voter.pin, offices=("law_enforcement",)),
    )  # fmt: skip
    assert police.status == "refused" and police.reasons[0]["office"] == "law_enforcement"
    unknown = register_participant(
        "cli",
        election,
        ParticipantData("T-4", "trusted_person", "Асанов", "Бакыт", for_candidate=president),
    )
    assert unknown.status == "undecided"
    revoke_participant("cli", dual, "left the campaign")
    dual.refresh_from_db()
    assert dual.status == Participant.Status.REVOKED
    with pytest.raises(Conflict):
        revoke_participant("cli", foreign, "x")
    assert LedgerEntry.objects.filter(kind="candidates.participant").count() == 5
    # the foreign and the stateless proxies are put before the rapid-response groups
    from shailoo.incidents.models import Case

    alerts = Case.objects.filter(alert_kind="candidates.foreign_participant")
    assert alerts.count() == 2
    assert {c.category for c in alerts} == {"foreign_interference"}
    assert {c.agency for c in alerts} == {"national_security"}


def test_the_ballot_carries_the_registered_candidates_with_their_sex(election, tmp_path) -> None:
    from shailoo.cli import app
    from shailoo.counting.from_candidates import definition_from_candidates
    from shailoo.counting.services import current_definition, import_definition

    station = f.station(4001)
    definition = {
        "format": "shailoo-election-definition/1",
        "election_id": election.code,
        "name": {"ky": "Шайлоо", "ru": "Выборы"},
        "election_date": POLLING_DAY.isoformat(),
        "law_edition": "kg-2025",
        "contests": [
            {"id": "d01", "kind": "district", "title": {"ky": "1", "ru": "1"}, "seats": 3,
             "district": "D01", "options": [
                 {"id": "x", "kind": "candidate", "name": {"ky": "X", "ru": "X"}},
                 {"id": "aa", "kind": "against_all", "name": {"ky": "Каршы", "ru": "Против"}}]},
            {"id": "d02", "kind": "district", "title": {"ky": "2", "ru": "2"}, "seats": 3,
             "district": "D02", "options": [
                 {"id": "y", "kind": "candidate", "name": {"ky": "Y", "ru": "Y"}}]},
        ],
        "ballot_styles": [{"id": "s", "contests": ["d01", "d02"],
                           "stations": [str(station.number)]}],
    }  # fmt: skip
    file = tmp_path / "definition.json"
    file.write_text(json.dumps(definition), encoding="utf-8")
    import_definition(election, load_definition(file), "cli")
    for n, sex in enumerate("FM"):
        birth = datetime.date(1980, 2, 3 + n)
        c = services.nominate(
            "cli",
            election,
            services.NominationData(
                ref=f"D-{n}", pin=build_pin(sex, birth, 40 + n), surname="Сатыбалдиева",
                given_name="Айжан", patronymic="", sex=sex, birth_date=birth,
                office="jk_deputy", nominated_on=datetime.date(2027, 1, 10), district="D01",
            ),
        )  # fmt: skip
        Candidate.objects.filter(pk=c.pk).update(status=Candidate.Status.REGISTERED)
    built = definition_from_candidates(election, current_definition(election))
    assert built.replaced == ("d01",) and built.kept == ("d02",)
    d01 = built.definition.contest("d01")
    assert [o.kind for o in d01.options] == ["candidate", "candidate", "against_all"]
    assert [o.sex for o in d01.options[:2]] == ["F", "M"]
    assert d01.votes_allowed == 1
    result = CliRunner().invoke(app, ["candidates", "to-definition", "--load"])
    assert result.exit_code == 0, result.output
    assert "1 contests from registered candidates" in result.output
    loaded = current_definition(election).contest("d01")
    assert [o.sex for o in loaded.options[:2]] == ["F", "M"]


def test_a_voter_who_signs_before_turning_18_signs_too_young(election, tmp_path) -> None:
    station = f.station(5001)
    birthday = datetime.date(2027, 1, 20)  # 18 between the signing days and polling day
    young = f.person(station, birth_date=datetime.date(2009, 1, 20))
    rows = [
        _row(1, 1, young, day=birthday - datetime.timedelta(days=1)),
        _row(1, 2, young, day=birthday),
    ]
    candidate = _president(election)
    submission, _ = verify_signatures(
        "cli", candidate, _write(tmp_path / "y.csv", rows), today=POLLING_DAY
    )
    assert submission.counts["NOT_ELIGIBLE"] == 1 and submission.valid == 1
    (finding,) = SignatureFinding.objects.filter(reason="NOT_ELIGIBLE")
    assert (finding.line, finding.detail) == (1, "not of voting age on the signing date 2027-01-19")
