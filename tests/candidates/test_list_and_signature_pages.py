"""Staff pages of party lists, signature sheets, the documents checklist, withdrawal and
replacement.

Everything goes through the real services, engines and law files (kg-2021 for party lists,
kg-2025 for a presidential nomination); the signer lists are checked against register persons
made with the test factories. Texts are compared with the engines' own templates and the law
file's citations, so a wrong language or a lost basis fails.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.models import PersonalDataAccess, RoleAssignment
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.candidates import services, views_signatures
from shailoo.candidates.forms import CHECKLIST_NAMES
from shailoo.candidates.models import (
    Candidate,
    CandidateChange,
    CandidateDocument,
    Party,
    SignatureFinding,
    SignatureSubmission,
)
from shailoo.candidates.participant_messages import list_finding_text
from shailoo.candidates.views_lists import age_on
from shailoo.geo.models import Region
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.law.schema import NominationDocument
from shailoo.register.pin import build_pin

pytestmark = pytest.mark.django_db

POLLING_DAY = datetime.date(2027, 3, 14)
#: Signatures are dated a week before the upload (the reader refuses a date ahead of today).
SIGNED = datetime.date.today() - datetime.timedelta(days=7)
DIED = SIGNED - datetime.timedelta(days=30)
KG_2021 = load_edition("kg-2021")
KG_2025 = load_edition("kg-2025")
HEADER = "sheet,line,collector,pin,surname,given_name,patronymic,signed_on\n"


def ru(text: str) -> str:
    with translation.override("ru"):
        return translation.gettext(text)


@pytest.fixture
def admin_client(client: Client) -> Client:
    login_verified(client, make_user("cec-admin", Role.CEC_ADMIN))
    return client


@pytest.fixture
def member_client(client: Client) -> Client:
    """A CEC member: reads and decides, but does not nominate, withdraw or replace."""
    login_verified(client, make_user("member", Role.CEC_MEMBER))
    return client


def regional_member(client: Client, name: str = "regional") -> Client:
    """A CEC member whose assignment covers one region only (KG-C)."""
    user = make_user(name)
    RoleAssignment.objects.create(
        user=user,
        role=Role.CEC_MEMBER.value,
        scope="region",
        region=Region.objects.filter(code="KG-C").first() or f.region("KG-C"),
        granted_by="test",
    )
    login_verified(client, user)
    return client


# -- party lists -------------------------------------------------------------------------------

#: Birth dates: position 8 turns 35 on polling day (no longer young), position 9 the day after.
BIRTHS = {
    8: datetime.date(1992, 3, 14),
    9: datetime.date(1992, 3, 15),
    10: datetime.date(1995, 1, 1),
}


def make_list(
    election, sexes: str, code: str = "ak", serials: int = 100
) -> tuple[Party, list[Candidate]]:
    """A party's list, position n of sex ``sexes[n-1]``; two minority candidates, two with
    disabilities, two young ones: only the order of the sexes can break a rule."""
    party = Party.objects.get_or_create(
        code=code,
        defaults={
            "name_ky": "Ак жол",
            "name_ru": "Ак Жол",
            "registered_on": datetime.date(2010, 1, 1),
        },
    )[0]
    made = []
    for n, sex in enumerate(sexes, 1):
        birth = BIRTHS.get(n, datetime.date(1970, 1, n))
        made.append(
            services.nominate(
                "cli",
                election,
                services.NominationData(
                    ref=f"{code.upper()}-{n}",
                    pin=build_pin(sex, birth, serials + n),
                    surname=f"Кандидат{n}",
                    given_name="Айбек" if sex == "M" else "Айгүл",
                    patronymic="",
                    sex=sex,
                    birth_date=birth,
                    office="jk_deputy",
                    nominated_on=datetime.date(2027, 1, 10),
                    party=code,
                    list_position=n,
                    minority=n in (1, 6),
                    disability=n in (1, 7),
                    member_of=code if n % 2 else None,
                ),
            )
        )
    return party, made


@pytest.fixture
def election_2021():
    return f.election("kg-2021", polling_day=POLLING_DAY)


def test_the_rule_allows_two_of_one_sex_in_a_row_when_the_gap_is_three() -> None:
    """The law file's parameter the list pages are checked against below."""
    assert KG_2021.candidates.party_lists is not None
    assert KG_2021.candidates.party_lists.max_sex_gap_positions.value == 3


