"""Appeals against a case's decision in the staff workspace, and what the public sees of them.

A handler registers an appeal on a decided case (who files it, the grounds) and upholds it (the
case is reopened with a new legal deadline) or dismisses it, with reasons; each refusal is shown
on the case page with its status, and nothing is stored. The public status page says that a
case is under appeal and how the appeal ended — never who filed it, the grounds or the reasons.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.incidents import clock, services
from shailoo.incidents.models import Case, CaseAppeal
from shailoo.integrity.models import LedgerEntry

BISHKEK = ZoneInfo("Asia/Bishkek")
POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db

APPELLANT = "Молдокматов Эркин"
GROUNDS = "The witness statement of 2 March was not examined"
REASONS = "The statement was on file and was weighed; nothing new"


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2027, 3, day, hour, tzinfo=BISHKEK)


def ru(message: str) -> str:
    with translation.override("ru"):
        return translation.gettext(message)


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world() -> Iterator[dict[str, Any]]:
    f.election("kg-2025", polling_day=POLLING_DAY)
    near = f.station(1001)
    f.station(2002)
    with clock.frozen_at(at(1, 10)):
        yield {"near": near}


def signed_in(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def open_case(station: int = 1001, category: str = "vote_buying") -> Case:
    return services.open_case(
        "public",
        services.Report(
            category=category,
            description="Cash offered at the door",
            source="public_web",
            station=station,
            complainant_name="Токтогулова Айгүл",
            complainant_phone="+996700111222",
        ),
    )


def decided_case(station: int = 1001) -> Case:
    case = open_case(station)
    services.decide(
        "cli", case, outcome="dismissed", legal_basis="Constitutional Law No. 68, Art. 43",
        public_summary="No vote buying established",
    )  # fmt: skip
    case.refresh_from_db()
    return case


@pytest.fixture
def desk(world) -> tuple[Client, Case]:
    """A police member of the station's TEC, and a case of theirs decided on the 1st."""
    member = make_user("police-near", Role.RESPONSE_GROUP, world["near"].tec, agency="police")
    return signed_in(member), decided_case()


def url(case: Case, tail: str = "") -> str:
    return f"/staff/incidents/{case.reference}/{tail}"


# -- registering an appeal ---------------------------------------------------------------------


def test_an_appeal_is_registered_on_a_decided_case_and_listed(desk) -> None:
    client, case = desk
    page = client.get(url(case)).content.decode()
    assert 'id="appeal-form"' in page and ru("No appeal filed.") in page
    assert 'id="under-appeal"' not in page
    with clock.frozen_at(at(2, 9)):
        response = client.post(url(case, "appeal/"), {"filed_by": APPELLANT, "grounds": GROUNDS})
    assert response.status_code == 302 and response["Location"] == url(case)
    appeal = CaseAppeal.objects.get()
    assert (appeal.case, appeal.filed_by, appeal.grounds) == (case, APPELLANT, GROUNDS)
    assert appeal.outcome == "pending" and appeal.filed_at == at(2, 9)
    page = client.get(url(case)).content.decode()
    assert ru("Appeal registered.") in page  # the success message
    assert f'id="appeal-{appeal.pk}"' in page and APPELLANT in page and GROUNDS in page
    assert 'id="under-appeal"' in page and ru("appeal pending") in page
    assert f'id="appeal-decision-{appeal.pk}"' in page  # the form to decide it
    assert ru("Appeal registered") in page  # the timeline names the step
    assert LedgerEntry.objects.filter(kind=services.APPEALED).count() == 1


def test_an_undecided_case_cannot_be_appealed_and_the_refusal_is_shown(world) -> None:
    member = make_user("police-near", Role.RESPONSE_GROUP, world["near"].tec, agency="police")
    client, case = signed_in(member), open_case()
    assert 'id="appeal-form"' not in client.get(url(case)).content.decode()
    response = client.post(url(case, "appeal/"), {"filed_by": APPELLANT, "grounds": GROUNDS})
    assert response.status_code == 409 and response.context["refusal"].code == "not_decided"
    message = ru("Only a decided case can be appealed.")
    assert f'id="refusal">{message}' in response.content.decode()
    assert not CaseAppeal.objects.exists()
    assert not case.events.filter(kind="appealed").exists()


