"""Staff and public candidate pages, the text of a check, the decision and badge PDFs.

Staff log in as the MFA login leaves a session (``accounts.testing.login_verified``). The
registries are the default table adapters, filled here row by row, so each check is decided
by the same code the commission runs.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, get_args

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.models import PersonalDataAccess, RoleAssignment
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.candidates import documents, services
from shailoo.candidates import registry_models as reg
from shailoo.candidates.models import (
    Candidate,
    CandidateChange,
    CandidateCheck,
    CandidateDocument,
    Participant,
    Party,
    RegistrationDecision,
    SignatureSubmission,
)
from shailoo.common.refusals import Conflict
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.law.schema import NominationDocument
from shailoo.register.pin import build_pin, mask_pin

pytestmark = pytest.mark.django_db

POLLING_DAY = datetime.date(2027, 3, 14)
BIRTH = datetime.date(1975, 6, 2)


def pdf_text(data: bytes) -> str:
    """The text of every page, its lines joined by single spaces (wrapping is layout)."""
    pdf = pypdfium2.PdfDocument(data)
    return " ".join(
        " ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))
    )


def records(pin: str, *, citizenships: str = "KG", education: str | None = "higher") -> None:
    """The registries' rows of a person resident since birth, tested, with no record."""
    on = datetime.date(2027, 1, 15)
    reg.CitizenshipRecord.objects.create(
        pin=pin, citizenships=citizenships, as_of=on, reference="CIT-2027-0042"
    )
    reg.ResidenceStay.objects.create(pin=pin, started_on=BIRTH, as_of=on, reference="RES-7")
    reg.LanguageTest.objects.create(
        pin=pin, result="passed", tested_on=datetime.date(2026, 12, 1), certificate="LT-9"
    )
    if education is not None:
        reg.EducationRecord.objects.create(pin=pin, level=education, as_of=on, document="DIP-3")
    reg.RecordsChecked.objects.create(pin=pin, as_of=on, reference="NCR-5")


def deposit(office: str) -> int | None:
    """The deposit the law asks of a candidate for ``office`` (none when it asks none)."""
    rules = getattr(load_edition("kg-2025").candidates.offices, office)
    return rules.deposit_som.value if rules.deposit_som is not None else None


#: Every document a checklist may ask for, filed.
ALL_DOCUMENTS = tuple((kind, f"{kind[:3].upper()}-1") for kind in get_args(NominationDocument))


def nomination(ref: str = "P-1", serial: int = 42, **overrides: Any) -> services.NominationData:
    """A nomination with its documents and, unless on a party's list, the deposit paid."""
    office = overrides.get("office", "president")
    data = {
        "ref": ref,
        "pin": build_pin("M", BIRTH, serial),
        "surname": "Асанов",
        "given_name": "Бакыт",
        "patronymic": "Эркинович",
        "sex": "M",
        "birth_date": BIRTH,
        "office": "president",
        "nominated_on": datetime.date(2027, 1, 20),
        "documents": ALL_DOCUMENTS,
        "deposit_som": None if overrides.get("list_position") is not None else deposit(office),
    }
    return services.NominationData(**{**data, **overrides})


def signatures(candidate: Candidate, valid: int, rows: int, verdict: str) -> SignatureSubmission:
    """A verification of the candidate's signature sheets, as ``signature_services`` keeps it."""
    return SignatureSubmission.objects.create(
        candidate=candidate,
        file_name="signers.csv",
        file_sha256="0" * 64,
        rows=rows,
        valid=valid,
        counts={"VALID": valid, "NOT_IN_REGISTER": rows - valid},
        invalid_share=(rows - valid) / rows,
        verdict=verdict,
        actor="cli",
        ledger_index=99,
    )


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


@pytest.fixture
def region():
    return f.region("KG-C")


@pytest.fixture
def admin_client(client: Client) -> Client:
    login_verified(client, make_user("cec-admin", Role.CEC_ADMIN))
    return client


