"""Register use cases: voting-place rules per law edition, self-check, corrections, history."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.common.refusals import PermissionRefused, Refusal
from shailoo.law.loader import load_edition
from shailoo.register import services
from shailoo.register.models import ListCorrection, Person, PersonChange, VotingPlaceChange

pytestmark = pytest.mark.django_db

POLLING_DAY = datetime.date(2027, 3, 14)
BISHKEK = ZoneInfo("Asia/Bishkek")


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BISHKEK)


def days_before(days: int) -> datetime.date:
    return POLLING_DAY - datetime.timedelta(days=days)


def deadline(edition: str) -> int:
    return load_edition(edition).polling.voting_place_change_deadline_days.value


@pytest.fixture(autouse=True)
def english():
    """Messages and citations come in the active language; these tests read English."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db) -> User:
    return make_user("clerk", Role.CEC_ADMIN)


@pytest.fixture
def area():
    """A home station and, in another district, an ordinary and a remote-voting station."""
    home_district = f.district(code="OSH-1")
    home = f.station(1001, district_=home_district)
    near_remote = f.station(1002, district_=home_district, is_remote_voting=True)
    far_district = f.district(code="BISH-1")
    far = f.station(2001, district_=far_district)
    far_remote = f.station(2002, district_=far_district, is_remote_voting=True)
    voter = f.person(home)
    return {
        "home": home,
        "near_remote": near_remote,
        "far": far,
        "far_remote": far_remote,
        "voter": voter,
    }


# -- kg-2020: station change on request ---------------------------------------------------


def test_kg2020_moves_voter_to_any_station_before_deadline(area, staff) -> None:
    f.election("kg-2020", POLLING_DAY)
    voter, far = area["voter"], area["far"]
    record = services.change_voting_place(
        voter, far, staff, now=at(days_before(deadline("kg-2020")))
    )
    assert record.status == VotingPlaceChange.Status.APPLIED
    assert record.kind == VotingPlaceChange.Kind.STATION_CHANGE
    assert record.from_station == area["home"] and record.actor == "clerk"
    voter.refresh_from_db()
    assert voter.station == far and voter.remote_station is None
    change = PersonChange.objects.get(person=voter)
    assert change.source == PersonChange.Source.VOTING_PLACE
    assert change.changes == {"station": [1001, 2001]}


def test_kg2020_refuses_after_deadline_and_records_the_refusal(area, staff) -> None:
    f.election("kg-2020", POLLING_DAY)
    voter = area["voter"]
    late = days_before(deadline("kg-2020") - 1)
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(voter, area["far"], staff, now=at(late))
    error = caught.value
    assert error.code == "deadline_passed"
    assert "Art. 14" in error.citation
    record = VotingPlaceChange.objects.get(person=voter)
    assert record == error.record
    assert record.status == VotingPlaceChange.Status.REFUSED
    assert late.isoformat() in record.reason
    assert record.citation.startswith("Art. 14, ")
    voter.refresh_from_db()
    assert voter.station == area["home"]
    assert not PersonChange.objects.filter(person=voter).exists()


def test_kg2020_refuses_the_station_the_voter_already_has(area, staff) -> None:
    f.election("kg-2020", POLLING_DAY)
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(area["voter"], area["home"], staff, now=at(days_before(30)))
    assert caught.value.code == "same_station"
    assert VotingPlaceChange.objects.get().status == VotingPlaceChange.Status.REFUSED


# -- kg-2021: the registered address decides -----------------------------------------------


@pytest.mark.parametrize("target", ["far", "far_remote"])
def test_kg2021_refuses_every_request_with_citation(area, staff, target: str) -> None:
    f.election("kg-2021", POLLING_DAY)
    voter = area["voter"]
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(voter, area[target], staff, now=at(days_before(60)))
    assert caught.value.code == "mode_forbids_change"
    assert caught.value.citation.startswith("Art. 14, ")
    with translation.override("ru"), pytest.raises(Refusal) as again:
        services.change_voting_place(voter, area[target], staff, now=at(days_before(60)))
    assert again.value.citation.startswith("ст. 14, ")
    record = VotingPlaceChange.objects.filter(person=voter).first()
    assert VotingPlaceChange.objects.filter(person=voter).count() == 2
    assert record.status == VotingPlaceChange.Status.REFUSED
    assert "registered address" in record.reason  # stored in English whatever the UI language
    assert record.citation.startswith("Art. 14, ")
    voter.refresh_from_db()
    assert voter.voting_station == area["home"]


