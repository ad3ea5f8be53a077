"""``withdraw``, ``replace``, ``document`` and ``documents``: a nomination's papers and its end
from the command line — the exit codes (0 done, 1 refused, 2 bad input) and the lines staff
read, through the real services and law files."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.candidates import services
from shailoo.candidates.models import Candidate, CandidateChange, CandidateDocument, Party
from shailoo.candidates.nomination_cli import nomination_app
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.register.pin import build_pin

POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)


def run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(nomination_app, list(args), input=stdin)


def president(election, ref: str = "P-1", **overrides: Any) -> Candidate:
    birth = datetime.date(1975, 4, 2)
    data = {
        "ref": ref,
        "pin": build_pin("F", birth, 7),
        "surname": "Токтогулова",
        "given_name": "Нургүл",
        "patronymic": "Асановна",
        "sex": "F",
        "birth_date": birth,
        "office": "president",
        "nominated_on": datetime.date(2027, 1, 10),
        **overrides,
    }
    return services.nominate("cli", election, services.NominationData(**data))


def deadline(edition: str, rule: str) -> datetime.date:
    days = getattr(load_edition(edition).candidates.nomination, rule).value
    return POLLING_DAY - datetime.timedelta(days=days)


# -- withdraw ----------------------------------------------------------------------------------


def test_a_withdrawal_on_the_last_day_is_recorded() -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    candidate = president(election)
    last = deadline("kg-2025", "withdrawal_days_before")
    result = run(
        "withdraw", "--candidate", "P-1", "--on", last.isoformat(), "--source-document", "St. 7"
    )
    assert result.exit_code == 0, result.output
    assert f"P-1 withdrawn on {last.isoformat()}" in result.output
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"
    change = CandidateChange.objects.get(candidate=candidate)
    assert change.source_document == "St. 7"
    assert LedgerEntry.objects.filter(kind=services.WITHDRAWAL).count() == 1
    again = run(
        "withdraw", "--candidate", "P-1", "--on", last.isoformat(), "--source-document", "St. 8"
    )
    assert again.exit_code == 1  # already closed


def test_a_withdrawal_a_day_late_is_refused_with_its_citation() -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    candidate = president(election)
    late = deadline("kg-2025", "withdrawal_days_before") + datetime.timedelta(days=1)
    result = run(
        "withdraw", "--candidate", "P-1", "--on", late.isoformat(), "--source-document", "St. 7"
    )
    assert result.exit_code == 1, result.output
    cite = load_edition("kg-2025").candidates.nomination.withdrawal_days_before.citation
    assert cite.split(",")[0] in result.output  # Art. 48
    candidate.refresh_from_db()
    assert candidate.status == "nominated"


@pytest.mark.parametrize(
    "args",
    [
        ["--candidate", "NOBODY", "--on", "2027-02-01", "--source-document", "S"],
        ["--candidate", "P-1", "--on", "2027-02-30", "--source-document", "S"],
        ["--candidate", "P-1", "--on", "2027-02-01", "--source-document", "  "],
        ["--candidate", "P-1", "--on", "2027-02-01", "--source-document", "S", "--election", "x"],
    ],
)
def test_bad_input_to_withdraw_exits_2_and_changes_nothing(args: list[str]) -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    candidate = president(election)
    result = run("withdraw", *args)
    assert result.exit_code == 2, result.output
    candidate.refresh_from_db()
    assert candidate.status == "nominated"


# -- documents ---------------------------------------------------------------------------------


def test_the_checklist_lists_required_filed_and_missing_and_filing_completes_it() -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    candidate = president(election, documents=(("application", "APP-1"),))
    required = services.required_documents(candidate)
    result = run("documents", "--candidate", "P-1")
    assert result.exit_code == 1, result.output  # documents missing
    assert "✓ application" in result.output and "APP-1" in result.output
    assert "✗ diploma" in result.output
    assert f"required {len(required)}, filed 1, missing {len(required) - 1}" in result.output
    for n, kind in enumerate(k for k in required if k != "application"):
        filed = run("document", kind, f"N-{n}", "--candidate", "P-1", "--received-on", "2027-01-20")
        assert filed.exit_code == 0, filed.output
    assert CandidateDocument.objects.filter(candidate=candidate).count() == len(required)
    done = run("documents", "--candidate", "P-1")
    assert done.exit_code == 0, done.output
    assert "missing 0" in done.output and "✗" not in done.output


def test_filing_a_document_names_what_is_still_missing() -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    president(election)
    result = run("document", "diploma", "DIP-3", "--candidate", "P-1")
    assert result.exit_code == 0, result.output
    assert "diploma DIP-3 received" in result.output and "missing: application" in result.output
    assert LedgerEntry.objects.filter(kind=services.DOCUMENT_ADDED).count() == 1


@pytest.mark.parametrize(
    "args",
    [
        ["document", "birth_certificate", "X", "--candidate", "P-1"],
        ["document", "diploma", "X", "--candidate", "NOBODY"],
        ["document", "diploma", "X", "--candidate", "P-1", "--received-on", "yesterday"],
        ["documents", "--candidate", "NOBODY"],
    ],
)
def test_bad_input_to_the_document_commands_exits_2(args: list[str]) -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    president(election)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert not CandidateDocument.objects.exists()


def test_a_document_for_a_closed_nomination_is_refused() -> None:
    election = f.election("kg-2025", polling_day=POLLING_DAY)
    candidate = president(election)
    services.withdraw("cli", candidate, datetime.date(2027, 2, 1), "St. 1")
    result = run("document", "diploma", "DIP-3", "--candidate", "P-1")
    assert result.exit_code == 1, result.output
    assert not CandidateDocument.objects.exists()


# -- replace -----------------------------------------------------------------------------------


def party_list(election, sexes: str) -> list[Candidate]:
    Party.objects.create(
        code="ak", name_ky="Ак жол", name_ru="Ак Жол", registered_on=datetime.date(2010, 1, 1)
    )
    made = []
    for n, sex in enumerate(sexes, 1):
        birth = datetime.date(1970, 1, n)
        made.append(
            services.nominate(
                "cli",
                election,
                services.NominationData(
                    ref=f"AK-{n}", pin=build_pin(sex, birth, 100 + n), surname="Асанова",
                    given_name="Айгүл", patronymic="", sex=sex, birth_date=birth,
                    office="jk_deputy", nominated_on=datetime.date(2027, 1, 10), party="ak",
                    list_position=n, minority=n in (1, 6), disability=n in (1, 7),
                ),
            )
        )  # fmt: skip
    return made


def replace_args(sex: str, on: str = "2027-02-20") -> tuple[list[str], str]:
    birth = datetime.date(1981, 3, 3)
    args = [
        "replace", "--candidate", "AK-4", "--ref", "AK-4B", "--surname", "Жээнбеков",
        "--given-name", "Азамат", "--sex", sex, "--birth-date", birth.isoformat(),
        "--pin-stdin", "--minority", "no", "--disability", "no", "--document",
        "application=APP-9", "--on", on, "--source-document", "Decision 12",
    ]  # fmt: skip
    return args, build_pin(sex, birth, 777) + "\n"


def test_a_replacement_takes_the_position() -> None:
    election = f.election("kg-2021", polling_day=POLLING_DAY)
    made = party_list(election, "MFFMFMFMFM")
    args, pin = replace_args("M")
    result = run(*args, stdin=pin)
    assert result.exit_code == 0, result.output
    assert "AK-4 replaced by AK-4B at position 4" in result.output
    new = Candidate.objects.get(ref="AK-4B")
    made[3].refresh_from_db()
    assert made[3].status == "replaced" and new.replaces == made[3]
    assert new.documents.get().number == "APP-9"
    assert new.pin not in result.output


def test_a_replacement_that_breaks_the_list_is_refused_with_the_rule() -> None:
    election = f.election("kg-2021", polling_day=POLLING_DAY)
    made = party_list(election, "MFFMFMFMFM")
    args, pin = replace_args("F")  # four women in a row at 2–5
    result = run(*args, stdin=pin)
    assert result.exit_code == 1, result.output
    assert "position 4" in result.output and "SEX_GAP" in result.output
    assert "Ch. 11" in result.output
    made[3].refresh_from_db()
    assert made[3].status == "nominated" and not Candidate.objects.filter(ref="AK-4B").exists()


def test_a_replacement_past_the_deadline_is_refused() -> None:
    election = f.election("kg-2021", polling_day=POLLING_DAY)
    party_list(election, "MFFMFMFMFM")
    late = deadline("kg-2021", "replacement_days_before") + datetime.timedelta(days=1)
    args, pin = replace_args("M", on=late.isoformat())
    result = run(*args, stdin=pin)
    assert result.exit_code == 1, result.output
    assert "Art. 48" in result.output


def test_bad_input_to_replace_exits_2() -> None:
    election = f.election("kg-2021", polling_day=POLLING_DAY)
    party_list(election, "MFFMFMFMFM")
    args, pin = replace_args("M")
    assert run(*args, stdin="2" + "0" * 13 + "\n").exit_code == 2  # a malformed PIN
    no_stdin = [a for a in args if a != "--pin-stdin"]
    assert run(*no_stdin, stdin=pin).exit_code == 2
    bad_flag = [("maybe" if a == "no" else a) for a in args]
    assert run(*bad_flag, stdin=pin).exit_code == 2
    bad_doc = [("application" if a == "application=APP-9" else a) for a in args]
    assert run(*bad_doc, stdin=pin).exit_code == 2
    assert not Candidate.objects.filter(ref="AK-4B").exists()
    assert Candidate.objects.get(ref="AK-4").status == "nominated"