def refused(election, region=None, ref: str = "P-1") -> Candidate:
    """A dual citizen, checked and refused through the services."""
    candidate = services.nominate(
        "cli", election, nomination(ref, region=region.code if region else None)
    )
    records(candidate.pin, citizenships="KG;RU")
    services.check_candidate("cli", candidate)
    services.decide_registration("cli", candidate)
    candidate.refresh_from_db()
    return candidate


# -- who may open what -------------------------------------------------------------------------

STAFF_PAGES = ["candidates:nominations", "candidates:nominate"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_users_without_a_candidates_role_are_refused(client: Client, name: str) -> None:
    login_verified(client, make_user("pec", Role.PEC_OPERATOR, f.station()))
    assert client.get(reverse(name)).status_code == 403


def test_a_cec_member_may_read_and_decide_but_not_nominate(client: Client, election) -> None:
    login_verified(client, make_user("member", Role.CEC_MEMBER))
    assert client.get(reverse("candidates:nominations")).status_code == 200
    assert client.get(reverse("candidates:nominate")).status_code == 403
    assert client.post(reverse("candidates:nominate"), {}).status_code == 403


def test_staff_see_only_the_nominations_of_their_region(client: Client, election) -> None:
    centre, osh = f.region("KG-C"), f.region("KG-O")
    here = services.nominate("cli", election, nomination("HERE", 1, region=centre.code))
    there = services.nominate("cli", election, nomination("THERE", 2, region=osh.code))
    nowhere = services.nominate("cli", election, nomination("COUNTRY", 3))
    user = make_user("regional")
    RoleAssignment.objects.create(
        user=user, role=Role.CEC_MEMBER.value, scope="region", region=centre, granted_by="test"
    )
    login_verified(client, user)
    page = client.get(reverse("candidates:nominations")).content.decode()
    assert "HERE" in page and "THERE" not in page and "COUNTRY" not in page
    assert client.get(reverse("candidates:candidate", args=[here.pk])).status_code == 200
    for outside in (there, nowhere):
        assert client.get(reverse("candidates:candidate", args=[outside.pk])).status_code == 404
        check = client.post(reverse("candidates:check", args=[outside.pk]))
        assert check.status_code == 404
    assert not CandidateCheck.objects.exists()


def test_a_tec_operator_sees_no_nomination_of_a_region(client: Client, election) -> None:
    """A TEC assignment does not cover a whole region (the permission module's places)."""
    centre = f.region("KG-C")
    services.nominate("cli", election, nomination("HERE", 1, region=centre.code))
    login_verified(client, make_user("tec", Role.TEC_OPERATOR, f.tec(centre)))
    page = client.get(reverse("candidates:nominations")).content.decode()
    assert "HERE" not in page


def test_the_list_filters_by_status_office_party_and_region(
    admin_client: Client, election, region
) -> None:
    Party.objects.create(
        code="ata", name_ky="Ата Журт", name_ru="Ата Журт", registered_on=datetime.date(2010, 1, 1)
    )
    refused(election, region, ref="REF-1")
    services.nominate("cli", election, nomination("NOM-2", 2))
    services.nominate(
        "cli", election, nomination("JK-3", 3, office="jk_deputy", party="ata", list_position=1)
    )
    url = reverse("candidates:nominations")

    def refs(**query: str) -> list[str]:
        page = admin_client.get(url, query).content.decode()
        table = page[page.index('id="nominations"') :]
        return [ref for ref in ("REF-1", "NOM-2", "JK-3") if f">{ref}</a>" in table]

    assert refs() == ["REF-1", "NOM-2", "JK-3"]
    assert refs(status="refused") == ["REF-1"]
    assert refs(office="jk_deputy") == ["JK-3"]
    assert refs(party="ata") == ["JK-3"]
    assert refs(party="-") == ["REF-1", "NOM-2"]
    assert refs(region="KG-C") == ["REF-1"]
    assert "errorlist" in admin_client.get(url, {"status": "elected"}).content.decode()


# -- filing a nomination -----------------------------------------------------------------------


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "ref": "N-7",
        "pin": build_pin("F", datetime.date(1980, 2, 29), 7),
        "surname": "Өмүрова",
        "given_name": "Айгүл",
        "patronymic": "Талантовна",
        "sex": "F",
        "birth_date": "1980-02-29",
        "office": "president",
        "district": "",
        "region": "KG-C",
        "party": "",
        "member_of": "",
        "list_position": "",
        "minority": "",
        "disability": "",
        "deposit_som": "1000000",
        "nominated_on": "2027-01-21",
        "doc_application": "APP-1",
        "doc_passport": "ID 5550001",
        "doc_deposit_receipt": "",
    }
    return {**data, **overrides}