# -- kg-2025: registered address with remote voting ----------------------------------------


def test_kg2025_registers_remote_voting_outside_own_district(area, staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    voter = area["voter"]
    record = services.change_voting_place(
        voter, area["far_remote"], staff, now=at(days_before(deadline("kg-2025")), 23)
    )
    assert record.status == VotingPlaceChange.Status.APPLIED
    assert record.kind == VotingPlaceChange.Kind.REMOTE_VOTING
    voter.refresh_from_db()
    assert voter.station == area["home"]  # the home registration stays
    assert voter.remote_station == area["far_remote"]
    assert voter.voting_station == area["far_remote"]
    assert PersonChange.objects.get(person=voter).changes == {"remote_station": [None, 2002]}


def test_kg2025_refuses_a_remote_station_inside_own_district(area, staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(
            area["voter"], area["near_remote"], staff, now=at(days_before(30))
        )
    assert caught.value.code == "same_district"
    record = VotingPlaceChange.objects.get()
    assert (record.status, record.kind) == ("refused", "remote_voting")
    assert "own district" in record.reason and record.citation.startswith("Art. 14, ")


def test_kg2025_refuses_an_ordinary_station(area, staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(area["voter"], area["far"], staff, now=at(days_before(30)))
    assert caught.value.code == "not_remote_station"
    assert VotingPlaceChange.objects.get().status == VotingPlaceChange.Status.REFUSED


def test_kg2025_refuses_after_deadline(area, staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    late = days_before(deadline("kg-2025") - 1)
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(area["voter"], area["far_remote"], staff, now=at(late, 0))
    assert caught.value.code == "deadline_passed"
    assert caught.value.citation.startswith("Art. 15, ")
    area["voter"].refresh_from_db()
    assert area["voter"].remote_station is None


def test_kg2025_compares_tecs_when_the_home_station_has_no_district(staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    region = f.region()
    own_tec, other_tec = f.tec(region), f.tec(region)
    home = f.station(3001, district=None, region=region, tec_=own_tec)
    same_tec_remote = f.station(
        3002, district=None, region=region, tec_=own_tec, is_remote_voting=True
    )
    other_remote = f.station(
        3003, district=None, region=region, tec_=other_tec, is_remote_voting=True
    )
    voter = f.person(home)
    with pytest.raises(Refusal, match="own district"):
        services.change_voting_place(voter, same_tec_remote, staff, now=at(days_before(30)))
    record = services.change_voting_place(voter, other_remote, staff, now=at(days_before(30)))
    assert record.status == VotingPlaceChange.Status.APPLIED


# -- who may act ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "inactive", "blank"])
def test_voting_place_change_denies_non_staff_and_records_nothing(area, who: str) -> None:
    f.election("kg-2020", POLLING_DAY)
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "citizen": lambda: User.objects.create_user("citizen", password="x-long-pw-1"),
        "inactive": lambda: User.objects.create_user(
            "gone", password="x-long-pw-1", is_staff=True, is_active=False
        ),
        "blank": lambda: "  ",
    }[who]()
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(area["voter"], area["far"], actor, now=at(days_before(30)))
    assert caught.value.code == "forbidden"
    assert not VotingPlaceChange.objects.exists()


def test_system_actor_is_named_in_history(area) -> None:
    f.election("kg-2020", POLLING_DAY)
    services.change_voting_place(area["voter"], area["far"], "cli", now=at(days_before(30)))
    assert PersonChange.objects.get().actor == "cli"


def test_no_current_election_is_a_readable_error(area, staff) -> None:
    with pytest.raises(Refusal) as caught:
        services.change_voting_place(area["voter"], area["far"], staff)
    assert caught.value.code == "no_current_election"


# -- self-check ----------------------------------------------------------------------------


def test_self_check_returns_station_and_status_only_when_both_match(area) -> None:
    f.election()
    voter = area["voter"]
    result = services.self_check(voter.pin, voter.birth_date)
    assert result is not None
    assert result.on_list and result.reasons == ()
    assert result.station.number == 1001 and result.remote_station is None
    assert result.voting_station.address == area["home"].address


def test_self_check_never_tells_a_wrong_birth_date_from_an_unknown_pin(
    area, django_assert_num_queries
) -> None:
    voter = area["voter"]
    wrong = voter.birth_date + datetime.timedelta(days=1)
    unknown = "2" + voter.pin[1:-1] + ("0" if voter.pin[-1] != "0" else "1")
    with django_assert_num_queries(1):
        assert services.self_check(voter.pin, wrong) is None
    with django_assert_num_queries(1):
        assert services.self_check(unknown, voter.birth_date) is None
    assert services.self_check("not-a-pin", voter.birth_date) is None


def test_self_check_gives_reasons_and_remote_station(area) -> None:
    voter = area["voter"]
    Person.objects.filter(pk=voter.pk).update(
        eligible=False, ineligible_codes="AGE,BIOMETRICS", remote_station=area["far_remote"]
    )
    result = services.self_check(voter.pin, voter.birth_date)
    assert result is not None
    assert not result.on_list and result.reasons == ("AGE", "BIOMETRICS")
    assert result.voting_station.number == 2002


# -- corrections ---------------------------------------------------------------------------


def test_correction_due_date_follows_the_law(area) -> None:
    f.election("kg-2025", POLLING_DAY)
    voter = area["voter"]
    law = load_edition("kg-2025")
    asked = days_before(40)
    correction = services.request_correction(voter.pin, "wrong_data", " typo ", now=at(asked))
    assert correction.person == voter and correction.details == "typo"
    assert correction.due_by == asked + datetime.timedelta(
        days=law.calendar.correction_answer_days.value
    )
    assert correction.citation.startswith("Art. 15, ")
    assert correction.status == ListCorrection.Status.OPEN


def test_correction_for_a_pin_not_in_the_register_is_kept_without_person() -> None:
    f.election()
    correction = services.request_correction("11501199012345", "missing", "I am not listed")
    assert correction.person is None


def test_correction_refused_after_the_correction_deadline() -> None:
    f.election("kg-2021", POLLING_DAY)
    closes = load_edition("kg-2021").calendar.correction_deadline_days_before.value
    services.request_correction("11501199012345", "missing", "x", now=at(days_before(closes)))
    with pytest.raises(Refusal) as caught:
        services.request_correction(
            "11501199012345", "missing", "x", now=at(days_before(closes - 1))
        )
    assert caught.value.code == "corrections_closed"
    assert caught.value.citation.startswith("Art. 15, ")
    assert ListCorrection.objects.count() == 1


@pytest.mark.parametrize(
    ("pin", "kind", "details", "code"),
    [
        ("123", "missing", "x", "invalid_pin"),
        ("31501199012345", "missing", "x", "invalid_pin"),
        ("11513199012345", "missing", "x", "invalid_pin"),
        ("11501199012345", "bogus", "x", "invalid_kind"),
        ("11501199012345", "missing", "   ", "empty_details"),
    ],
)
def test_correction_bad_input(pin: str, kind: str, details: str, code: str) -> None:
    f.election()
    with pytest.raises(Refusal) as caught:
        services.request_correction(pin, kind, details)
    assert caught.value.code == code
    assert not ListCorrection.objects.exists()


def test_answer_correction_records_answer_and_history(area, staff) -> None:
    f.election()
    voter = area["voter"]
    correction = services.request_correction(voter.pin, "wrong_data", "typo in surname")
    answered = services.answer_correction(correction, True, "Fixed.", staff)
    assert answered.status == ListCorrection.Status.ACCEPTED
    assert answered.answered_by == staff and answered.answered_at is not None
    change = PersonChange.objects.get(person=voter)
    assert change.source == PersonChange.Source.CORRECTION
    assert list(change.changes.values()) == [["open", "accepted"]]
    with pytest.raises(Refusal) as caught:
        services.answer_correction(correction, False, "again", staff)
    assert caught.value.code == "already_answered"


def test_answer_correction_needs_staff_and_text(area, staff) -> None:
    f.election()
    correction = services.request_correction(area["voter"].pin, "missing", "x")
    with pytest.raises(PermissionRefused):
        services.answer_correction(correction, True, "ok", AnonymousUser())
    with pytest.raises(Refusal) as caught:
        services.answer_correction(correction, True, "  ", staff)
    assert caught.value.code == "empty_answer"
    correction.refresh_from_db()
    assert correction.status == ListCorrection.Status.OPEN


def test_overdue_corrections_are_open_ones_past_their_due_date(area, staff) -> None:
    f.election()
    pin = area["voter"].pin
    early = services.request_correction(pin, "missing", "a", now=at(days_before(60)))
    services.request_correction(pin, "missing", "b", now=at(days_before(20)))
    answered = services.request_correction(pin, "missing", "c", now=at(days_before(60)))
    services.answer_correction(answered, False, "no", staff)
    today = days_before(50)
    assert list(services.overdue_corrections(today)) == [early]


# -- staff edits and alerts ----------------------------------------------------------------


def test_admin_edit_recomputes_derived_fields_and_records_old_and_new(area, staff) -> None:
    f.election("kg-2025", POLLING_DAY)
    voter = area["voter"]
    voter.surname = "Омурова"
    voter.biometric_registered = False
    voter.station = area["far"]
    services.save_admin_edit(voter, staff)
    voter.refresh_from_db()
    assert voter.name_key.startswith("omurova")
    assert not voter.eligible and voter.ineligible_codes == "BIOMETRICS"
    change = PersonChange.objects.get(person=voter)
    assert change.source == PersonChange.Source.ADMIN and change.actor == "clerk"
    assert change.changes["surname"] == ["Өмүрова", "Омурова"]
    assert change.changes["biometric_registered"] == [True, False]
    assert change.changes["eligible"] == [True, False]
    assert change.changes["station"] == [1001, 2001]
    assert "name_key" not in change.changes  # both spellings share one key


def test_record_admin_change_writes_nothing_for_no_change(area, staff) -> None:
    assert services.record_admin_change(area["voter"], {}, staff) is None
    with pytest.raises(Refusal):
        services.record_admin_change(area["voter"], {"surname": ("a", "b")}, AnonymousUser())
    assert not PersonChange.objects.exists()


def test_dwelling_alerts_count_voters_above_the_threshold(area) -> None:
    law = load_edition("kg-2025")
    limit = law.polling.max_registered_per_dwelling.value
    for _ in range(limit + 1):
        f.person(area["home"], dwelling_id="FLAT-1")
    for _ in range(limit):
        f.person(area["home"], dwelling_id="FLAT-2")
    f.person(area["home"], dwelling_id="FLAT-2", eligible=False)
    alerts = services.dwelling_alerts(law)
    assert [(a.dwelling_id, a.voters, a.limit) for a in alerts] == [("FLAT-1", limit + 1, limit)]
    assert alerts[0].station_number == 1001


def test_search_folds_kyrgyz_spellings(area) -> None:
    voter = area["voter"]
    for query in ("Өмүрова", "омурова", "Omurova", "мүрова айгүл"):
        assert services.search_persons(query) == [voter], query
    assert services.search_persons(voter.pin) == [voter]
    assert services.search_persons("ө") == []


def test_an_operator_of_another_tec_is_refused_in_the_service(area) -> None:
    f.election("kg-2025", POLLING_DAY)
    voter, far_remote = area["voter"], area["far_remote"]
    other_tec = f.tec(code="T-OTHER")
    assert other_tec.pk != voter.station.tec_id
    outsider = make_user("outsider", Role.TEC_OPERATOR, other_tec)
    with pytest.raises(Refusal) as refused:
        services.change_voting_place(voter, far_remote, outsider, now=at(days_before(30)))
    assert refused.value.code == "forbidden"
    voter.refresh_from_db()
    assert voter.remote_station is None
    assert not VotingPlaceChange.objects.exists()
