"""Every staff view of a person's record is logged, and the log can be reviewed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register.pin import mask_pin

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter():
    f.election("kg-2025", datetime.date(2099, 3, 14))
    return f.person(f.station(101))


def test_person_page_view_is_logged_with_who_what_when(client: Client, voter) -> None:
    login_verified(client, make_user("clerk", Role.TEC_OPERATOR, voter.station.tec))
    assert client.get(reverse("register:person", args=[voter.pk])).status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert entry.username == "clerk" and entry.user.username == "clerk"
    assert (entry.subject_type, entry.subject_id) == ("register.person", voter.pk)
    assert entry.subject_label == mask_pin(voter.pin) and voter.pin not in str(entry)
    assert entry.view == "register:person" and entry.ip == "127.0.0.1"
    assert entry.at is not None


def test_refused_and_missing_records_are_not_logged(client: Client, voter) -> None:
    login_verified(client, make_user("pec", Role.PEC_OPERATOR, f.station(102)))
    assert client.get(reverse("register:person", args=[voter.pk])).status_code == 403
    assert client.get(reverse("register:person", args=[999999])).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_access_log_page_lists_and_filters(client: Client, voter) -> None:
    reader = make_user("reader", Role.TEC_OPERATOR, voter.station.tec)
    login_verified(client, reader)
    client.get(reverse("register:person", args=[voter.pk]))
    other = f.person(voter.station, surname="Бекова")
    client.get(reverse("register:person", args=[other.pk]))
    login_verified(client, make_user("member", Role.CEC_MEMBER))
    url = reverse("accounts:access_log")
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["page"].object_list) == 2
    assert mask_pin(voter.pin) in page.content.decode() and voter.pin not in page.content.decode()
    only = client.get(url, {"subject": voter.pk}).context["page"].object_list
    assert [e.subject_id for e in only] == [voter.pk]
    assert not client.get(url, {"username": "nobody"}).context["page"].object_list
    assert client.get(url, {"subject": "abc"}).status_code == 200  # bad filter: unfiltered


def test_operators_cannot_read_the_access_log(client: Client, voter) -> None:
    login_verified(client, make_user("tec", Role.TEC_OPERATOR, voter.station.tec))
    assert client.get(reverse("accounts:access_log")).status_code == 403


def test_the_log_is_read_only_in_the_admin(client: Client, voter) -> None:
    login_verified(client, make_user("admin", Role.CEC_ADMIN))
    client.get(reverse("register:person", args=[voter.pk]))
    entry = PersonalDataAccess.objects.get()
    assert client.get(reverse("admin:accounts_personaldataaccess_changelist")).status_code == 200
    view = client.get(reverse("admin:accounts_personaldataaccess_change", args=[entry.pk]))
    assert view.status_code == 200 and not view.context["has_change_permission"]
    delete = reverse("admin:accounts_personaldataaccess_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.filter(pk=entry.pk).exists()
