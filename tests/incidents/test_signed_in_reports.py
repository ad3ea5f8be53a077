"""Observers and candidates' agents file reports signed in and follow them on "My reports".

They hold ``incidents.report`` only: the intake page files their report through their own
door (observer, agent), and they then see their own cases — reference, category, station,
status, deadline, the outcome and the public summary — never someone else's, never the case
file (description, complainant, handlers' notes, evidence), never the group's workspace.
"""

from __future__ import annotations

import datetime
import re
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
from shailoo.common.refusals import PermissionRefused
from shailoo.incidents import clock, forms, report_services, services
from shailoo.incidents.models import Case

BISHKEK = ZoneInfo("Asia/Bishkek")
POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db

MINE = "/staff/incidents/mine/"
NEW = "/staff/incidents/new/"


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
    near = f.station(1001, name="Мектеп №5")
    far = f.station(2002)
    with clock.frozen_at(at(1, 10)):
        yield {"near": near, "far": far}


def signed_in(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def intake(**changes: Any) -> dict[str, Any]:
    data = {
        "category": "illegal_campaigning",
        "severity": "",
        "description": "Campaign posters inside the polling room",
        "station": "1001",
        "place": "",
        "parties_involved": "",
        "complainant_name": "",
        "complainant_phone": "",
        "complainant_email": "",
    }
    data.update(changes)
    return data


def rows(response: Any) -> dict[str, Any]:
    return {row.case.reference: row for row in response.context["rows"]}


# -- filing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "door"), [(Role.OBSERVER, "observer"), (Role.AGENT, "agent")])
def test_an_observer_or_agent_files_a_report_and_lands_on_my_reports(world, role, door) -> None:
    client = signed_in(make_user(f"{door}-1", role))
    form = client.get(NEW)
    assert form.status_code == 200
    page = form.content.decode()
    with translation.override("ru"):
        assert str(forms.SOURCE_LABELS[door]) in page  # "Filed as: observer"
    assert f'href="{MINE}"' in page and 'href="/staff/incidents/"' not in page.split("<main")[1]
    response = client.post(NEW, intake())
    assert response.status_code == 302 and response["Location"] == MINE
    case = Case.objects.get()
    assert (case.source, case.reporter, case.agency) == (door, f"{door}-1", "commission")
    assert case.station == world["near"] and case.due_at == at(6, 10)
    listed = client.get(MINE)
    assert listed.status_code == 200 and set(rows(listed)) == {case.reference}
    page = listed.content.decode()
    assert case.reference in page and ru("Illegal campaigning") in page
    assert "№1001 · Мектеп №5" in page and "06.03.2027 10:00" in page
    assert ru("received, not yet examined") in page
    assert f'href="/report/{case.reference}/"' in page  # the public status page, not the file
    assert "Campaign posters inside" not in page  # the description stays in the case file


def test_a_report_with_errors_is_handed_back_and_nothing_is_filed(world) -> None:
    client = signed_in(make_user("observer-1", Role.OBSERVER))
    bad = client.post(NEW, intake(category="", description=" "))
    assert bad.status_code == 400 and {"category", "description"} <= set(bad.context["form"].errors)
    unknown = client.post(NEW, intake(station="404404"))
    assert unknown.status_code == 400
    assert "404404" in str(unknown.context["form"].errors["station"])
    assert not Case.objects.exists()


def test_where_a_filer_goes_next_follows_what_they_may_see(world) -> None:
    commission = signed_in(make_user("commission", Role.RESPONSE_GROUP, None, agency="commission"))
    own = commission.post(NEW, intake())
    case = Case.objects.get()
    assert own["Location"] == f"/staff/incidents/{case.reference}/"  # routed to them
    elsewhere = commission.post(NEW, intake(category="vote_buying"))
    assert elsewhere["Location"] == "/staff/incidents/"  # routed to the police
    admin = signed_in(make_user("cec-admin", Role.CEC_ADMIN))
    anything = admin.post(NEW, intake(category="vote_buying"))
    newest = Case.objects.get(reporter="cec-admin")
    assert anything["Location"] == f"/staff/incidents/{newest.reference}/"
    assert {c.source for c in Case.objects.all()} == {"hotline"}


# -- what My reports shows ----------------------------------------------------------------------


def test_my_reports_lists_only_ones_own_cases(world) -> None:
    observer = make_user("observer-1", Role.OBSERVER)
    client = signed_in(observer)
    mine = client.post(NEW, intake())
    assert mine.status_code == 302
    other_observer = signed_in(make_user("observer-2", Role.OBSERVER))
    assert other_observer.post(NEW, intake(description="Somebody else's report")).status_code == 302
    agent = signed_in(make_user("agent-1", Role.AGENT))
    assert agent.post(NEW, intake(station="2002")).status_code == 302
    services.open_case(
        "public", services.Report(category="other", description="x", source="public_web", place="y")
    )
    services.raise_alert("counting", "discrepancy", category="count_irregularity", summary="z")
    own = Case.objects.get(reporter="observer-1")
    assert set(rows(client.get(MINE))) == {own.reference}
    for other in Case.objects.exclude(pk=own.pk):
        assert other.reference not in client.get(MINE).content.decode()
    assert set(rows(agent.get(MINE))) == {Case.objects.get(reporter="agent-1").reference}


def test_a_username_like_a_system_actor_does_not_pick_up_the_systems_cases(world) -> None:
    """The public form files as ``public`` and alerts as their domain: an account that happens
    to carry such a name sees none of those cases."""
    services.open_case(
        "public", services.Report(category="other", description="x", source="public_web", place="y")
    )
    services.raise_alert("counting", "discrepancy", category="count_irregularity", summary="z")
    for name in ("public", "counting"):
        client = signed_in(make_user(name, Role.OBSERVER))
        response = client.get(MINE)
        assert response.status_code == 200 and rows(response) == {}
        assert ru("You have not filed a report yet.") in response.content.decode()
        assert report_services.my_reports(make_user(f"{name}-x", Role.AGENT)).count() == 0


def test_my_reports_shows_the_outcome_and_the_public_summary_not_the_case_file(world) -> None:
    client = signed_in(make_user("observer-1", Role.OBSERVER))
    client.post(
        NEW,
        intake(
            complainant_name="Бейшеналиева Нуриза",
            complainant_phone="+996 555 987 654",
            parties_involved="Party «Ынтымак»",
        ),
    )
    case = Case.objects.get()
    services.add_note("cli", case, "Handler's note: call the TEC chair back")
    with clock.frozen_at(at(2, 16)):
        services.decide(
            "cli", case, outcome="upheld", legal_basis="Constitutional Law No. 68, Art. 22",
            measures="Posters removed",
            public_summary="Posters removed; Нуриза can be reached at +996 555 987 654",
        )  # fmt: skip
    page = client.get(MINE).content.decode()
    assert ru("decided") in page and ru("complaint upheld") in page
    assert "Posters removed;" in page and ru("[removed]") in page
    for hidden in (
        "Handler's note",
        "Бейшеналиева",
        "Нуриза",
        "987 654",
        "Campaign posters inside",
        "Ынтымак",
    ):
        assert hidden not in page


def test_my_reports_marks_the_overdue_and_cases_under_appeal(world) -> None:
    client = signed_in(make_user("agent-1", Role.AGENT))
    client.post(NEW, intake())
    with clock.frozen_at(at(3, 10)):
        client.post(NEW, intake(description="Second report"))
    first, second = Case.objects.order_by("received_at")
    services.decide("cli", second, outcome="dismissed", legal_basis="Art. 43")
    services.file_appeal("cli", second, "Candidate Asanov", "Not examined")
    with clock.frozen_at(at(7, 10)):  # the first is past its five days
        response = client.get(MINE)
    listed = rows(response)
    assert list(listed) == [second.reference, first.reference]  # newest first
    assert listed[first.reference].due == "overdue" and listed[second.reference].due == ""
    assert listed[second.reference].case.under_appeal
    assert not listed[first.reference].case.under_appeal
    page = response.content.decode()
    assert page.count(ru("under appeal")) == 1 and ru("overdue") in page
    assert "Candidate Asanov" not in page and "Not examined" not in page


# -- who may -----------------------------------------------------------------------------------


def test_observers_and_agents_stay_out_of_the_groups_workspace(world) -> None:
    case = services.open_case(
        "public",
        services.Report(category="other", description="x", source="public_web", station=1001),
    )
    for role in (Role.OBSERVER, Role.AGENT):
        client = signed_in(make_user(f"u-{role.value}", role))
        assert client.get("/staff/incidents/").status_code == 403
        assert client.get(f"/staff/incidents/{case.reference}/").status_code == 403
        assert client.get("/staff/incidents/routes/").status_code == 403
        note = client.post(f"/staff/incidents/{case.reference}/note/", {"text": "x"})
        assert note.status_code == 403
    assert not case.events.filter(kind="note").exists()


def test_my_reports_needs_a_login_and_the_permission(world) -> None:
    anonymous = Client().get(MINE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    operator = make_user("tec-op", Role.TEC_OPERATOR, world["near"].tec)
    assert signed_in(operator).get(MINE).status_code == 403
    assert signed_in(operator).get(NEW).status_code == 403
    with pytest.raises(PermissionRefused):
        report_services.my_reports(operator)
    password_only = Client()
    password_only.force_login(make_user("observer-unverified", Role.OBSERVER))
    assert password_only.get(MINE).status_code == 302  # the second factor first


def test_the_menu_leads_observers_to_their_reports(world) -> None:
    observer = signed_in(make_user("observer-1", Role.OBSERVER))
    page = observer.get("/").content.decode()
    assert re.search(rf'href="{MINE}" id="nav-my-reports">{ru("My reports")}<', page)
    assert 'id="nav-my-reports"' not in Client().get("/").content.decode()
    member = signed_in(make_user("police", Role.RESPONSE_GROUP, None, agency="police"))
    workspace = member.get("/staff/incidents/").content.decode()
    assert 'id="nav-my-reports"' not in workspace  # staff go through the workspace
    assert f'href="{MINE}" id="mine-link"' in workspace and 'id="new-link"' in workspace


def test_the_doors_counted_as_ones_own_are_case_sources() -> None:
    assert set(report_services.SIGNED_IN_DOORS) <= set(Case.Source.values)
    assert {"public_web", "open311", "alert"}.isdisjoint(report_services.SIGNED_IN_DOORS)