def test_the_lists_page_names_each_party_with_its_verdict(
    admin_client: Client, election_2021
) -> None:
    make_list(election_2021, "MFFFFMMFMM", "ak")
    make_list(election_2021, "MFFMMFMFMF", "bir", serials=200)
    page = admin_client.get(reverse("candidates:lists"), HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    html = page.content.decode()
    ak = html[html.index('id="list-ak"') : html.index("</tr>", html.index('id="list-ak"'))]
    bir = html[html.index('id="list-bir"') : html.index("</tr>", html.index('id="list-bir"'))]
    assert 'data-verdict="invalid"' in ak and "Чередование женщин и мужчин" in ak
    assert "список не соответствует требованиям" in ak
    assert 'data-verdict="valid"' in bir and "список соответствует требованиям" in bir
    assert reverse("candidates:list", args=["ak"]) in ak
    # the nominations page links here
    nominations = admin_client.get(reverse("candidates:nominations")).content.decode()
    assert reverse("candidates:lists") in nominations


def test_a_list_with_four_women_in_a_row_names_those_positions_and_cites(
    admin_client: Client, election_2021
) -> None:
    make_list(election_2021, "MFFFFMMFMM")
    response = admin_client.get(reverse("candidates:list", args=["ak"]), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    violating = set(re.findall(r'id="position-(\d+)"[^>]*class="violates bad"', html))
    assert violating == {"2", "3", "4", "5"}
    row = html[html.index('id="position-3"') : html.index("</tr>", html.index('id="position-3"'))]
    assert 'data-rules="SEX_GAP"' in row and "✗ Чередование женщин и мужчин" in row
    (gap,) = [f for f in response.context["decision"].findings if f.code == "SEX_GAP"]
    assert gap.outcome == "fail" and gap.positions == (2, 3, 4, 5)
    finding = html[html.index('data-code="SEX_GAP"') :]
    finding = finding[: finding.index("</tr>")]
    assert (
        "rule-fail"
        in html[html.index('data-code="SEX_GAP"') - 30 : html.index('data-code="SEX_GAP"')]
    )
    assert list_finding_text(gap, "ru") in finding
    assert "позиции 2–5: женщины, 4 подряд" in finding
    assert "допускается не более 2 кандидатов одного пола подряд" in finding
    cite = KG_2021.candidates.party_lists.max_sex_gap_positions  # type: ignore[union-attr]
    assert cite.citation_in("ru") in finding and "(ссылка не подтверждена)" in finding
    # every other rule of the edition is shown, met
    codes = {f.code: f.outcome for f in response.context["decision"].findings}
    assert {c: o for c, o in codes.items() if c != "SEX_GAP"} == {
        c: "pass" for c in codes if c != "SEX_GAP"
    }
    assert html.count('class="rule-') == len(codes)
    # in English, the same finding in English words with the English citation
    english = admin_client.get(
        reverse("candidates:list", args=["ak"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "positions 2–5: 4 women in a row" in english and cite.citation_in("en") in english
    logged = PersonalDataAccess.objects.filter(subject_type="candidates.party")
    assert logged.count() == 2


def test_ages_on_polling_day_turn_on_the_birthday(admin_client: Client, election_2021) -> None:
    make_list(election_2021, "MFMFMFMFMF")
    response = admin_client.get(reverse("candidates:list", args=["ak"]))
    ages = {row.position: row.age for row, _ in response.context["rows"]}
    assert ages[8] == 35  # 35th birthday on polling day
    assert ages[9] == 34  # 35th birthday the day after
    assert ages[1] == 57
    leap = datetime.date(1992, 2, 29)
    assert age_on(leap, datetime.date(2027, 2, 28), "march_1") == 34
    assert age_on(leap, datetime.date(2027, 3, 1), "march_1") == 35
    assert age_on(leap, datetime.date(2027, 2, 28), "feb_28") == 35


def test_a_withdrawn_candidate_leaves_the_list(admin_client: Client, election_2021) -> None:
    _, made = make_list(election_2021, "MFFFMFMFMF")  # women 2–4: three in a row
    url = reverse("candidates:list", args=["ak"])
    assert admin_client.get(url).context["decision"].verdict == "invalid"
    services.withdraw("cli", made[2], datetime.date(2027, 2, 1), "statement 7")
    response = admin_client.get(url)
    positions = [row.position for row, _ in response.context["rows"]]
    assert 3 not in positions
    assert "SEX_GAP" not in response.context["decision"].codes


def test_an_unknown_party_and_a_party_without_a_list_are_not_found(
    admin_client: Client, election_2021
) -> None:
    Party.objects.create(
        code="none", name_ky="Жок", name_ru="Нет", registered_on=datetime.date(2010, 1, 1)
    )
    assert admin_client.get(reverse("candidates:list", args=["nope"])).status_code == 404
    response = admin_client.get(reverse("candidates:list", args=["none"]))
    assert response.status_code == 404
    assert 'data-code="empty_list"' in response.content.decode()


def test_party_lists_are_for_country_wide_staff_only(client: Client, election_2021) -> None:
    make_list(election_2021, "MFFFFMMFMM")
    regional_member(client)
    response = client.get(reverse("candidates:lists"))
    assert response.status_code == 403 and 'id="list-ak"' not in response.content.decode()
    assert client.get(reverse("candidates:list", args=["ak"])).status_code == 403
    login_verified(client, make_user("pec", Role.PEC_OPERATOR, f.station()))
    assert client.get(reverse("candidates:lists")).status_code == 403
    client.logout()
    anonymous = client.get(reverse("candidates:list", args=["ak"]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


# -- signature sheets --------------------------------------------------------------------------


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


def president(election, ref: str = "P-1", region=None, **overrides: Any) -> Candidate:
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
        "region": region.code if region else None,
        **overrides,
    }
    return services.nominate("cli", election, services.NominationData(**data))


def signer_row(sheet: int, line: int, person: Any, *, surname: str | None = None) -> str:
    return (
        f"{sheet},{line},K-1,{person.pin},{surname or person.surname},{person.given_name},"
        f"{person.patronymic},{SIGNED.isoformat()}\n"
    )


@pytest.fixture
def signers() -> bytes:
    """Four voters sign validly; a real PIN with another name, a dead voter, a PIN nobody
    holds and a malformed PIN do not."""
    station = f.station(1001)
    voters = [f.person(station, birth_date=datetime.date(1980, 1, 1 + n)) for n in range(4)]
    dead = f.person(
        station,
        surname="Бекова",
        death_date=DIED,
        eligible=False,
        ineligible_codes="ALIVE",
    )
    ghost = build_pin("M", datetime.date(1970, 5, 5), 99_999)
    text = HEADER + "".join(signer_row(1, n + 1, v) for n, v in enumerate(voters))
    text += signer_row(2, 1, voters[0], surname="Бекмаматова")  # a forged variant
    text += signer_row(2, 2, dead)
    text += f"2,3,K-2,{ghost},Асанов,Бакыт,,{SIGNED.isoformat()}\n"
    text += f"2,4,K-2,123,Асанов,Бакыт,,{SIGNED.isoformat()}\n"
    return text.encode()


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory uploads are written to, so a test sees what is left there."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def upload(client: Client, candidate: Candidate, content: bytes, name: str = "sheets.csv",
           **fields: str) -> Any:  # fmt: skip
    url = reverse("candidates:signatures_upload", args=[candidate.pk])
    data: dict[str, Any] = {"signers": SimpleUploadedFile(name, content, "text/csv"), **fields}
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")


def test_an_upload_shows_counts_verdict_and_each_invalid_signature(
    admin_client: Client, election, signers: bytes, private_tmp: Path
) -> None:
    candidate = president(election)
    response = upload(admin_client, candidate, signers)
    submission = SignatureSubmission.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:signatures", args=[submission.pk])
    assert submission.file_name == "sheets.csv"  # the upload's own name, not a temporary one
    assert list(private_tmp.iterdir()) == []  # the temporary copy is gone
    page = admin_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    counts = dict(re.findall(r'data-reason="(\w+)"[^>]*><td>[^<]*</td><td class="num">(\d+)', html))
    assert counts["VALID"] == "4" and counts["NAME_MISMATCH"] == "1" and counts["DEAD"] == "1"
    assert counts["NOT_IN_REGISTER"] == "1" and counts["MALFORMED"] == "1"
    assert counts["DUPLICATE"] == "0"
    # the verdict, with the law's threshold and the office's minimum, each cited
    assert ru("insufficient") in html[html.index('id="verdict-text"') :][:200]
    rules = KG_2025.candidates.signatures
    assert rules.invalid_share_max.citation_in("ru") in html
    office = KG_2025.candidates.offices.president
    assert office.signatures_min is not None
    assert office.signatures_min.citation_in("ru") in html and "30\xa0000" in html
    # each invalid signature by sheet and line, with its reason
    row = html[html.index('data-sheet="2" data-line="1"') :]
    row = row[: row.index("</tr>")]
    assert 'data-reason="NAME_MISMATCH"' in html[html.index('data-sheet="2" data-line="1"') - 40 :]
    assert ru("name differs from the register") in row and "K-1" in row
    assert SignatureFinding.objects.filter(submission=submission).count() == 4
    assert DIED.isoformat() in html  # the dead signer's register fact
    for person_pin in re.findall(r"\b\d{14}\b", signers.decode()):
        assert person_pin not in html  # no PIN in clear on the page
    assert PersonalDataAccess.objects.filter(subject_type="candidates.signaturesubmission").exists()
    # the candidate page lists the verification and links to it
    detail = admin_client.get(reverse("candidates:candidate", args=[candidate.pk]))
    assert reverse("candidates:signatures", args=[submission.pk]) in detail.content.decode()


def test_a_sample_shows_its_seed_size_and_interval(
    admin_client: Client, election, signers: bytes
) -> None:
    candidate = president(election)
    response = upload(admin_client, candidate, signers, sample="5", seed="20270125")
    assert response.status_code == 302
    submission = SignatureSubmission.objects.get(candidate=candidate)
    assert (submission.sample_size, submission.sample_seed) == (5, 20270125)
    html = admin_client.get(response["Location"]).content.decode()
    sample = html[html.index('id="sample"') : html.index("</dl>", html.index('id="sample"'))]
    assert "20270125" in sample and ">5<" in sample
    interval = re.search(r'id="sample-interval">([0-9.,]+) – ([0-9.,]+)<', sample)
    assert interval is not None
    low, high = (float(v.replace(",", ".")) for v in interval.groups())
    assert 0 <= low <= high <= 1


def test_a_sample_without_its_seed_is_refused_beside_the_field(
    admin_client: Client, election, signers: bytes
) -> None:
    candidate = president(election)
    response = upload(admin_client, candidate, signers, sample="5")
    assert response.status_code == 400
    assert "seed" in response.context["form"].errors
    assert not SignatureSubmission.objects.exists()


def test_a_file_with_another_header_is_refused_at_line_1(
    admin_client: Client, election, private_tmp: Path
) -> None:
    candidate = president(election)
    response = upload(admin_client, candidate, b"ref,office,birth_date\nA,president,1980-01-01\n")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="csv_header_invalid"' in html
    assert "sheets.csv:1: missing column(s): sheet, line" in html
    assert str(private_tmp) not in html  # the file is named as uploaded, not where it was read
    assert not SignatureSubmission.objects.exists()
    assert list(private_tmp.iterdir()) == []


def test_a_file_that_is_no_csv_is_refused_where_it_breaks(admin_client: Client, election) -> None:
    candidate = president(election)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    response = upload(admin_client, candidate, png, name="photo.png")
    assert response.status_code == 400
    html = response.content.decode()
    assert "photo.png:1: header is not valid UTF-8" in html
    assert not SignatureSubmission.objects.exists()


@pytest.mark.parametrize("over", [10 * 1024, 2 * 1024 * 1024])
def test_a_file_over_the_bound_is_refused_and_nothing_is_kept(
    admin_client: Client,
    election,
    signers: bytes,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    over: int,
) -> None:
    """Just over the bound (read, and dropped as it streams) and far over it (refused on its
    announced length before the body is read)."""
    limit = 1024 * 1024
    monkeypatch.setattr(views_signatures, "MAX_UPLOAD_BYTES", limit)
    candidate = president(election)
    padding = f"3,1,K-3,{build_pin('M', datetime.date(1970, 5, 5), 1)},А,Б,,{SIGNED.isoformat()}\n"
    body = signers + padding.encode() * ((limit + over) // len(padding) + 1)
    response = upload(admin_client, candidate, body[: limit + over])
    assert response.status_code == 413
    html = response.content.decode()
    assert 'data-code="file_too_large"' in html
    assert ru("at most %(mib)s MiB") % {"mib": 1} in html  # "не более 1 МиБ"
    assert not SignatureSubmission.objects.exists()
    assert list(private_tmp.iterdir()) == []


def test_signatures_are_verified_only_by_staff_who_decide_in_the_territory(
    client: Client, election, signers: bytes
) -> None:
    candidate = president(election)  # no region: country-wide staff only
    regional_member(client)
    assert upload(client, candidate, signers).status_code == 404
    login_verified(client, make_user("pec", Role.PEC_OPERATOR, f.station()))
    assert upload(client, candidate, signers).status_code == 403
    assert not SignatureSubmission.objects.exists()
    login_verified(client, make_user("member", Role.CEC_MEMBER))  # decides: may verify
    assert upload(client, candidate, signers).status_code == 302
    submission = SignatureSubmission.objects.get()
    regional_member(client, "regional-2")
    assert client.get(reverse("candidates:signatures", args=[submission.pk])).status_code == 404


def test_the_candidate_page_carries_the_upload_form(admin_client: Client, election) -> None:
    candidate = president(election)
    html = admin_client.get(reverse("candidates:candidate", args=[candidate.pk])).content.decode()
    form = html[html.index('id="signatures-form"') - 200 :]
    assert 'enctype="multipart/form-data"' in form[:400]
    assert reverse("candidates:signatures_upload", args=[candidate.pk]) in form[:400]
    assert 'name="signers"' in form and 'name="sample"' in form and 'name="seed"' in form


# -- the documents checklist -------------------------------------------------------------------


def test_every_document_kind_has_a_title() -> None:
    from typing import get_args

    assert set(get_args(NominationDocument)) <= set(CHECKLIST_NAMES)


def test_the_checklist_shows_required_filed_and_missing_and_files_one(
    admin_client: Client, election
) -> None:
    candidate = president(election, documents=(("application", "APP-1"), ("passport", "ID 555")))
    required = services.required_documents(candidate)
    assert "diploma" in required and "application" in required
    url = reverse("candidates:candidate", args=[candidate.pk])
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = html[
        html.index('id="checklist"') : html.index("</table>", html.index('id="checklist"'))
    ]
    assert re.findall(r'data-kind="(\w+)"', table) == required
    assert 'data-kind="application" class="filed"' in table and "APP-1" in table
    assert 'data-kind="diploma" class="missing bad"' in table
    missing = html[html.index('id="missing-documents"') :][:400]
    assert "Diploma" in missing and "Application to stand" not in missing
    response = admin_client.post(
        reverse("candidates:document_add", args=[candidate.pk]),
        {"kind": "diploma", "number": "DIP-42", "received_on": "2027-01-22"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    document = CandidateDocument.objects.get(candidate=candidate, kind="diploma")
    assert (document.number, document.received_on) == ("DIP-42", datetime.date(2027, 1, 22))
    assert LedgerEntry.objects.filter(kind=services.DOCUMENT_ADDED).count() == 1
    html = response.content.decode()
    assert "Document filed: Diploma." in html
    table = html[
        html.index('id="checklist"') : html.index("</table>", html.index('id="checklist"'))
    ]
    assert 'data-kind="diploma" class="filed"' in table and "DIP-42" in table
    assert "diploma" not in services.missing_documents(candidate)


def test_a_document_of_no_known_kind_is_not_filed(admin_client: Client, election) -> None:
    candidate = president(election)
    response = admin_client.post(
        reverse("candidates:document_add", args=[candidate.pk]),
        {"kind": "birth_certificate", "number": "X", "received_on": "2027-01-22"},
        follow=True,
    )
    assert response.status_code == 200
    assert not CandidateDocument.objects.filter(candidate=candidate).exists()
    assert "birth_certificate" in response.content.decode()  # the choice refused, named


def test_a_cec_member_may_not_file_documents(member_client: Client, election) -> None:
    candidate = president(election)
    response = member_client.post(
        reverse("candidates:document_add", args=[candidate.pk]),
        {"kind": "diploma", "number": "X", "received_on": "2027-01-22"},
    )
    assert response.status_code == 403
    assert not CandidateDocument.objects.filter(candidate=candidate).exists()
    html = member_client.get(reverse("candidates:candidate", args=[candidate.pk])).content.decode()
    assert 'id="document-form"' not in html and 'id="withdraw-form"' not in html


# -- withdrawal --------------------------------------------------------------------------------


def withdrawal_deadline() -> datetime.date:
    days = KG_2025.candidates.nomination.withdrawal_days_before.value
    return POLLING_DAY - datetime.timedelta(days=days)


def test_a_withdrawal_past_the_deadline_is_refused_with_its_basis(
    admin_client: Client, election
) -> None:
    candidate = president(election)
    late = withdrawal_deadline() + datetime.timedelta(days=1)
    response = admin_client.post(
        reverse("candidates:withdraw", args=[candidate.pk]),
        {"on": late.isoformat(), "source_document": "Заявление №7"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    html = response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == "nominated"
    assert not LedgerEntry.objects.filter(kind=services.WITHDRAWAL).exists()
    cite = KG_2025.candidates.nomination.withdrawal_days_before
    error = html[html.index('class="error"') :][:800]
    assert withdrawal_deadline().isoformat() in error
    assert f"{ru('Basis')}: {cite.citation_in('ru')}" in error


def test_a_withdrawal_on_the_last_day_is_recorded_with_its_source(
    admin_client: Client, election
) -> None:
    candidate = president(election)
    page = admin_client.get(
        reverse("candidates:candidate", args=[candidate.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert 'id="withdraw-form"' in page
    # the date picker holds an ISO date whatever the page's language (else it shows blank)
    assert f'name="on" value="{datetime.date.today().isoformat()}"' in page
    cite = KG_2025.candidates.nomination.withdrawal_days_before
    assert cite.citation_in("ru") in page
    assert 'id="replace-link"' not in page  # self-nominated: nothing to replace
    response = admin_client.post(
        reverse("candidates:withdraw", args=[candidate.pk]),
        {"on": withdrawal_deadline().isoformat(), "source_document": "Заявление №7"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"
    change = CandidateChange.objects.get(candidate=candidate, field="status")
    assert (change.old, change.new, change.source_document) == (
        "nominated",
        "withdrawn",
        "Заявление №7",
    )
    assert LedgerEntry.objects.filter(kind=services.WITHDRAWAL).count() == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert 'id="withdraw-form"' not in page  # closed: no more forms


def test_a_withdrawal_without_its_document_is_refused(admin_client: Client, election) -> None:
    candidate = president(election)
    admin_client.post(
        reverse("candidates:withdraw", args=[candidate.pk]),
        {"on": "2027-02-01", "source_document": ""},
    )
    candidate.refresh_from_db()
    assert candidate.status == "nominated"


def test_withdrawal_needs_the_nominate_permission_and_the_territory(
    client: Client, member_client: Client, election
) -> None:
    candidate = president(election)
    data = {"on": "2027-02-01", "source_document": "S-1"}
    url = reverse("candidates:withdraw", args=[candidate.pk])
    assert member_client.post(url, data).status_code == 403
    assert member_client.get(reverse("candidates:replace", args=[candidate.pk])).status_code == 403
    other = Client()
    user = make_user("regional-admin")
    RoleAssignment.objects.create(
        user=user, role=Role.CEC_ADMIN.value, scope="region", region=f.region("KG-O"),
        granted_by="test",
    )  # fmt: skip
    login_verified(other, user)
    assert other.post(url, data).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == "nominated"


# -- replacement -------------------------------------------------------------------------------


def replacement_form(**overrides: str) -> dict[str, str]:
    birth = datetime.date(1980, 6, 1)
    data = {
        "ref": "AK-4B",
        "pin": build_pin("F", birth, 555),
        "surname": "Жээнбекова",
        "given_name": "Салтанат",
        "patronymic": "",
        "sex": "F",
        "birth_date": birth.isoformat(),
        "member_of": "",
        "minority": "no",
        "disability": "no",
        "on": "2027-02-20",
        "source_document": "Решение партии №12",
    }
    return {**data, **overrides}


def test_a_replacement_that_breaks_the_list_is_refused_naming_the_rule_and_position(
    admin_client: Client, election_2021
) -> None:
    _, made = make_list(election_2021, "MFFMFMFMFM")  # position 4 is a man between women
    old = made[3]
    url = reverse("candidates:replace", args=[old.pk])
    response = admin_client.post(url, replacement_form(), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="replacement_breaks_list"' in html and "SEX_GAP" in html
    broken = html[html.index('id="broken"') :]
    broken = broken[: broken.index("</table>")]
    assert 'data-code="SEX_GAP"' in broken and "Чередование женщин и мужчин" in broken
    assert "позиции 2–5: женщины, 4 подряд" in broken
    cite = KG_2021.candidates.party_lists.max_sex_gap_positions  # type: ignore[union-attr]
    assert cite.citation_in("ru") in broken
    refusal = html[html.index('id="refusal"') : html.index("</div>", html.index('id="refusal"'))]
    assert "4" in refusal and cite.citation_in("ru") in refusal  # the basis in Russian too
    old.refresh_from_db()
    assert old.status == "nominated" and not Candidate.objects.filter(ref="AK-4B").exists()


def test_a_replacement_in_time_takes_the_position(admin_client: Client, election_2021) -> None:
    _, made = make_list(election_2021, "MFFMFMFMFM")
    old = made[3]
    page = admin_client.get(reverse("candidates:candidate", args=[old.pk])).content.decode()
    assert reverse("candidates:replace", args=[old.pk]) in page
    response = admin_client.post(
        reverse("candidates:replace", args=[old.pk]), replacement_form(sex="M",
        pin=build_pin("M", datetime.date(1980, 6, 1), 555)),
    )  # fmt: skip
    new = Candidate.objects.get(ref="AK-4B")
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:candidate", args=[new.pk])
    old.refresh_from_db()
    assert old.status == "replaced" and new.replaces == old
    assert (new.list_position, new.party, new.office) == (4, old.party, "jk_deputy")
    assert new.nominated_on == datetime.date(2027, 2, 20)
    assert LedgerEntry.objects.filter(kind=services.REPLACEMENT).count() == 1


def test_a_replacement_past_the_deadline_is_refused_with_its_basis(
    admin_client: Client, election_2021
) -> None:
    _, made = make_list(election_2021, "MFFMFMFMFM")
    days = KG_2021.candidates.nomination.replacement_days_before.value
    late = POLLING_DAY - datetime.timedelta(days=days - 1)
    response = admin_client.post(
        reverse("candidates:replace", args=[made[3].pk]),
        replacement_form(sex="M", pin=build_pin("M", datetime.date(1980, 6, 1), 555),
                         on=late.isoformat()),
        HTTP_ACCEPT_LANGUAGE="ru",
    )  # fmt: skip
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="past_deadline"' in html
    cite = KG_2021.candidates.nomination.replacement_days_before
    assert cite.citation_in("ru") in html[html.index('id="refusal"') :][:1000]
    assert not Candidate.objects.filter(ref="AK-4B").exists()


def test_a_replacement_with_a_malformed_pin_shows_it_beside_the_field(
    admin_client: Client, election_2021
) -> None:
    _, made = make_list(election_2021, "MFFMFMFMFM")
    response = admin_client.post(
        reverse("candidates:replace", args=[made[3].pk]),
        replacement_form(sex="M", pin="2" + "0" * 13),
    )
    assert response.status_code == 400
    assert "pin" in response.context["form"].errors
    made[3].refresh_from_db()
    assert made[3].status == "nominated"


def test_the_replacement_page_says_a_self_nominated_candidate_is_not_replaced(
    admin_client: Client, election
) -> None:
    candidate = president(election)
    response = admin_client.get(reverse("candidates:replace", args=[candidate.pk]))
    assert response.status_code == 200
    assert 'id="replacement-form"' not in response.content.decode()
    refused = admin_client.post(
        reverse("candidates:replace", args=[candidate.pk]),
        replacement_form(on="2027-02-01"),
    )
    assert refused.status_code == 409
    assert 'data-code="not_party_candidate"' in refused.content.decode()
