"""Staff pages for representatives, trusted persons, observers and media: the list with its
filters, the registration form, the participant's page with the reasons and the revocation.

Applications go through the real service and engine with the kg-2025 law; staff log in the
way the MFA login leaves a session. Texts are compared with the engine's own templates and
the citation kept with the decision, so a wrong language or a lost basis fails.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.models import PersonalDataAccess, RoleAssignment
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.forms import parse_citizenships
from shailoo.candidates.models import Participant, Party
from shailoo.candidates.participant_services import (
    PARTICIPANT,
    REVOCATION,
    ParticipantData,
    register_participant,
)
from shailoo.candidates.registries import Registries
from shailoo.candidates.views_participants import reason_rows
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import build_pin, mask_pin

pytestmark = pytest.mark.django_db

POLLING_DAY = datetime.date(2027, 3, 14)
LIST = "candidates:participants"
REGISTER = "candidates:participant_register"


@pytest.fixture
def election():
    return f.election("kg-2025", polling_day=POLLING_DAY)


@pytest.fixture
def candidate(election):
    """The presidential candidate the trusted persons and representatives act for."""
    return _candidate(election)


@pytest.fixture
def admin_client(client: Client) -> Client:
    login_verified(client, make_user("cec-admin", Role.CEC_ADMIN))
    return client


def payload(entry: LedgerEntry) -> dict[str, Any]:
    return json.loads(bytes(entry.data))["payload"]["data"]


def ru(text: str) -> str:
    with translation.override("ru"):
        return translation.gettext(text)


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ref": "TP-1",
        "role": "trusted_person",
        "surname": "Иванов",
        "given_name": "Иван",
        "patronymic": "",
        "pin": "",
        "citizenships": "",
        "accredited": "",
        "country": "",
        "organisation": "",
        "for_candidate": "",
        "for_party": "",
    }
    return {**data, **overrides}


def _candidate(election, ref: str = "C-1", serial: int = 1, region=None):
    birth = datetime.date(1975, 6, 2)
    return services.nominate(
        "cli",
        election,
        services.NominationData(
            ref=ref, pin=build_pin("M", birth, serial), surname="Асанов", given_name="Бакыт",
            patronymic="", sex="M", birth_date=birth, office="president",
            nominated_on=datetime.date(2027, 1, 20), region=region.code if region else None,
        ),
    )  # fmt: skip


def _page(client: Client, name: str, *args: Any, lang: str = "ru") -> str:
    response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


# -- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LIST, REGISTER])
def test_anonymous_visitors_are_sent_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_user_without_the_participants_role_is_refused(client: Client, election) -> None:
    login_verified(client, make_user("tec", Role.TEC_OPERATOR, f.tec(f.region("KG-C"))))
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(REGISTER)).status_code == 403
    assert client.post(reverse(REGISTER), _form(citizenships="KG")).status_code == 403
    assert not Participant.objects.exists()
    someone = Participant.objects.create(
        election=election, ref="X", role="media", surname="А", given_name="Б",
        status="admitted", badge_number="B-1",
    )  # fmt: skip
    assert client.get(reverse("candidates:participant", args=[someone.pk])).status_code == 403
    revoke = client.post(
        reverse("candidates:participant_revoke", args=[someone.pk]), {"reason": "x"}
    )
    assert revoke.status_code == 403
    someone.refresh_from_db()
    assert someone.status == "admitted"


def test_regional_staff_see_and_register_only_in_their_region(client: Client, election) -> None:
    centre, osh = f.region("KG-C"), f.region("KG-O")
    here, there = _candidate(election, "C-HERE", 1, centre), _candidate(election, "C-THERE", 2, osh)
    mine = Participant.objects.create(
        election=election, ref="MINE", role="trusted_person", surname="А", given_name="Б",
        status="refused", for_candidate=here,
    )  # fmt: skip
    theirs = Participant.objects.create(
        election=election, ref="THEIRS", role="trusted_person", surname="В", given_name="Г",
        status="refused", for_candidate=there,
    )  # fmt: skip
    observer = Participant.objects.create(
        election=election, ref="OBSERVER", role="domestic_observer", surname="Д",
        given_name="Е", status="undecided",
    )  # fmt: skip
    user = make_user("regional")
    RoleAssignment.objects.create(
        user=user, role=Role.CEC_MEMBER.value, scope="region", region=centre, granted_by="test"
    )
    login_verified(client, user)
    page = _page(client, LIST)
    assert 'data-ref="MINE"' in page
    assert 'data-ref="THEIRS"' not in page and 'data-ref="OBSERVER"' not in page
    assert client.get(reverse("candidates:participant", args=[mine.pk])).status_code == 200
    for outside in (theirs, observer):
        assert client.get(reverse("candidates:participant", args=[outside.pk])).status_code == 404
    allowed = client.post(reverse(REGISTER), _form(ref="P-IN", for_candidate="C-HERE"))
    assert allowed.status_code == 302
    refused = client.post(reverse(REGISTER), _form(ref="P-OUT", for_candidate="C-THERE"))
    assert refused.status_code == 403 and 'id="refusal"' in refused.content.decode()
    nobody = client.post(reverse(REGISTER), _form(ref="P-NONE"))  # for no candidate: country-wide
    assert nobody.status_code == 403
    assert set(Participant.objects.values_list("ref", flat=True)) == {
        "MINE", "THEIRS", "OBSERVER", "P-IN",
    }  # fmt: skip


# -- registering -------------------------------------------------------------------------------


def test_the_form_is_posted_and_offers_the_roles_and_offices_in_the_page_language(
    admin_client: Client, election
) -> None:
    page = _page(admin_client, REGISTER, lang="ky")
    assert 'method="post"' in page and 'id="participant-form"' in page
    assert "Ишенимдүү адам" in page and "Эл аралык байкоочу" in page
    assert "укук коргоо органынын кызматкери" in page  # an office, as a checkbox
    assert 'type="checkbox"' in page


def test_a_foreign_proxy_is_refused_with_the_reason_and_its_citation(
    admin_client: Client, election, candidate
) -> None:
    response = admin_client.post(
        reverse(REGISTER),
        _form(citizenships="ru", for_candidate=candidate.ref),
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    proxy = Participant.objects.get(ref="TP-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:participant", args=[proxy.pk])
    assert proxy.status == "refused" and proxy.citizenships == "RU" and not proxy.badge_number
    assert proxy.for_candidate == candidate
    assert [r["code"] for r in proxy.reasons] == ["FOREIGN_CITIZEN"]
    citation = proxy.reasons[0]["citation"]["ru"]
    assert "ст. 9" in citation

    page = admin_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    row = page[page.index('data-code="FOREIGN_CITIZEN"') :]
    row = row[: row.index("</tr>")]
    assert "Гражданство" in row and "не соответствует" in row
    assert "гражданства KG нет: иностранный гражданин не может быть доверенным лицом" in row
    assert f'<td class="citation">{citation}</td>' in row
    said = ru("%(ref)s refused: see the reasons below.") % {"ref": "TP-1"}
    assert said in page  # the message after the redirect
    assert 'id="badge-link"' not in page and 'id="revoke-form"' not in page
    assert candidate.full_name in page  # for whom the proxy would have acted

    english = _page(admin_client, "candidates:participant", proxy.pk, lang="en")
    assert "a foreign citizen may not be a trusted person" in english
    assert proxy.reasons[0]["citation"]["en"] in english

    listed = _page(admin_client, LIST)
    item = listed[listed.index('data-ref="TP-1"') :]
    item = item[: item.index("</tr>")]
    assert "иностранный гражданин не может быть доверенным лицом" in item
    assert f'<span class="citation">{citation}</span>' in item and "badge-link" not in item
    entry = LedgerEntry.objects.get(kind=PARTICIPANT)
    assert payload(entry)["outcome"] == "refused"
    assert payload(entry)["codes"] == ["FOREIGN_CITIZEN"]


def test_an_accredited_international_observer_is_admitted_with_a_badge(
    admin_client: Client, election
) -> None:
    response = admin_client.post(
        reverse(REGISTER),
        _form(
            ref="INT-1",
            role="international_observer",
            surname="Schmidt",
            given_name="Anna",
            accredited="yes",
            country="de",
            organisation="OSCE/ODIHR",
        ),
    )
    observer = Participant.objects.get(ref="INT-1")
    assert response.status_code == 302
    assert observer.status == "admitted" and observer.country == "DE" and observer.accredited
    assert observer.badge_number.startswith(f"{election.code}-INT-")
    badge = reverse("candidates:badge", args=[observer.pk])
    page = _page(admin_client, "candidates:participant", observer.pk)
    assert f'href="{badge}"' in page and observer.badge_number in page
    assert 'id="revoke-form"' in page and 'id="reasons"' not in page
    listed = _page(admin_client, LIST)
    item = listed[listed.index('data-ref="INT-1"') :]
    assert f'<a class="badge-link" href="{badge}">{observer.badge_number}</a>' in item
    pdf = admin_client.get(badge)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_observer_without_accreditation_is_refused_and_one_not_known_is_undecided(
    admin_client: Client, election
) -> None:
    base = {"role": "international_observer", "surname": "Smith", "given_name": "John"}
    admin_client.post(reverse(REGISTER), _form(ref="INT-NO", accredited="no", **base))
    admin_client.post(reverse(REGISTER), _form(ref="INT-?", **base))
    assert Participant.objects.get(ref="INT-NO").status == "refused"
    open_one = Participant.objects.get(ref="INT-?")
    assert open_one.status == "undecided" and not open_one.badge_number
    page = _page(admin_client, "candidates:participant", open_one.pk, lang="en")
    assert "accreditation unknown — needs the Central Election Commission" in page


def test_a_police_officer_with_a_pin_is_refused_as_observer_and_the_pin_stays_hidden(
    admin_client: Client, election
) -> None:
    voter = f.person(f.station(3001))
    reg.CitizenshipRecord.objects.create(
        pin=voter.pin, citizenships="KG", as_of=POLLING_DAY, reference="C-1"
    )
    spaced = f"{voter.pin[:7]} {voter.pin[7:]}"
    response = admin_client.post(
        reverse(REGISTER),
        _form(
            ref="OBS-9",
            role="domestic_observer",
            surname=voter.surname,
            given_name=voter.given_name,
            pin=spaced,
            offices=["law_enforcement"],
        ),
    )
    assert response.status_code == 302 and voter.pin not in response["Location"]
    observer = Participant.objects.get(ref="OBS-9")
    assert observer.pin == voter.pin and observer.status == "refused"
    assert [(r["code"], r["office"]) for r in observer.reasons] == [
        ("BARRED_OFFICE", "law_enforcement")
    ]
    page = _page(admin_client, "candidates:participant", observer.pk)
    assert "сотрудник правоохранительного органа" in page
    assert voter.pin not in page and mask_pin(voter.pin) in page
    assert PersonalDataAccess.objects.filter(
        subject_type="candidates.participant", subject_id=observer.pk
    ).exists()
    assert voter.pin not in _page(admin_client, LIST)


def test_bad_input_is_located_and_nothing_is_kept(
    admin_client: Client, election, candidate
) -> None:
    url = reverse(REGISTER)

    def proxy(**overrides: Any) -> dict[str, Any]:
        return _form(**{"for_candidate": candidate.ref, **overrides})

    bad_pin = admin_client.post(url, proxy(pin="1234", citizenships="KG"))
    assert bad_pin.status_code == 400
    page = bad_pin.content.decode()
    assert 'id="refusal"' in page and 'data-where="pin"' in page
    assert 'data-where="for_candidate"' not in page  # only what is wrong is named
    assert page.index("errorlist") < page.index('name="pin"')  # shown beside its field

    bad_codes = admin_client.post(url, proxy(citizenships="KGZ;RU")).content.decode()
    assert "errorlist" in bad_codes and "KGZ" in bad_codes
    assert admin_client.post(url, proxy(citizenships="XX")).status_code == 400
    assert admin_client.post(url, proxy(country="Germany")).status_code == 400
    assert admin_client.post(url, proxy(role="king")).status_code == 400
    assert admin_client.post(url, proxy(offices=["astronaut"])).status_code == 400

    missing = admin_client.post(url, _form(for_candidate="NOBODY"))
    assert missing.status_code == 404
    assert 'data-code="unknown_candidate"' in missing.content.decode()
    assert admin_client.post(url, proxy(surname="")).status_code == 400
    assert not Participant.objects.exists() and not LedgerEntry.objects.filter(kind=PARTICIPANT)

    admin_client.post(url, proxy(citizenships="KG"))
    assert Participant.objects.get(ref="TP-1").status == "admitted"
    again = admin_client.post(url, proxy(citizenships="KG"))
    assert again.status_code == 409 and 'data-code="duplicate_ref"' in again.content.decode()
    assert Participant.objects.count() == 1


def test_a_party_representative_names_the_party(admin_client: Client, election) -> None:
    Party.objects.create(
        code="ata", name_ky="Ата Журт", name_ru="Ата Журт", registered_on=datetime.date(2010, 1, 1)
    )
    admin_client.post(
        reverse(REGISTER), _form(ref="PR-1", role="party_representative", citizenships="KG;KZ",
                                 for_party="ata"),
    )  # fmt: skip
    representative = Participant.objects.get(ref="PR-1")
    assert representative.for_party.code == "ata"
    assert representative.status == "admitted"  # a dual citizen of KG is no foreign citizen
    response = admin_client.post(reverse(REGISTER), _form(ref="PR-2", for_party="nope"))
    assert response.status_code == 400 and not Participant.objects.filter(ref="PR-2").exists()


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("trusted_person", ["for_candidate"]),
        ("candidate_representative", ["for_candidate"]),
        ("authorised_representative", ["for_candidate"]),
        ("party_representative", ["for_candidate", "for_party"]),
    ],
)
def test_one_who_acts_for_nobody_is_refused_at_the_field_and_nothing_is_kept(
    admin_client: Client, election, candidate, role: str, where: list[str]
) -> None:
    Party.objects.create(
        code="ata", name_ky="Ата Журт", name_ru="Ата Журт", registered_on=datetime.date(2010, 1, 1)
    )
    url = reverse(REGISTER)
    response = admin_client.post(
        url, _form(role=role, citizenships="KG"), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="refusal"' in page and 'data-code="invalid_participant"' in page
    problems = page[page.index('class="problems"') :]
    assert re.findall(r'data-where="([^"]+)"', problems[: problems.index("</ul>")]) == where
    # each problem is shown beside its own field
    beside = page[page.index('name="organisation"') : page.index('name="for_candidate"')]
    assert ru("name the candidate or party this person acts for") in beside
    if "for_party" in where:
        beside = page[page.index('name="for_candidate"') : page.index('name="for_party"')]
        assert ru("name the party") in beside
    assert not Participant.objects.exists() and not LedgerEntry.objects.filter(kind=PARTICIPANT)

    named = {"for_party": "ata"} if role == "party_representative" else {
        "for_candidate": candidate.ref
    }  # fmt: skip
    assert admin_client.post(url, _form(role=role, citizenships="KG", **named)).status_code == 302
    kept = Participant.objects.get(ref="TP-1")
    assert kept.status == "admitted" and kept.badge_number
    if role == "party_representative":
        assert kept.for_party is not None and kept.for_party.code == "ata"
    else:
        assert kept.for_candidate == candidate


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("", None), ("  ", None), ("stateless", ()), ("Stateless", ()), ("kg", ("KG",)),
     ("KG; RU;KG", ("KG", "RU")), ("KG;", ("KG",))],
)  # fmt: skip
def test_citizenships_read_as_the_service_takes_them(text: str, parsed: Any) -> None:
    assert parse_citizenships(text) == parsed


@pytest.mark.parametrize("text", ["XX", "KGZ", "K", "KG,RU", ";", "1G", "кг"])
def test_citizenships_that_are_no_country_codes_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_citizenships(text)


# -- the list ----------------------------------------------------------------------------------


def test_the_list_filters_by_role_and_status(admin_client: Client, election, candidate) -> None:
    url = reverse(REGISTER)
    admin_client.post(url, _form(ref="A-1", citizenships="KG", for_candidate=candidate.ref))
    admin_client.post(url, _form(ref="A-2", citizenships="stateless", for_candidate=candidate.ref))
    admin_client.post(url, _form(ref="A-3", role="media", organisation="Азаттык"))
    assert Participant.objects.get(ref="A-3").status == "admitted"  # no bar on journalists

    def refs(**query: str) -> list[str]:
        page = admin_client.get(reverse(LIST), query).content.decode()
        found = [ref for ref in ("A-1", "A-2", "A-3") if f'data-ref="{ref}"' in page]
        return sorted(found, key=lambda ref: page.index(f'data-ref="{ref}"'))

    assert refs() == ["A-3", "A-1", "A-2"]  # by role, then reference
    assert refs(role="trusted_person") == ["A-1", "A-2"]
    assert refs(status="refused") == ["A-2"]
    assert refs(role="media", status="admitted") == ["A-3"]
    assert "errorlist" in admin_client.get(reverse(LIST), {"role": "king"}).content.decode()
    other = f.election("kg-2025", code="older", is_current=False)
    Participant.objects.create(
        election=other, ref="OLD", role="media", surname="А", given_name="Б", status="admitted"
    )
    assert 'data-ref="OLD"' not in _page(admin_client, LIST)


# -- revoking ----------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_ends_the_badge(admin_client: Client, election) -> None:
    admin_client.post(reverse(REGISTER), _form(ref="M-1", role="media", organisation="24.kg"))
    journalist = Participant.objects.get(ref="M-1")
    url = reverse("candidates:participant_revoke", args=[journalist.pk])

    empty = admin_client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and "errorlist" in empty.content.decode()
    journalist.refresh_from_db()
    assert journalist.status == "admitted"
    assert admin_client.get(url).status_code == 405  # a POST only

    done = admin_client.post(url, {"reason": "accreditation withdrawn by the CEC"})
    assert done.status_code == 302
    journalist.refresh_from_db()
    assert journalist.status == "revoked" and journalist.revoked_at is not None
    entry = LedgerEntry.objects.get(kind=REVOCATION)
    assert payload(entry) == {"ref": "M-1", "reason": "accreditation withdrawn by the CEC"}
    page = _page(admin_client, "candidates:participant", journalist.pk, lang="en")
    assert "accreditation withdrawn by the CEC" in page and 'id="revoke-form"' not in page
    assert 'id="badge-link"' not in page
    assert admin_client.get(reverse("candidates:badge", args=[journalist.pk])).status_code == 409

    again = admin_client.post(url, {"reason": "twice"})
    assert again.status_code == 409 and 'data-code="not_admitted"' in again.content.decode()
    assert LedgerEntry.objects.filter(kind=REVOCATION).count() == 1


def test_no_current_election_is_said_on_the_pages(admin_client: Client) -> None:
    page = admin_client.get(reverse(LIST)).content.decode()
    assert 'id="refusal"' in page and 'id="participants"' not in page
    response = admin_client.post(reverse(REGISTER), _form(citizenships="KG"))
    assert response.status_code == 409
    assert 'data-code="no_current_election"' in response.content.decode()
    assert not Participant.objects.exists()


class CitizenshipRegistryDown:
    """A live connector whose line is down."""

    name = "citizenship_registry"

    def lookup(self, pin: str) -> None:
        raise ConnectionError("connection refused")


def test_a_registry_that_did_not_answer_is_named_among_the_reasons(
    admin_client: Client, election, candidate
) -> None:
    voter = f.person(f.station(3002))
    proxy = register_participant(
        "cli",
        election,
        ParticipantData(
            "TP-9", "trusted_person", voter.surname, voter.given_name, pin=voter.pin,
            for_candidate=candidate.ref,
        ),
        registries=Registries(citizenship=CitizenshipRegistryDown()),
    )  # fmt: skip
    assert proxy.status == "undecided"
    page = _page(admin_client, "candidates:participant", proxy.pk)
    row = page[page.index('data-code="REGISTRY_UNAVAILABLE"') :]
    assert "реестр гражданства" in row[: row.index("</tr>")]
    assert "требуются сведения о гражданстве" in page  # and what would settle it
    lines = [r.line() for r in reason_rows(proxy, "en")]
    assert lines[-1] == "? Registries that did not answer: undecided — citizenship registry."