@pytest.mark.parametrize(
    ("data", "located"),
    [
        ({"filed_by": "", "grounds": GROUNDS}, {"filed_by"}),
        ({"filed_by": APPELLANT, "grounds": "   "}, {"grounds"}),
        ({"filed_by": "x" * 201, "grounds": "y" * 4001}, {"filed_by", "grounds"}),
        ({}, {"filed_by", "grounds"}),
    ],
)
def test_a_bad_appeal_form_is_located_and_nothing_is_kept(desk, data, located) -> None:
    client, case = desk
    response = client.post(url(case, "appeal/"), data)
    assert response.status_code == 400
    assert set(response.context["appeal_form"].errors) == located
    assert not CaseAppeal.objects.exists()
    assert 'id="appeal-form"' in response.content.decode()  # handed back with its errors


# -- deciding an appeal ------------------------------------------------------------------------


def test_a_dismissed_appeal_leaves_the_decision_standing(desk) -> None:
    client, case = desk
    appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    with clock.frozen_at(at(3)):
        response = client.post(
            url(case, f"appeal/{appeal.pk}/decide/"), {"outcome": "dismissed", "reasons": REASONS}
        )
    assert response.status_code == 302 and response["Location"] == url(case)
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert (appeal.outcome, appeal.reasons, appeal.decided_by) == (
        "dismissed",
        REASONS,
        "police-near",
    )
    assert appeal.decided_at == at(3) and case.status == "decided"
    page = client.get(url(case)).content.decode()
    assert ru("appeal dismissed: the decision stands") in page and REASONS in page
    assert f'id="appeal-decision-{appeal.pk}"' not in page and 'id="under-appeal"' not in page
    assert 'id="decision-form"' not in page
    # the timeline names the appeal's outcome, not a complaint's
    decided = case.events.get(kind="appeal_decided")
    assert decided.data == {"appeal": appeal.pk, "outcome": "dismissed"}
    step = page.split('<tr data-kind="appeal_decided">')[1].split("</tr>")[0]
    assert ru("Appeal decided") in step and f"#{appeal.pk}" in step
    assert ru("appeal dismissed: the decision stands") in step
    assert ru("complaint dismissed") not in step


def test_an_upheld_appeal_reopens_the_case_with_a_new_deadline(desk) -> None:
    client, case = desk
    appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    with clock.frozen_at(at(4)):
        response = client.post(
            url(case, f"appeal/{appeal.pk}/decide/"), {"outcome": "upheld", "reasons": "Reopen"}
        )
        assert response.status_code == 302
        page = client.get(url(case)).content.decode()
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.due_at == at(9) and case.due_rule == "campaign_days"  # five days from the 4th
    reopened = ru("%(ref)s is reopened: a new decision is due by %(due)s.") % {
        "ref": case.reference,
        "due": "09.03.2027 12:00",
    }
    assert reopened in page
    assert 'id="decision-form"' in page  # it can be decided again
    assert ru("appeal upheld: the case is examined again") in page
    again = client.post(
        url(case, "decide/"), {"outcome": "upheld", "legal_basis": "Art. 43", "measures": "Fine"}
    )
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.status == "decided" and case.decisions.count() == 2


def test_an_appeal_is_decided_once_and_the_second_try_is_refused_on_the_page(desk) -> None:
    client, case = desk
    appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    target = url(case, f"appeal/{appeal.pk}/decide/")
    assert client.post(target, {"outcome": "dismissed", "reasons": REASONS}).status_code == 302
    again = client.post(target, {"outcome": "upheld", "reasons": "Changed our mind"})
    assert again.status_code == 409 and again.context["refusal"].code == "appeal_decided"
    assert ru("The appeal is already decided.") in again.content.decode()
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert (appeal.outcome, appeal.reasons, case.status) == ("dismissed", REASONS, "decided")


@pytest.mark.parametrize(
    ("data", "located"),
    [
        ({"outcome": "reopened", "reasons": REASONS}, {"outcome"}),
        ({"outcome": "pending", "reasons": REASONS}, {"outcome"}),
        ({"outcome": "", "reasons": REASONS}, {"outcome"}),
        ({"outcome": "upheld", "reasons": " "}, {"reasons"}),
        ({}, {"outcome", "reasons"}),
    ],
)
def test_a_bad_appeal_decision_is_located_beside_its_appeal(desk, data, located) -> None:
    client, case = desk
    first = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    second = services.file_appeal("cli", case, "Party «Ынтымак»", "Another ground")
    response = client.post(url(case, f"appeal/{second.pk}/decide/"), data)
    assert response.status_code == 400
    rows = {row.appeal.pk: row for row in response.context["appeals"]}
    assert set(rows[second.pk].form.errors) == located
    assert not rows[first.pk].form.errors  # the other appeal's form is a fresh one
    page = response.content.decode()
    assert f'id="id_appeal{first.pk}_reasons"' in page
    assert f'id="id_appeal{second.pk}_reasons"' in page
    assert set(CaseAppeal.objects.values_list("outcome", flat=True)) == {"pending"}
    assert Case.objects.get(pk=case.pk).status == "decided"


