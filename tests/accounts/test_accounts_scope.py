"""Territorial scope: checks in the service layer (require) and what pages list and refuse."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import factories as f
from shailoo.accounts.models import RoleAssignment
from shailoo.accounts.permissions import (
    has_permission,
    places_of,
    require,
    scope_filter,
)
from shailoo.accounts.roles import Permission, Role
from shailoo.accounts.services import grant_role, parse_scope, revoke_role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.common.refusals import InvalidInput, PermissionRefused
from shailoo.register.models import ListCorrection, Person, VotingPlaceChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    """Two TECs in one region, a station in each, a voter at each, a remote station."""
    f.election("kg-2025", datetime.date(2099, 3, 14))
    region = f.region("KG-C")
    tec_a, tec_b = f.tec(region, "TA"), f.tec(region, "TB")
    a = f.station(201, district_=f.district(region), tec_=tec_a)
    b = f.station(202, district_=f.district(region), tec_=tec_b)
    other_region = f.station(303)
    return {
        "region": region,
        "tec_a": tec_a,
        "tec_b": tec_b,
        "a": a,
        "b": b,
        "far": other_region,
        "voter_a": f.person(a, surname="Асанова"),
        "voter_b": f.person(b, surname="Бекова"),
        "voter_far": f.person(other_region, surname="Осмонова"),
    }


def test_each_scope_level_sees_its_own_persons(country) -> None:
    tec_op = make_user("tec", Role.TEC_OPERATOR, country["tec_a"])
    pec_op = make_user("pec", Role.PEC_OPERATOR, country["b"])
    cec = make_user("cec", Role.CEC_MEMBER)
    finance = make_user("fin", Role.OBSERVER, country["region"])
    a, b, far = country["voter_a"], country["voter_b"], country["voter_far"]
    assert has_permission(tec_op, Permission.PERSON_VIEW, a)
    assert not has_permission(tec_op, Permission.PERSON_VIEW, b)
    assert has_permission(pec_op, Permission.PERSON_VIEW, b)
    assert not has_permission(pec_op, Permission.PERSON_VIEW, a)
    assert all(has_permission(cec, Permission.PERSON_VIEW, p) for p in (a, b, far))
    assert not any(has_permission(finance, Permission.PERSON_VIEW, p) for p in (a, b, far))
    with pytest.raises(PermissionRefused):
        require(tec_op, Permission.PERSON_VIEW, far)
    with pytest.raises(PermissionRefused):
        require(cec, Permission.VOTING_PLACE_CHANGE, a)  # a member reads, does not change


def test_a_remote_voter_is_also_in_the_remote_stations_scope(country) -> None:
    voter = country["voter_far"]
    Person.objects.filter(pk=voter.pk).update(remote_station=country["a"])
    voter.refresh_from_db()
    assert has_permission(
        make_user("pec", Role.PEC_OPERATOR, country["a"]), Permission.PERSON_VIEW, voter
    )


def test_several_assignments_add_up_and_revoking_takes_away(country) -> None:
    user = make_user("multi", Role.PEC_OPERATOR, country["a"])
    assert not has_permission(user, Permission.PERSON_VIEW, country["voter_b"])
    grant_role(user, Role.PEC_OPERATOR, parse_scope("station:202"), actor="test")
    assert has_permission(user, Permission.PERSON_VIEW, country["voter_b"])
    assert revoke_role(user, Role.PEC_OPERATOR) == 2
    assert not has_permission(user, Permission.PERSON_VIEW, country["voter_a"])
    assert RoleAssignment.objects.filter(user=user, revoked_at__isnull=False).count() == 2


def test_inactive_or_unknown_users_get_nothing(country) -> None:
    user = make_user("gone", Role.CEC_ADMIN)
    user.is_active = False
    assert not has_permission(user, Permission.PERSON_VIEW)
    from django.contrib.auth.models import AnonymousUser

    assert not has_permission(AnonymousUser(), Permission.PERSON_VIEW)
    with pytest.raises(PermissionRefused):
        require(None, Permission.PERSON_VIEW)


def test_require_actor_lets_named_system_actors_through(country) -> None:
    require("cli", Permission.VOTING_PLACE_CHANGE, country["voter_a"])
    with pytest.raises(PermissionRefused):
        require("  ", Permission.VOTING_PLACE_CHANGE, country["voter_a"])
    with pytest.raises(PermissionRefused):
        require(make_user("p", Role.PEC_OPERATOR, country["a"]), Permission.VOTING_PLACE_CHANGE)


def test_places_of_refuses_objects_without_territory(country) -> None:
    assert places_of(country["tec_a"])[0].tec_id == country["tec_a"].pk
    with pytest.raises(TypeError):
        places_of(object())
    correction = ListCorrection(pin="1" * 14, person=None)
    assert places_of(correction) == []


def test_scope_filter_cuts_querysets_to_the_territory(country) -> None:
    persons = Person.objects.all()
    tec_op = make_user("tec", Role.TEC_OPERATOR, country["tec_a"])
    region_op = make_user("obs", Role.OBSERVER, country["region"])
    cec = make_user("cec", Role.CEC_MEMBER)
    paths = ("station", "remote_station")
    assert list(scope_filter(tec_op, Permission.PERSON_VIEW, persons, *paths)) == [
        country["voter_a"]
    ]
    assert scope_filter(cec, Permission.PERSON_VIEW, persons, *paths).count() == 3
    assert not scope_filter(region_op, Permission.PERSON_VIEW, persons, *paths).exists()


def test_bad_scope_and_role_texts_are_refused(country) -> None:
    for text in ("planet", "region", "region:XX", "tec:", "station:abc", "country:KG"):
        with pytest.raises(InvalidInput):
            parse_scope(text)
    user = make_user("x")
    with pytest.raises(InvalidInput):
        grant_role(user, Role.TEC_OPERATOR, parse_scope("country"), actor="test")
    with pytest.raises(InvalidInput):
        grant_role(user, Role.RESPONSE_GROUP, parse_scope("country"), actor="test")


# -- pages ---------------------------------------------------------------------------------


@pytest.fixture
def tec_client(client: Client, country) -> Client:
    login_verified(client, make_user("tec-a", Role.TEC_OPERATOR, country["tec_a"]))
    return client


def test_tec_operator_opens_own_persons_only(tec_client: Client, country) -> None:
    own = reverse("register:person", args=[country["voter_a"].pk])
    other = reverse("register:person", args=[country["voter_b"].pk])
    assert tec_client.get(own).status_code == 200
    assert tec_client.get(other).status_code == 403


def test_search_lists_only_persons_in_scope(tec_client: Client, country) -> None:
    for query in ("Асанова", "Бекова", "Осмонова"):
        response = tec_client.post(reverse("register:search"), {"q": query})
        found = [person for person, _masked in response.context["results"]]
        assert found == ([country["voter_a"]] if query == "Асанова" else []), query


def test_voting_place_outside_scope_is_refused_and_changes_nothing(tec_client, country) -> None:
    url = reverse("register:voting_place", args=[country["voter_b"].pk])
    assert tec_client.post(url, {"station_number": 201}).status_code == 403
    assert not VotingPlaceChange.objects.exists()


def test_corrections_queue_and_answers_are_scoped(tec_client: Client, country) -> None:
    def request(voter: Person, details: str) -> ListCorrection:
        return ListCorrection.objects.create(
            pin=voter.pin,
            person=voter,
            kind="wrong_data",
            details=details,
            requested_at=timezone.now(),
            due_by="2099-01-01",
        )

    own, foreign = request(country["voter_a"], "own-typo"), request(country["voter_b"], "far-typo")
    page = tec_client.get(reverse("register:corrections")).content.decode()
    assert "own-typo" in page and "far-typo" not in page
    answer = {"decision": "reject", "answer": "Data is right."}
    assert (
        tec_client.post(
            reverse("register:correction_answer", args=[foreign.pk]), answer
        ).status_code
        == 403
    )
    tec_client.post(reverse("register:correction_answer", args=[own.pk]), answer)
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.status == "rejected" and foreign.status == "open"


def test_a_member_reads_corrections_but_cannot_register_one(client: Client, country) -> None:
    login_verified(client, make_user("member", Role.CEC_MEMBER))
    url = reverse("register:corrections")
    assert client.get(url).status_code == 200
    data = {"pin": country["voter_a"].pin, "kind": "missing", "details": "x"}
    assert client.post(url, data).status_code == 403
    assert not ListCorrection.objects.exists()
