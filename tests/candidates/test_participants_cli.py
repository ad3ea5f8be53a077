"""``shailoo candidates participants``: admit, list and revoke from the command line — the
exit codes, the reasons with their basis, and a PIN that only ever comes on standard input."""

from __future__ import annotations

import datetime
import json

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Participant, Party
from shailoo.candidates.participant_services import PARTICIPANT, REVOCATION
from shailoo.candidates.participants_cli import participants_app
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import build_pin

POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY, code="pres-2027")


@pytest.fixture
def candidate(election):
    """The presidential candidate the trusted persons act for."""
    birth = datetime.date(1975, 6, 2)
    return services.nominate(
        "cli",
        election,
        services.NominationData(
            ref="P-1", pin=build_pin("M", birth, 1), surname="Асанов", given_name="Бакыт",
            patronymic="", sex="M", birth_date=birth, office="president",
            nominated_on=datetime.date(2027, 1, 20),
        ),
    )  # fmt: skip


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(participants_app, list(args), input=stdin)


def admit(ref: str, role: str, *more: str, stdin: str | None = None):
    return run(
        "admit", "--ref", ref, "--role", role, "--surname", "Иванов", "--given-name", "Иван",
        *more, stdin=stdin,
    )  # fmt: skip


def proxy(ref: str, *more: str):
    """A trusted person of candidate P-1."""
    return admit(ref, "trusted_person", "--for-candidate", "P-1", *more)