def test_a_nomination_is_filed_through_the_form(admin_client: Client, election, region) -> None:
    response = admin_client.post(reverse("candidates:nominate"), _form())
    candidate = Candidate.objects.get(ref="N-7")
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:candidate", args=[candidate.pk])
    assert candidate.region == region and candidate.deposit_som == 1_000_000
    assert candidate.status == "nominated" and candidate.birth_date == datetime.date(1980, 2, 29)
    kinds = dict(
        CandidateDocument.objects.filter(candidate=candidate).values_list("kind", "number")
    )
    assert kinds == {"application": "APP-1", "passport": "ID 5550001"}
    assert LedgerEntry.objects.filter(kind=services.NOMINATION).count() == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert mask_pin(candidate.pin) in page and candidate.pin not in page


def test_a_malformed_pin_is_shown_beside_its_field_and_nothing_is_filed(
    admin_client: Client, election, region
) -> None:
    response = admin_client.post(reverse("candidates:nominate"), _form(pin="2" + "0" * 13))
    assert response.status_code == 400
    assert not Candidate.objects.exists()
    errors = response.context["form"].errors
    assert "pin" in errors, errors


def test_a_pin_that_does_not_match_the_birth_date_is_refused(
    admin_client: Client, election, region
) -> None:
    wrong = build_pin("F", datetime.date(1980, 3, 1), 7)
    response = admin_client.post(reverse("candidates:nominate"), _form(pin=wrong))
    assert response.status_code == 400 and not Candidate.objects.exists()
    assert "pin" in response.context["form"].errors


def test_an_unknown_party_is_refused_with_a_message(admin_client: Client, election, region) -> None:
    response = admin_client.post(reverse("candidates:nominate"), _form(party="nope"))
    assert response.status_code == 400 and not Candidate.objects.exists()
    assert "party" in response.context["form"].errors  # not one of the choices


def test_a_nomination_get_never_files_anything(admin_client: Client, election, region) -> None:
    response = admin_client.get(reverse("candidates:nominate"), _form())
    assert response.status_code == 200 and not Candidate.objects.exists()


# -- checks, decisions, appeals on the candidate page ------------------------------------------


