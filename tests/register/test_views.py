"""Staff register pages and admin: deny by default, search, explanation, forms, query counts.

Staff log in the way the MFA login leaves a session: password user plus a verified TOTP
device (``accounts.testing.login_verified``), holding a role from ``accounts.roles``.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register.models import ListCorrection, Person, PersonChange, VotingPlaceChange
from shailoo.register.pin import mask_pin

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    login_verified(client, make_user("clerk", Role.CEC_ADMIN))
    return client


@pytest.fixture
def voter():
    f.election("kg-2025", datetime.date(2099, 3, 14))
    home = f.station(101, district_=f.district(code="OSH"))
    return f.person(home)


STAFF_PAGES = [
    ("register:dashboard", {}),
    ("register:search", {}),
    ("register:corrections", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_login(client: Client, name: str, kwargs) -> None:
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_users_without_a_staff_role_are_refused(client: Client, name: str, kwargs) -> None:
    login_verified(client, make_user("citizen"))
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_password_without_second_factor_is_sent_to_login(client, name: str, kwargs) -> None:
    """A session with the password step only (no verified device) opens nothing."""
    client.force_login(make_user("clerk", Role.CEC_ADMIN))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_person_pages_and_posts_deny_non_staff(client: Client, voter: Person) -> None:
    detail = reverse("register:person", args=[voter.pk])
    move = reverse("register:voting_place", args=[voter.pk])
    assert client.get(detail).status_code == 302
    assert client.post(move, {"station_number": 101}).status_code == 302
    login_verified(client, make_user("citizen", Role.OBSERVER))
    assert client.get(detail).status_code == 403
    assert client.post(move, {"station_number": 101}).status_code == 403
    correction = ListCorrection.objects.create(
        pin=voter.pin, kind="missing", details="x", requested_at=timezone.now(), due_by="2099-01-01"
    )
    answer = reverse("register:correction_answer", args=[correction.pk])
    assert client.post(answer, {"decision": "accept", "answer": "ok"}).status_code == 403
    assert not VotingPlaceChange.objects.exists()
    correction.refresh_from_db()
    assert correction.status == ListCorrection.Status.OPEN


def test_dashboard_shows_regions_alerts_and_overdue(staff_client: Client, voter: Person) -> None:
    for _ in range(11):
        f.person(voter.station, dwelling_id="FLAT-13")
    ListCorrection.objects.create(
        pin=voter.pin,
        person=voter,
        kind="wrong_data",
        details="typo",
        requested_at=timezone.now(),
        due_by=timezone.localdate() - datetime.timedelta(days=1),
    )
    page = staff_client.get(reverse("register:dashboard")).content.decode()
    assert voter.station.region.code in page
    assert "FLAT-13" in page
    assert voter.full_name in page  # the overdue request names its person


def test_search_finds_any_spelling_and_masks_pins(staff_client: Client, voter: Person) -> None:
    url = reverse("register:search")
    for query in ("Омурова", "omurova aigul", "Өмүрова"):
        page = staff_client.post(url, {"q": query}).content.decode()
        assert voter.full_name in page, query
        assert mask_pin(voter.pin) in page and voter.pin not in page
    nothing = staff_client.post(url, {"q": "Zzyzx"}).content.decode()
    assert "Zzyzx" in nothing and voter.full_name not in nothing


def test_search_keeps_the_query_out_of_the_url(staff_client: Client, voter: Person) -> None:
    """A PIN in the query string is logged by every server and proxy: the search is a POST."""
    url = reverse("register:search")
    page = staff_client.get(url).content.decode()
    form = re.search(r'<form[^>]*class="search"[^>]*>', page)
    assert form and 'method="post"' in form.group(0) and "hx-get" not in form.group(0)
    assert "hx-push-url" not in form.group(0)
    by_pin = staff_client.post(url, {"q": voter.pin}).content.decode()
    assert voter.full_name in by_pin and mask_pin(voter.pin) in by_pin
    # a PIN still sent in a query string is not searched for
    assert voter.full_name not in staff_client.get(url, {"q": voter.pin}).content.decode()
    dashboard = staff_client.get(reverse("register:dashboard")).content.decode()
    quick = re.search(rf'<form[^>]*action="{url}"[^>]*>', dashboard)
    assert quick and 'method="post"' in quick.group(0)


def test_search_answers_htmx_with_the_results_fragment(staff_client: Client, voter) -> None:
    response = staff_client.post(
        reverse("register:search"), {"q": "Өмүрова"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and voter.full_name in body


def test_search_page_queries_stay_flat(staff_client, voter, django_assert_max_num_queries) -> None:
    for i in range(30):
        f.person(f.station(), given_name=f"Айгүл{i}")
    with django_assert_max_num_queries(8):
        page = staff_client.post(reverse("register:search"), {"q": "Өмүрова"}).content.decode()
    assert page.count("Айгүл") >= 30


def test_person_detail_explains_the_verdict_and_shows_history(staff_client, voter) -> None:
    PersonChange.objects.create(
        person=voter, actor="cli", source="import", changes={"address": ["old st", "new st"]}
    )
    Person.objects.filter(pk=voter.pk).update(biometric_registered=False)
    url = reverse("register:person", args=[voter.pk])
    with_ru = staff_client.get(url, headers={"Accept-Language": "ru"}).content.decode()
    assert "Биометрическая регистрация" in with_ru  # the rule, in Russian
    assert "ч. 2 ст. 14" in with_ru  # its citation
    assert "old st" in with_ru and "new st" in with_ru
    assert voter.pin not in with_ru
    staff_client.cookies["django_language"] = "ky"
    with_ky = staff_client.get(url).content.decode()
    assert "Биометрикалык каттоо" in with_ky


def test_person_detail_unknown_id_is_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("register:person", args=[999999])).status_code == 404


def test_voting_place_form_applies_and_refuses_with_reason(staff_client, voter) -> None:
    far = f.station(202, is_remote_voting=True)
    near = f.station(103, district_=voter.station.district, is_remote_voting=True)
    url = reverse("register:voting_place", args=[voter.pk])
    response = staff_client.post(url, {"station_number": near.number}, follow=True)
    page = response.content.decode()
    assert VotingPlaceChange.objects.get().status == "refused"
    assert "ст. 14" in page or "Art. 14" in page  # the basis is shown
    staff_client.post(url, {"station_number": far.number})
    voter.refresh_from_db()
    assert voter.remote_station == far
    assert PersonChange.objects.get(person=voter).actor == "clerk"


@pytest.mark.parametrize("value", ["", "abc", "-3", "0", "77777"])
def test_voting_place_form_bad_station_changes_nothing(staff_client, voter, value: str) -> None:
    url = reverse("register:voting_place", args=[voter.pk])
    response = staff_client.post(url, {"station_number": value}, follow=True)
    assert response.status_code == 200
    assert not VotingPlaceChange.objects.exists()
    assert list(response.context["messages"])  # the reason is shown


def test_voting_place_needs_post(staff_client, voter) -> None:
    assert staff_client.get(reverse("register:voting_place", args=[voter.pk])).status_code == 405


def test_corrections_queue_registers_and_answers(staff_client, voter) -> None:
    url = reverse("register:corrections")
    staff_client.post(url, {"pin": voter.pin, "kind": "wrong_data", "details": "typo"})
    correction = ListCorrection.objects.get()
    assert correction.person == voter
    page = staff_client.get(url).content.decode()
    assert "typo" in page and mask_pin(voter.pin) in page and voter.pin not in page
    answer = reverse("register:correction_answer", args=[correction.pk])
    staff_client.post(answer, {"decision": "reject", "answer": "Data is right."})
    correction.refresh_from_db()
    assert correction.status == ListCorrection.Status.REJECTED
    assert correction.answered_by.username == "clerk"


@pytest.mark.parametrize(
    "data",
    [
        {"pin": "123", "kind": "missing", "details": "x"},
        {"pin": "21501199012345", "kind": "nonsense", "details": "x"},
        {"pin": "21501199012345", "kind": "missing", "details": ""},
        {},
    ],
)
def test_corrections_bad_input_is_400_with_errors(staff_client, voter, data) -> None:
    response = staff_client.post(reverse("register:corrections"), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ListCorrection.objects.exists()


def test_answer_bad_input_changes_nothing(staff_client, voter) -> None:
    correction = ListCorrection.objects.create(
        pin=voter.pin, kind="missing", details="x", requested_at=timezone.now(), due_by="2099-01-01"
    )
    answer = reverse("register:correction_answer", args=[correction.pk])
    staff_client.post(answer, {"decision": "maybe", "answer": "x"})
    staff_client.post(answer, {"decision": "accept"})
    correction.refresh_from_db()
    assert correction.status == ListCorrection.Status.OPEN
    assert staff_client.post(reverse("register:correction_answer", args=[999])).status_code == 404


def test_corrections_page_queries_stay_flat(staff_client, voter, django_assert_max_num_queries):
    for i in range(25):
        person = f.person(voter.station)
        ListCorrection.objects.create(
            pin=person.pin,
            person=person,
            kind="missing",
            details=f"d{i}",
            requested_at=timezone.now(),
            due_by="2099-01-01",
        )
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("register:corrections")).status_code == 200


# -- admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client: Client) -> Client:
    login_verified(client, make_user("root", Role.CEC_ADMIN))
    return client


def test_admin_needs_the_admin_role_and_the_second_factor(client: Client) -> None:
    index = reverse("admin:index")
    client.force_login(User.objects.create_superuser("root", password=None))
    assert client.get(index)["Location"].startswith(reverse("admin:login"))  # no TOTP
    login_verified(client, User.objects.get(username="root"))
    assert client.get(index).status_code == 302  # a superuser flag without a role: no entry
    login_verified(client, make_user("member", Role.CEC_MEMBER))
    assert client.get(index).status_code == 302
    login_verified(client, make_user("admin", Role.CEC_ADMIN))
    assert client.get(index).status_code == 200
    login_page = client.get(reverse("admin:login"))
    assert login_page["Location"].startswith(reverse("login"))  # one login, with MFA


def test_admin_person_view_is_logged(admin_client_, voter) -> None:
    admin_client_.get(reverse("admin:register_person_change", args=[voter.pk]))
    entry = PersonalDataAccess.objects.get()
    assert (entry.username, entry.subject_id, entry.view) == (
        "root",
        voter.pk,
        "admin:register_person_change",
    )
    assert entry.subject_label == mask_pin(voter.pin)


def test_admin_person_list_masks_pins_and_searches_any_spelling(admin_client_, voter) -> None:
    url = reverse("admin:register_person_changelist")
    page = admin_client_.get(url, {"q": "Omurova"}).content.decode()
    assert mask_pin(voter.pin) in page and voter.pin not in page
    # never by PIN: the admin's search is a GET, the PIN would be in the logged address
    by_pin = admin_client_.get(url, {"q": voter.pin})
    assert by_pin.context["cl"].result_count == 0
    assert "«Найти человека»" in by_pin.content.decode()
    assert admin_client_.get(url, {"q": "Zzyzx"}).context["cl"].result_count == 0


def test_admin_save_records_history_and_recomputes(admin_client_, voter) -> None:
    url = reverse("admin:register_person_change", args=[voter.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        surname="Омурова",
        station=voter.station.pk,
        birth_date="1990-05-17",
        biometric_registered="",
        **{
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
            "changes-MIN_NUM_FORMS": "0",
            "changes-MAX_NUM_FORMS": "1000",
        },
    )
    data.pop("remote_station", None)
    data.pop("death_date", None)
    data = {k: ("" if v is False else "on" if v is True else v) for k, v in data.items()}
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    voter.refresh_from_db()
    assert voter.surname == "Омурова" and not voter.eligible
    change = PersonChange.objects.get(person=voter)
    assert change.source == "admin" and change.actor == "root"
    assert change.changes["surname"] == ["Өмүрова", "Омурова"]


def test_admin_history_and_imports_are_read_only(admin_client_, voter) -> None:
    change = PersonChange.objects.create(person=voter, actor="x", source="import", changes={})
    assert admin_client_.get(reverse("admin:register_personchange_add")).status_code == 403
    view = admin_client_.get(reverse("admin:register_personchange_change", args=[change.pk]))
    assert view.status_code == 200 and not view.context["has_change_permission"]
    delete = reverse("admin:register_personchange_delete", args=[change.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client_.get(reverse("admin:register_person_add")).status_code == 403
    assert admin_client_.get(reverse("admin:register_importrun_add")).status_code == 403


def test_admin_refuses_an_unknown_law_edition(admin_client_) -> None:
    response = admin_client_.post(
        reverse("admin:elections_election_add"),
        {"code": "x", "name": "X", "polling_day": "2030-01-01", "law_edition": "../../etc/passwd"},
    )
    assert response.status_code == 200
    assert "law_edition" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "name",
    [
        "geo_region",
        "geo_district",
        "geo_territorialcommission",
        "geo_pollingstation",
        "elections_election",
        "register_person",
        "register_personchange",
        "register_importrun",
        "register_votingplacechange",
        "register_listcorrection",
    ],
)
def test_admin_changelists_render(admin_client_, voter, name: str) -> None:
    assert admin_client_.get(reverse(f"admin:{name}_changelist")).status_code == 200
