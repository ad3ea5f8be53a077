"""Nominations, registry checks, decisions, appeals, withdrawals: the use cases staff run.

The registries are the default table adapters, filled by hand here; one test swaps in a
connector that hangs, to see the "registry unavailable" outcome.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import replace
from typing import get_args

import pytest

import factories as f
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Appeal, Candidate, CandidateChange, SignatureSubmission
from shailoo.candidates.registries import Found, Registries
from shailoo.common.refusals import Conflict, InvalidInput, NotFound, PermissionRefused
from shailoo.integrity.models import LedgerEntry
from shailoo.law.schema import NominationDocument
from shailoo.register.pin import build_pin

POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


def _data(**overrides: object) -> services.NominationData:
    birth = overrides.pop("birth_date", datetime.date(1980, 1, 10))
    sex = overrides.pop("sex", "M")
    base = services.NominationData(
        ref="P-1",
        pin=build_pin(str(sex), birth, 42),  # type: ignore[arg-type]
        surname="Асанов",
        given_name="Бакыт",
        patronymic="Эркинович",
        sex=str(sex),
        birth_date=birth,  # type: ignore[arg-type]
        office="president",
        nominated_on=datetime.date(2027, 1, 20),
        documents=tuple((kind, f"{kind[:3].upper()}-1") for kind in get_args(NominationDocument)),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _clean_records(pin: str, *, since: datetime.date = datetime.date(1980, 1, 10)) -> None:
    on = datetime.date(2027, 1, 15)
    reg.CitizenshipRecord.objects.create(pin=pin, citizenships="KG", as_of=on, reference="C-1")
    reg.ResidenceStay.objects.create(pin=pin, started_on=since, as_of=on, reference="R-1")
    reg.LanguageTest.objects.create(
        pin=pin, result="passed", tested_on=datetime.date(2026, 12, 1), certificate="L-1"
    )
    reg.EducationRecord.objects.create(pin=pin, level="higher", as_of=on, document="D-1")
    reg.RecordsChecked.objects.create(pin=pin, as_of=on, reference="N-1")


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


def test_a_clean_candidate_is_checked_registered_and_all_is_on_the_ledger(election) -> None:
    candidate = services.nominate(
        "cli", election, _data(office="jk_deputy", district="D07", deposit_som=300_000)
    )
    _clean_records(candidate.pin)
    check = services.check_candidate("cli", candidate)
    assert check.verdict == "eligible", check.checks
    by_code = {c["code"]: c for c in check.checks}
    assert by_code["CITIZENSHIP"]["evidence"]["source"] == "citizenship_registry"
    assert "Art. 59" in by_code["AGE"]["citation"]["en"]
    assert by_code["AGE"]["citation"]["ru"] and by_code["AGE"]["citation"]["ky"]
    decision = services.decide_registration("cli", candidate)
    candidate.refresh_from_db()
    assert decision.outcome == "registered" and candidate.status == "registered"
    kinds = list(LedgerEntry.objects.order_by("sequence").values_list("kind", flat=True))
    assert kinds[-3:] == [services.NOMINATION, services.CHECK, services.DECISION]
    # no PIN in clear on the ledger
    assert all(candidate.pin.encode() not in bytes(e.data) for e in LedgerEntry.objects.all())


def test_a_dual_citizen_is_refused_with_the_rule_and_its_citation(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    reg.CitizenshipRecord.objects.filter(pin=candidate.pin).update(citizenships="KG;RU")
    check = services.check_candidate("cli", candidate)
    assert check.verdict == "ineligible"
    failing = [c for c in check.checks if c["outcome"] == "not_met"]
    assert [c["code"] for c in failing] == ["OTHER_CITIZENSHIP"]
    decision = services.decide_registration("cli", candidate)
    assert decision.outcome == "refused"
    entry = LedgerEntry.objects.filter(kind=services.DECISION).get()
    assert b"OTHER_CITIZENSHIP" in bytes(entry.data)


def test_a_missing_record_is_undecided_and_cannot_be_decided(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    reg.EducationRecord.objects.filter(pin=candidate.pin).delete()
    check = services.check_candidate("cli", candidate)
    assert check.verdict == "undecided"
    education = next(c for c in check.checks if c["code"] == "EDUCATION")
    assert education["outcome"] == "undecided" and education["needs_document"]
    with pytest.raises(Conflict) as refused:
        services.decide_registration("cli", candidate)
    assert refused.value.code == "undecided"
    assert education["needs_document"] in refused.value.message


def test_no_criminal_records_certificate_is_not_a_clean_record(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    reg.RecordsChecked.objects.filter(pin=candidate.pin).delete()
    check = services.check_candidate("cli", candidate)
    record = next(c for c in check.checks if c["code"] == "CRIMINAL_RECORD")
    assert record["outcome"] == "undecided"


class _Hanging:
    name = "citizenship_registry"

    def lookup(self, pin: str) -> Found | None:
        time.sleep(2)
        return None


def test_a_registry_that_times_out_is_named_unavailable(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    check = services.check_candidate(
        "cli", candidate, Registries(citizenship=_Hanging(), timeout_s=0.2)
    )
    assert check.verdict == "undecided"
    assert check.unavailable == ["citizenship_registry"]
    entry = LedgerEntry.objects.filter(kind=services.CHECK).get()
    assert b"citizenship_registry" in bytes(entry.data)


def test_a_third_term_is_refused(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    for start in (2011, 2016):
        reg.TermRecord.objects.create(
            pin=candidate.pin,
            office="president",
            started_on=datetime.date(start, 12, 1),
            ended_on=datetime.date(start + 5, 11, 30),
        )
    check = services.check_candidate("cli", candidate)
    assert [c["code"] for c in check.checks if c["outcome"] == "not_met"] == ["TERMS"]


def test_bad_nominations_are_located(election) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.nominate("cli", election, _data(pin="1234"))
    assert [p.where for p in refused.value.problems] == ["pin"]
    with pytest.raises(NotFound) as unknown:
        services.nominate("cli", election, _data(party="no-such-party"))
    assert unknown.value.code == "unknown_party"
    with pytest.raises(InvalidInput) as office:
        services.nominate("cli", election, _data(office="king"))
    assert office.value.code == "unknown_office"
    services.nominate("cli", election, _data())
    with pytest.raises(Conflict):
        services.nominate("cli", election, _data())


def test_every_change_keeps_its_history_and_source(election) -> None:
    candidate = services.nominate("cli", election, _data())
    with pytest.raises(InvalidInput):
        services.change_candidate("cli", candidate, {"surname": "Асанбеков"}, "")
    made = services.change_candidate(
        "cli", candidate, {"surname": "Асанбеков", "given_name": "Бакыт"}, "court ruling 12/27"
    )
    assert [(c.field, c.old, c.new) for c in made] == [("surname", "Асанов", "Асанбеков")]
    change = CandidateChange.objects.get()
    assert change.source_document == "court ruling 12/27"
    assert LedgerEntry.objects.filter(kind=services.CANDIDATE_CHANGE).count() == 1
    with pytest.raises(InvalidInput):
        services.change_candidate("cli", candidate, {"status": "registered"}, "x")


def test_an_appeal_upheld_reverses_a_refusal(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    reg.LanguageTest.objects.filter(pin=candidate.pin).update(result="failed")
    services.check_candidate("cli", candidate)
    decision = services.decide_registration("cli", candidate)
    assert decision.outcome == "refused"
    appeal = services.file_appeal(
        "cli", decision, "the candidate", "the test was retaken", datetime.date(2027, 2, 1)
    )
    services.decide_appeal("cli", appeal, Appeal.Outcome.UPHELD, "certificate L-2 shown")
    candidate.refresh_from_db()
    assert candidate.status == "registered"
    with pytest.raises(Conflict):
        services.decide_appeal("cli", appeal, Appeal.Outcome.DISMISSED, "again")
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {services.APPEAL, services.APPEAL_DECISION} <= kinds


def test_withdrawal_after_the_deadline_is_refused_with_its_citation(election) -> None:
    candidate = services.nominate("cli", election, _data())
    late = POLLING_DAY - datetime.timedelta(days=1)
    with pytest.raises(Conflict) as refused:
        services.withdraw("cli", candidate, late, "letter")
    assert refused.value.code == "past_deadline" and refused.value.citation
    services.withdraw("cli", candidate, POLLING_DAY - datetime.timedelta(days=30), "letter")
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.WITHDRAWN


def test_staff_without_the_role_are_refused(election, django_user_model) -> None:
    user = django_user_model.objects.create_user("nobody", password="x" * 12)
    with pytest.raises(PermissionRefused):
        services.nominate(user, election, _data())


def _submission(candidate: Candidate, verdict: str) -> None:
    SignatureSubmission.objects.create(
        candidate=candidate,
        file_name="sheets.csv",
        file_sha256="0" * 64,
        rows=40_000,
        valid=36_000 if verdict == "sufficient" else 20_000,
        counts={},
        invalid_share=0.1,
        verdict=verdict,
        actor="cli",
    )


def test_a_president_needs_verified_signatures_to_be_registered(election) -> None:
    candidate = services.nominate("cli", election, _data())
    _clean_records(candidate.pin)
    services.check_candidate("cli", candidate)
    with pytest.raises(Conflict) as missing:
        services.decide_registration("cli", candidate)
    assert missing.value.code == "signatures_missing" and "Art. 68" in missing.value.citation
    _submission(candidate, "insufficient")
    decision = services.decide_registration("cli", candidate)
    # no deposit paid either (1,000,000 som): both grounds
    assert (decision.outcome, decision.grounds) == ("refused", ["DEPOSIT", "SIGNATURES"])


def test_sufficient_signatures_and_a_clean_check_register_a_president(election) -> None:
    candidate = services.nominate("cli", election, _data(deposit_som=1_000_000))
    _clean_records(candidate.pin)
    services.check_candidate("cli", candidate)
    _submission(candidate, "sufficient")
    decision = services.decide_registration("cli", candidate)
    assert (decision.outcome, decision.grounds) == ("registered", [])
    assert decision.signatures is not None


def test_a_deposit_below_the_law_refuses(election) -> None:
    candidate = services.nominate(
        "cli", election, _data(office="jk_deputy", district="D07", deposit_som=299_999)
    )
    _clean_records(candidate.pin)
    services.check_candidate("cli", candidate)
    decision = services.decide_registration("cli", candidate)
    assert (decision.outcome, decision.grounds) == ("refused", ["DEPOSIT"])


def test_a_registration_needs_every_document_of_the_checklist(election) -> None:
    candidate = services.nominate(
        "cli",
        election,
        _data(
            office="jk_deputy",
            district="D07",
            deposit_som=300_000,
            documents=(("application", "A-1"), ("passport", "ID123")),
        ),
    )
    _clean_records(candidate.pin)
    services.check_candidate("cli", candidate)
    missing = services.missing_documents(candidate)
    # no signatures, no party: those papers are not asked of a self-nominated deputy
    assert "signature_sheets" not in missing and "party_decision" not in missing
    assert {"diploma", "deposit_receipt", "income_declaration"} <= set(missing)
    with pytest.raises(Conflict) as refused:
        services.decide_registration("cli", candidate)
    assert refused.value.code == "documents_missing" and "Art. 59" in refused.value.citation
    for kind in missing:
        services.add_document("cli", candidate, kind, f"{kind}-7", datetime.date(2027, 2, 1))
    with pytest.raises(InvalidInput):
        services.add_document("cli", candidate, "horoscope", "x", datetime.date(2027, 2, 1))
    assert services.decide_registration("cli", candidate).outcome == "registered"


def test_a_list_candidate_needs_the_party_to_pay_the_list_deposit() -> None:
    election = f.election("kg-2021", polling_day=POLLING_DAY)
    party = services.register_party(
        "cli",
        code="ata",
        name_ky="Ата Журт",
        name_ru="Ата Журт",
        registration_number="MJ-1",
        registered_on=datetime.date(2010, 1, 1),
    )
    candidate = services.nominate(
        "cli", election, _data(office="jk_deputy", party="ata", member_of="ata", list_position=1)
    )
    _clean_records(candidate.pin)
    services.check_candidate("cli", candidate)
    assert services.list_deposit_short(candidate)
    services.record_list_deposit("cli", election, party, 1_000_000, datetime.date(2027, 1, 5))
    assert not services.list_deposit_short(candidate)
    services.record_list_deposit("cli", election, party, 999_999, datetime.date(2027, 1, 6))
    decision = services.decide_registration("cli", candidate)
    assert (decision.outcome, decision.grounds) == ("refused", ["DEPOSIT"])
    assert LedgerEntry.objects.filter(kind=services.LIST_DEPOSIT).count() == 2