def test_the_check_is_shown_rule_by_rule_with_evidence_and_citation(
    admin_client: Client, election, region
) -> None:
    candidate = services.nominate("cli", election, nomination(region=region.code))
    records(candidate.pin, citizenships="KG;RU")
    response = admin_client.post(reverse("candidates:check", args=[candidate.pk]))
    assert response.status_code == 302
    check = CandidateCheck.objects.get(candidate=candidate)
    assert check.verdict == "ineligible"
    url = reverse("candidates:candidate", args=[candidate.pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    stored = {c["code"]: c for c in check.checks}
    assert "Гражданство другого государства" in page
    assert stored["OTHER_CITIZENSHIP"]["citation"]["ru"] in page
    assert "реестр гражданства" in page and "CIT-2027-0042" in page
    assert 'data-code="OTHER_CITIZENSHIP"' in page and "rule-not_met" in page
    assert page.count('class="rule-') == len(check.checks)
    page_ky = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ky").content.decode()
    assert "Башка мамлекеттин жарандыгы" in page_ky
    assert stored["OTHER_CITIZENSHIP"]["citation"]["ky"] in page_ky
    # each view of the record is in the personal-data access log, without the PIN
    logged = PersonalDataAccess.objects.filter(subject_type="candidates.candidate")
    assert logged.count() == 2 and candidate.pin not in logged.first().subject_label


def test_an_undecided_check_names_the_document_and_cannot_be_decided(
    admin_client: Client, election, region
) -> None:
    candidate = services.nominate("cli", election, nomination(region=region.code))
    records(candidate.pin, education=None)
    admin_client.post(reverse("candidates:check", args=[candidate.pk]))
    response = admin_client.post(
        reverse("candidates:decide", args=[candidate.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert not RegistrationDecision.objects.exists()
    assert "The check is undecided: documents needed: diploma" in page  # the refusal, shown
    assert "diploma or school-leaving certificate" in page  # the document needed, named
    candidate.refresh_from_db()
    assert candidate.status == "nominated"


def test_deciding_refuses_with_a_pdf_in_kyrgyz_and_russian(
    admin_client: Client, election, region
) -> None:
    candidate = services.nominate("cli", election, nomination(region=region.code))
    records(candidate.pin, citizenships="KG;RU")
    admin_client.post(reverse("candidates:check", args=[candidate.pk]))
    admin_client.post(reverse("candidates:decide", args=[candidate.pk]))
    decision = RegistrationDecision.objects.get(candidate=candidate)
    assert (decision.outcome, decision.grounds) == ("refused", ["OTHER_CITIZENSHIP"])
    page = admin_client.get(reverse("candidates:candidate", args=[candidate.pk])).content.decode()
    pdf_url = reverse("candidates:decision_pdf", args=[decision.pk])
    assert pdf_url in page
    response = admin_client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    other = {c["code"]: c for c in decision.check_used.checks}["OTHER_CITIZENSHIP"]
    assert f"№ {decision.number}" in text
    assert "Об отказе в регистрации кандидата" in text
    assert "Талапкерди каттоодон баш тартуу жөнүндө" in text
    assert "Гражданство другого государства" in text and "Башка мамлекеттин жарандыгы" in text
    for lang in ("ky", "ru"):
        assert other["citation"][lang].split(",")[0] in text
    assert candidate.pin not in text


def test_an_appeal_upheld_reverses_the_refusal(admin_client: Client, election, region) -> None:
    candidate = refused(election, region)
    decision = RegistrationDecision.objects.get(candidate=candidate)
    admin_client.post(
        reverse("candidates:appeal", args=[decision.pk]),
        {"filed_by": "Асанов Б.", "filed_on": "2027-02-01", "grounds": "Renounced RU in 2026."},
    )
    appeal = decision.appeals.get()
    page = admin_client.get(reverse("candidates:candidate", args=[candidate.pk])).content.decode()
    assert "Renounced RU in 2026." in page
    admin_client.post(
        reverse("candidates:appeal_decide", args=[appeal.pk]),
        {"outcome": "upheld", "reasons": "Certificate of renunciation presented."},
    )
    candidate.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld" and candidate.status == "registered"
    assert LedgerEntry.objects.filter(kind=services.APPEAL_DECISION).count() == 1


def test_a_change_is_kept_with_its_source_document(admin_client: Client, election, region) -> None:
    candidate = services.nominate("cli", election, nomination(region=region.code))
    url = reverse("candidates:change", args=[candidate.pk])
    admin_client.post(
        url, {"field": "surname", "value": "Асанбеков", "source_document": "Passport ID777"}
    )
    change = CandidateChange.objects.get(candidate=candidate)
    assert (change.field, change.old, change.new) == ("surname", "Асанов", "Асанбеков")
    page = admin_client.get(reverse("candidates:candidate", args=[candidate.pk])).content.decode()
    assert "Passport ID777" in page and "Асанов → Асанбеков" in page
    # no source document: nothing changes
    admin_client.post(url, {"field": "surname", "value": "X", "source_document": ""})
    candidate.refresh_from_db()
    assert candidate.surname == "Асанбеков"


# -- the text of a check (``shailoo candidates check``) ----------------------------------------


def test_check_lines_give_verdict_rules_evidence_and_basis(election) -> None:
    candidate = services.nominate("cli", election, nomination())
    records(candidate.pin, citizenships="KG;RU")
    check = services.check_candidate("cli", candidate)
    lines = documents.check_lines(candidate, check, "ru")
    text = "\n".join(lines)
    assert lines[0].startswith("P-1 · Асанов Бакыт Эркинович")
    assert "не соответствует требованиям" in lines[2]
    assert "Гражданство другого государства" in lines[2]
    rule_lines = [line for line in lines if line[:1] in "✓✗?"]
    assert len(rule_lines) == len(check.checks)
    assert any(
        line.startswith("✗ Гражданство другого государства: не выполнено") for line in rule_lines
    )
    assert "реестр гражданства, «KG;RU», 15.01.2027, CIT-2027-0042" in text
    other = {c["code"]: c for c in check.checks}["OTHER_CITIZENSHIP"]
    assert f"Основание: {other['citation']['ru']}" in text
    english = "\n".join(documents.check_lines(candidate, check, "en"))
    assert "citizenship registry" in english and other["citation"]["en"] in english


def test_check_lines_name_the_document_needed_and_the_silent_registry(election) -> None:
    candidate = services.nominate("cli", election, nomination())
    records(candidate.pin, education=None)
    check = services.check_candidate("cli", candidate)
    check.unavailable = ["criminal_records"]
    lines = documents.check_lines(candidate, check, "en")
    assert "documents needed: diploma or school-leaving certificate" in lines[2]
    assert "    Needs: diploma or school-leaving certificate" in lines
    assert lines[-1] == "Registries that did not answer (ask again): criminal records"


def test_a_stored_finding_reads_as_its_sentence(election) -> None:
    """A check that kept which finding it was and its values reads as the engine's text."""
    candidate = services.nominate("cli", election, nomination())
    stored = {
        "code": "AGE",
        "outcome": "not_met",
        "found": "1995-03-15",
        "required": ">=35",
        "citation": {"ky": "68-берене", "ru": "ст. 68", "en": "Art. 68"},
        "needs_document": None,
        "evidence": None,
        "finding": "too_young",
        "values": {
            "min_age": "35",
            "birth_date": "1992-03-15",
            "comes_of_age": "2027-03-15",
            "polling_day": "2027-03-14",
            "age": "34",
        },
    }
    check = CandidateCheck.objects.create(
        candidate=candidate,
        verdict="ineligible",
        checks=[stored],
        law_edition="kg-2025",
        polling_day=POLLING_DAY,
        actor="test",
    )
    (row,) = documents.check_rows(check, "ru")
    assert row.finding == (
        "дата рождения 15.03.1992; требуемый возраст (35) наступит лишь 15.03.2027, "
        "после дня голосования (14.03.2027)"
    )
    without = {k: v for k, v in stored.items() if k not in ("finding", "values")}
    check.checks = [without]
    (row,) = documents.check_rows(check, "en")
    assert row.finding == "found 1995-03-15; required >=35"


@pytest.mark.parametrize(
    "stored",
    [
        "not a list",
        [None, 3, "x"],
        [{"code": "AGE", "outcome": "exploded", "citation": "no", "evidence": [1]}],
        [{"code": "AGE", "evidence": {"source": "citizenship_registry", "at": "not a date"}}],
    ],
)
def test_a_damaged_stored_check_is_read_without_a_crash(election, stored: Any) -> None:
    candidate = services.nominate("cli", election, nomination())
    check = CandidateCheck(
        candidate=candidate,
        verdict="?",
        checks=stored,
        law_edition="kg-2025",
        polling_day=POLLING_DAY,
        actor="test",
    )
    lines = documents.check_lines(candidate, check, "ky")
    assert lines[2].startswith("Чечим: ")
    for row in documents.check_rows(check, "ky"):
        assert row.outcome == "undecided" and row.mark == "?"


def test_an_unknown_language_is_refused(election) -> None:
    candidate = services.nominate("cli", election, nomination())
    records(candidate.pin)
    check = services.check_candidate("cli", candidate)
    with pytest.raises(ValueError, match="language"):
        documents.check_lines(candidate, check, "de")


# -- the decision document ---------------------------------------------------------------------


def test_a_registration_decision_cites_every_rule_and_the_signatures(election) -> None:
    candidate = services.nominate("cli", election, nomination())
    records(candidate.pin)
    services.check_candidate("cli", candidate)
    signatures(candidate, valid=30_500, rows=32_000, verdict="sufficient")
    decision = services.decide_registration("cli", candidate)
    assert decision.outcome == "registered"
    text = pdf_text(documents.decision_pdf(decision))
    assert "О регистрации кандидата" in text and "Талапкерди каттоо жөнүндө" in text
    assert "Кандидат соответствует всем требованиям закона" in text
    rows_ru = documents.decision_rows(decision, "ru")
    assert len(rows_ru) == len(decision.check_used.checks) + 2  # the deposit, the signatures
    paid = rows_ru[-2]
    assert (paid.code, paid.outcome) == ("DEPOSIT", "met")
    assert paid.finding == "внесено 1 000 000 сом; требуется не менее 1 000 000 сом"
    for n, row in enumerate(rows_ru, start=1):
        assert f"2.{n}. " in text and row.rule in text
    assert f"2.{len(rows_ru) + 1}. " not in text
    assert "3. " in text  # the appeal point closes the decision
    signed = rows_ru[-1]
    assert (signed.code, signed.outcome) == ("SIGNATURES", "met")
    assert signed.finding == (
        "действительных подписей: 30500 из 32000; доля недействительных 4,69 % "
        "(допускается не более 15 %); требуется не менее 30000"
    )
    assert "ст. 68" in signed.citation and "ст. 43" in signed.citation
    assert "запись журнала #99" in signed.evidence


def test_insufficient_signatures_refuse_an_eligible_candidate_and_say_so(
    client: Client, election
) -> None:
    candidate = services.nominate("cli", election, nomination())
    records(candidate.pin)
    assert services.check_candidate("cli", candidate).verdict == "eligible"
    signatures(candidate, valid=25_000, rows=32_000, verdict="insufficient")
    decision = services.decide_registration("cli", candidate)
    assert decision.outcome == "refused" and decision.grounds == ["SIGNATURES"]
    text = pdf_text(documents.decision_pdf(decision))
    assert (
        "Основания отказа: 2.1. Шайлоочулардын колдоо кол тамгалары / Подписи избирателей" in text
    )
    assert "доля недействительных 21,88 %" in text
    assert documents.public_reasons(decision, "en") == [
        ("Supporting signatures", documents.decision_rows(decision, "en")[-1].citation)
    ]
    page = client.get(reverse("candidates:public"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Подписи избирателей в поддержку" in page and "25000" not in page


def test_a_candidate_without_verified_signatures_cannot_be_registered(
    admin_client: Client, election, region
) -> None:
    candidate = services.nominate("cli", election, nomination(region=region.code))
    records(candidate.pin)
    admin_client.post(reverse("candidates:check", args=[candidate.pk]))
    response = admin_client.post(
        reverse("candidates:decide", args=[candidate.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert not RegistrationDecision.objects.exists()
    assert "The office needs 30000 signatures" in response.content.decode()


def test_the_decision_ties_to_the_ledger_by_the_checks_digest(election) -> None:
    candidate = refused(election)
    decision = RegistrationDecision.objects.get(candidate=candidate)
    entry = LedgerEntry.objects.get(kind=services.CHECK)
    digest = json.loads(bytes(entry.data))["payload"]["data"]["checks_digest"]
    assert documents.checks_digest(decision.check_used) == digest
    text = pdf_text(documents.decision_pdf(decision))
    assert digest in text
    assert f"#{decision.check_used.ledger_index}" in text and f"#{decision.ledger_index}" in text


def test_a_long_decision_runs_over_pages_each_numbered(election) -> None:
    candidate = refused(election)
    decision = RegistrationDecision.objects.get(candidate=candidate)
    check = decision.check_used
    long_basis = {lang: "ст. 68, " + "очень длинное название акта " * 40 for lang in ("ky", "ru")}
    check.checks = [
        {**item, "citation": {**item["citation"], **long_basis}} for item in check.checks
    ]
    check.save()
    pdf = pypdfium2.PdfDocument(documents.decision_pdf(decision))
    pages = len(pdf)
    assert pages >= 3
    for number in range(1, pages + 1):
        footer = pdf[number - 1].get_textpage().get_text_range().split("\n")[-1]
        assert footer.startswith(f"№ {decision.number} · ")
        assert footer.endswith(f"страница {number} из {pages}")


def test_the_decision_pdf_is_the_same_bytes_each_time(election) -> None:
    candidate = refused(election)
    decision = RegistrationDecision.objects.get(candidate=candidate)
    assert documents.decision_pdf(decision) == documents.decision_pdf(decision)


# -- badges ------------------------------------------------------------------------------------


def _participant(election, **fields: Any) -> Participant:
    defaults = {
        "ref": "OBS-1",
        "role": "domestic_observer",
        "surname": "Токтогулова",
        "given_name": "Нургүл",
        "citizenships": "KG",
        "organisation": "Коалиция за демократию",
        "status": Participant.Status.ADMITTED,
        "badge_number": "B-000123",
    }
    return Participant.objects.create(election=election, **{**defaults, **fields})


def test_an_admitted_observer_gets_a_badge(admin_client: Client, election) -> None:
    participant = _participant(election)
    response = admin_client.get(reverse("candidates:badge", args=[participant.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "B-000123" in text and "ТОКТОГУЛОВА" in text
    assert "Ата мекендик байкоочу" in text and "Наблюдатель" in text
    assert "Коалиция за демократию" in text


@pytest.mark.parametrize("status", ["refused", "undecided", "revoked"])
def test_no_badge_for_anyone_not_admitted(admin_client: Client, election, status: str) -> None:
    participant = _participant(election, status=status)
    with pytest.raises(Conflict):
        documents.badge_pdf(participant)
    response = admin_client.get(reverse("candidates:badge", args=[participant.pk]))
    assert response.status_code == 409


def test_a_badge_needs_the_participants_permission(client: Client, election) -> None:
    """Participants are registered country-wide (CEC staff): a TEC operator has no access."""
    centre = f.region("KG-C")
    participant = _participant(election)
    login_verified(client, make_user("tec", Role.TEC_OPERATOR, f.tec(centre)))
    assert client.get(reverse("candidates:badge", args=[participant.pk])).status_code == 403


# -- the public page ---------------------------------------------------------------------------


def test_the_public_page_shows_status_and_refusal_reasons_but_no_personal_data(
    client: Client, election
) -> None:
    party = Party.objects.create(
        code="ata", name_ky="Ата Журт", name_ru="Ата Журт", registered_on=datetime.date(2010, 1, 1)
    )
    bad = refused(election)
    good = services.nominate("cli", election, nomination("P-2", 43, surname="Бекова", sex="M"))
    listed = services.nominate(
        "cli",
        election,
        nomination("L-1", 44, office="jk_deputy", party="ata", list_position=1),
    )
    page = client.get(reverse("candidates:public"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    row = page[page.index(f'id="candidate-{bad.pk}"') :]
    row = row[: row.index("</tr>")]
    with translation.override("ru"):
        assert translation.gettext("refused registration") in row
    other = {c["code"]: c for c in bad.checks.get().checks}["OTHER_CITIZENSHIP"]
    assert "Гражданство другого государства" in row and other["citation"]["ru"] in row
    assert "Бекова" in page and "Ата Журт" in page and listed.full_name in page
    for secret in (bad.pin, good.pin, listed.pin, "CIT-2027-0042", "RES-7", "KG;RU", "02.06.1975"):
        assert secret not in page
    assert party.code in page


def test_the_public_page_without_a_current_election(client: Client) -> None:
    response = client.get(reverse("candidates:public"))
    assert response.status_code == 200


def test_a_refusal_for_the_deposit_alone_says_so_publicly(election) -> None:
    candidate = services.nominate("cli", election, nomination(deposit_som=5))
    records(candidate.pin)
    services.check_candidate("cli", candidate)
    signatures(candidate, 30_500, 31_000, "sufficient")
    decision = services.decide_registration("cli", candidate)
    assert (decision.outcome, decision.grounds) == ("refused", ["DEPOSIT"])
    ((rule, citation),) = documents.public_reasons(decision, "en")
    assert rule == "Election deposit" and "Art. 68" in citation
    assert "внесено 5 сом; требуется не менее 1 000 000 сом" in pdf_text(
        documents.decision_pdf(decision)
    )