# -- who may ----------------------------------------------------------------------------------


def test_appeals_follow_the_compartments_and_the_permission(desk, world) -> None:
    client, case = desk
    appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    elsewhere = decided_case(2002)  # the police of another TEC
    foreign = services.file_appeal("cli", elsewhere, APPELLANT, GROUNDS)
    decide = {"outcome": "upheld", "reasons": REASONS}
    # another case's appeal under this case's reference: not found
    wrong = client.post(url(case, f"appeal/{foreign.pk}/decide/"), decide)
    assert wrong.status_code == 404
    # a case outside the compartment: not found, for both actions
    assert client.post(url(elsewhere, f"appeal/{foreign.pk}/decide/"), decide).status_code == 404
    filed = {"filed_by": APPELLANT, "grounds": GROUNDS}
    assert client.post(url(elsewhere, "appeal/"), filed).status_code == 404
    prosecutor = make_user("prosecutor", Role.RESPONSE_GROUP, None, agency="prosecutor")
    other_agency = signed_in(prosecutor)
    assert other_agency.post(url(case, "appeal/"), filed).status_code == 404
    assert other_agency.post(url(case, f"appeal/{appeal.pk}/decide/"), decide).status_code == 404
    operator = signed_in(make_user("tec-op", Role.TEC_OPERATOR, world["near"].tec))
    assert operator.post(url(case, "appeal/"), filed).status_code == 403
    observer = signed_in(make_user("observer-1", Role.OBSERVER))
    assert observer.post(url(case, f"appeal/{appeal.pk}/decide/"), decide).status_code == 403
    anonymous = Client().post(url(case, "appeal/"), filed)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client.get(url(case, "appeal/")).status_code == 405  # a POST only
    assert CaseAppeal.objects.count() == 2
    assert set(CaseAppeal.objects.values_list("outcome", flat=True)) == {"pending"}


# -- what the public sees ----------------------------------------------------------------------


def test_the_status_page_says_a_case_is_under_appeal_and_how_it_ended(desk) -> None:
    _, case = desk
    public = f"/report/{case.reference}/"
    before = Client().get(public).content.decode()
    assert 'id="under-appeal"' not in before and ru("Appeals") not in before
    with clock.frozen_at(at(2, 9)):
        appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    pending = Client().get(public)
    page = pending.content.decode()
    assert 'id="under-appeal"' in page and ru("under appeal") in page
    assert ru("appeal pending") in page and "02.03.2027 09:00" in page
    assert pending.context["case"].under_appeal
    register = Client().get("/cases/").content.decode()
    assert ru("under appeal") in register
    with clock.frozen_at(at(3, 15)):
        services.decide_appeal("cli", appeal, "dismissed", REASONS)
    page = Client().get(public).content.decode()
    assert 'id="under-appeal"' not in page
    assert ru("appeal dismissed: the decision stands") in page and "03.03.2027 15:00" in page
    assert ru("Appeal decided") not in page  # no staff timeline here
    for hidden in (APPELLANT, "Молдокматов", GROUNDS, REASONS, "Токтогулова", "Cash offered"):
        assert hidden not in page
    for lang in ("ky", "en"):
        other = Client().get(public, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert APPELLANT not in other and GROUNDS not in other and REASONS not in other


def test_a_reopened_case_reads_as_being_examined_again_in_public(desk) -> None:
    _, case = desk
    appeal = services.file_appeal("cli", case, APPELLANT, GROUNDS)
    with clock.frozen_at(at(4)):
        services.decide_appeal("cli", appeal, "upheld", REASONS)
    page = Client().get(f"/report/{case.reference}/").content.decode()
    assert ru("being examined") in page
    assert ru("appeal upheld: the case is examined again") in page
    row = Client().get("/cases/").content.decode().split(f'data-reference="{case.reference}"')[1]
    row = row.split("</tr>")[0]
    assert ru("being examined") in row and ru("complaint dismissed") not in row