def test_a_foreign_proxy_is_refused_with_the_reason_and_its_basis(candidate) -> None:
    result = run(
        "admit", "--ref", "TP-1", "--role", "trusted_person", "--surname", "Иванов",
        "--given-name", "Иван", "--citizenships", "RU", "--for-candidate", "P-1", "--lang", "ru",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    proxy = Participant.objects.get(ref="TP-1")
    assert proxy.status == "refused" and proxy.for_candidate == candidate
    assert "Доверенное лицо: отказано" in result.output
    assert "иностранный гражданин не может быть доверенным лицом" in result.output
    assert proxy.reasons[0]["citation"]["ru"] in result.output


def test_a_stateless_trusted_person_is_refused_and_a_citizen_admitted(candidate) -> None:
    stateless = proxy("TP-2", "--citizenships", "stateless")
    assert stateless.exit_code == 1
    assert "a stateless person may not be a trusted person" in stateless.output
    citizen = proxy("TP-3", "--citizenships", "kg")
    assert citizen.exit_code == 0, citizen.output
    badge = Participant.objects.get(ref="TP-3").badge_number
    assert badge and badge in citizen.output


def test_unknown_facts_leave_the_decision_open(candidate) -> None:
    result = proxy("TP-4")
    assert result.exit_code == 1
    assert Participant.objects.get(ref="TP-4").status == "undecided"
    assert "citizenship unknown — needs a citizenship record" in result.output
    observer = admit("INT-1", "international_observer", "--country", "de")
    assert observer.exit_code == 1 and "accreditation unknown" in observer.output
    accredited = admit("INT-2", "international_observer", "--accredited", "--country", "DE")
    assert accredited.exit_code == 0, accredited.output
    refused = admit("INT-3", "international_observer", "--not-accredited")
    assert refused.exit_code == 1
    assert Participant.objects.get(ref="INT-3").accredited is False


def test_the_pin_is_read_from_standard_input_only(election) -> None:
    voter = f.person(f.station(3001))
    reg.CitizenshipRecord.objects.create(
        pin=voter.pin, citizenships="KG", as_of=POLLING_DAY, reference="C-1"
    )
    result = admit(
        "OBS-1", "domestic_observer", "--pin-stdin", "--office", "law_enforcement",
        "--office", "deputy", stdin=f"{voter.pin}\n",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    observer = Participant.objects.get(ref="OBS-1")
    assert observer.pin == voter.pin and observer.status == "refused"
    assert {r["office"] for r in observer.reasons} == {"law_enforcement", "deputy"}
    assert voter.pin not in result.output
    entry = LedgerEntry.objects.get(kind=PARTICIPANT)
    assert voter.pin.encode() not in bytes(entry.data)

    clean = admit("OBS-2", "domestic_observer", "--pin-stdin", stdin=f"{voter.pin}\n")
    assert clean.exit_code == 0, clean.output  # a voter holding no barred office

    assert admit("OBS-3", "domestic_observer", "--pin", voter.pin).exit_code == 2
    empty = admit("OBS-4", "domestic_observer", "--pin-stdin", stdin="\n")
    assert empty.exit_code == 2 and "--pin-stdin" in empty.output
    malformed = admit("OBS-5", "domestic_observer", "--pin-stdin", stdin="12345\n")
    assert malformed.exit_code == 2 and "--pin-stdin:" in malformed.output
    assert not Participant.objects.filter(ref__in=["OBS-3", "OBS-4", "OBS-5"]).exists()


def test_bad_input_exits_2_at_its_option(election) -> None:
    role = admit("X-1", "king", "--citizenships", "KG")
    assert role.exit_code == 2 and "--role:" in role.output
    codes = admit("X-2", "trusted_person", "--citizenships", "KGZ")
    assert codes.exit_code == 2 and "--citizenships:" in codes.output
    office = admit("X-3", "domestic_observer", "--office", "astronaut", "--citizenships", "KG")
    assert office.exit_code == 2 and "--office:" in office.output
    country = admit("X-4", "international_observer", "--country", "DEU")
    assert country.exit_code == 2 and "--country:" in country.output
    candidate = admit("X-5", "trusted_person", "--for-candidate", "NOBODY")
    assert candidate.exit_code == 2
    party = admit("X-6", "party_representative", "--for-party", "nope")
    assert party.exit_code == 2
    election_code = admit("X-7", "media", "--election", "nope")
    assert election_code.exit_code == 2
    assert not Participant.objects.exists()
    assert admit("D-1", "media").exit_code == 0
    assert admit("D-1", "media").exit_code == 1  # the reference is taken: the state says no


def test_one_who_acts_for_nobody_exits_2_at_the_option_and_nothing_is_kept(candidate) -> None:
    nobody = admit("TP-1", "trusted_person", "--citizenships", "KG")
    assert nobody.exit_code == 2
    assert "--for-candidate: name the candidate or party this person acts for" in nobody.output
    party = admit("PR-1", "party_representative", "--citizenships", "KG", "--for-candidate", "P-1")
    assert party.exit_code == 2 and "--for-party: name the party" in party.output
    assert not Participant.objects.exists() and not LedgerEntry.objects.filter(kind=PARTICIPANT)


def test_list_shows_status_badge_and_reasons_filtered_by_role(candidate) -> None:
    Party.objects.create(
        code="ata", name_ky="Ата Журт", name_ru="Ата Журт", registered_on=datetime.date(2010, 1, 1)
    )
    admit("PR-1", "party_representative", "--citizenships", "KG", "--for-party", "ata")
    proxy("TP-1", "--citizenships", "RU")
    admit("M-1", "media", "--organisation", "Азаттык")
    listed = run("list", "--election", "pres-2027")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == [
        "M-1", "PR-1", "TP-1",
    ]  # fmt: skip
    representative = next(line for line in lines if line.startswith("PR-1"))
    assert "admitted" in representative and "ata" in representative
    assert "P-1" in next(line for line in lines if line.startswith("TP-1"))  # for whom
    assert Participant.objects.get(ref="PR-1").badge_number in representative
    assert "✗ Citizenship: not met — a citizen of RU, not of KG" in listed.output
    only = run("list", "--role", "trusted_person")
    assert [line.split()[0] for line in only.output.splitlines() if not line.startswith(" ")] == [
        "TP-1"
    ]
    refused = run("list", "--status", "admitted")
    assert "TP-1" not in refused.output and "M-1" in refused.output
    assert run("list", "--role", "king").exit_code == 2


def test_revoke_needs_an_admitted_participant_and_a_reason(candidate) -> None:
    admit("M-1", "media")
    proxy("TP-1", "--citizenships", "RU")
    assert run("revoke", "--ref", "M-1", "--reason", " ").exit_code == 2
    assert run("revoke", "--ref", "NOBODY", "--reason", "x").exit_code == 2
    refused = run("revoke", "--ref", "TP-1", "--reason", "x")
    assert refused.exit_code == 1 and Participant.objects.get(ref="TP-1").status == "refused"
    done = run("revoke", "--ref", "M-1", "--reason", "press card withdrawn")
    assert done.exit_code == 0, done.output
    journalist = Participant.objects.get(ref="M-1")
    assert journalist.status == "revoked" and journalist.revoked_reason == "press card withdrawn"
    entry = LedgerEntry.objects.get(kind=REVOCATION)
    assert json.loads(bytes(entry.data))["payload"]["data"]["reason"] == "press card withdrawn"
    assert run("revoke", "--ref", "M-1", "--reason", "again").exit_code == 1
    listed = run("list", "--status", "revoked")
    assert "M-1" in listed.output and "press card withdrawn" in listed.output
