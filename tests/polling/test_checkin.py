"""Check-in services: one ballot per voter whatever the retries, races and outages; every
outcome the law needs (already voted, not on this list, not identified, ineligible, manual
procedure, home voting, remote voting, abroad) and the alerts that go with them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shailoo.common.refusals import InvalidInput
from shailoo.incidents.models import Case
from shailoo.integrity.models import LedgerEntry
from shailoo.polling import checkin, devices, hlc, home_voting, offline, reports
from shailoo.polling.models import Attempt, CheckIn, HomeVotingRequest, SecondIssue

from .day_kit import capture_objects

pytestmark = pytest.mark.django_db


def ask(kit, identity: int, *, key: str, mode: str = "identify", session: int = 1, **more):
    captures = () if mode == "manual" else capture_objects(identity, session)
    request = checkin.Request(key=key, hlc=kit.next_hlc(), mode=mode, captures=captures, **more)
    return checkin.check_in(kit.device, request)


def test_a_listed_voter_gets_one_ballot_and_a_retry_gets_the_first_answer(day) -> None:
    voter = day["voters"][2]
    first = ask(day["kit_a"], voter.pk, key="k-000001")
    assert first["outcome"] == "issued" and first["voter"]["ref"] == voter.pk
    again = ask(day["kit_a"], voter.pk, key="k-000001", session=2)
    assert again["outcome"] == "issued" and again["repeat"] is True
    assert again["checkin"] == first["checkin"]
    assert CheckIn.objects.filter(person=voter).count() == 1
    entry = LedgerEntry.objects.filter(kind=checkin.ENTRY).get()
    assert voter.pin.encode() not in bytes(entry.data) and b"template" not in bytes(entry.data)


def test_a_second_attempt_on_another_device_is_refused_with_where_and_when_and_alerted(day) -> None:
    voter = day["voters"][0]
    assert ask(day["kit_a"], voter.pk, key="k-000002")["outcome"] == "issued"
    second = ask(day["kit_a2"], voter.pk, key="k-000003", session=3)
    assert second["outcome"] == "already_voted"
    assert second["voted_station"] == 801 and second["voted_at"]
    case = Case.objects.get(alert_kind="polling.double_vote_attempt")
    assert case.category == "multiple_voting" and case.station.number == 801
    assert voter.pin not in case.description
    assert Attempt.objects.filter(outcome="already_voted", person=voter).count() == 1
    assert CheckIn.objects.filter(person=voter).count() == 1


def test_abroad_a_voter_of_any_station_votes_once_and_cannot_vote_again_at_home(day) -> None:
    voter = day["voters"][1]
    abroad = ask(day["kit_abroad"], voter.pk, key="k-000004", mode="verify", pin=voter.pin)
    assert abroad["outcome"] == "issued" and abroad["kind"] == "abroad"
    home = ask(day["kit_a"], voter.pk, key="k-000005")
    assert home["outcome"] == "already_voted" and home["voted_station"] == 804


def test_a_voter_listed_elsewhere_is_sent_to_their_station(day) -> None:
    voter = day["at_b"][0]
    answer = ask(day["kit_a"], voter.pk, key="k-000006", mode="verify", pin=voter.pin)
    assert answer["outcome"] == "not_on_list" and answer["listed_at"] == 802
    assert not CheckIn.objects.exists()


def test_someone_not_in_the_gallery_is_not_identified(day) -> None:
    answer = ask(day["kit_a"], day["stranger"].pk, key="k-000007")
    assert answer["outcome"] == "not_identified" and "voter" not in answer
    assert Attempt.objects.filter(outcome="not_identified").count() == 1


def test_the_manual_procedure_needs_a_known_reason_and_the_failed_attempts(day) -> None:
    voter = day["voters"][3]
    with pytest.raises(InvalidInput) as unknown:
        ask(
            day["kit_a"],
            voter.pk,
            key="k-000008",
            mode="manual",
            pin=voter.pin,
            manual_reason="looked_honest",
        )
    assert unknown.value.code == "manual_reason"
    with pytest.raises(InvalidInput) as early:
        ask(
            day["kit_a"],
            voter.pk,
            key="k-000009",
            mode="manual",
            pin=voter.pin,
            manual_reason="not_identified_document_checked",
            attempts=1,
        )
    assert early.value.code == "too_few_attempts"
    answer = ask(
        day["kit_a"],
        voter.pk,
        key="k-000010",
        mode="manual",
        pin=voter.pin,
        manual_reason="not_identified_document_checked",
        attempts=3,
    )
    assert answer["outcome"] == "issued" and answer["method"] == "manual"
    counts = reports.station_counts(day["election"], day["a"])
    assert counts["manual"] == 1 and counts["issued"] == 1


def test_an_ineligible_person_gets_no_ballot_and_the_codes(day) -> None:
    barred = day["barred"]
    answer = ask(
        day["kit_a"],
        barred.pk,
        key="k-000011",
        mode="manual",
        pin=barred.pin,
        manual_reason="device_failure",
    )
    assert answer["outcome"] == "ineligible" and answer["codes"] == ["incapable"]


def test_a_remote_voter_gets_the_ballot_of_their_own_district(day) -> None:
    voter = day["remote_voter"]
    home = ask(day["kit_b"], voter.pk, key="k-000013", mode="verify", pin=voter.pin)
    assert home["outcome"] == "not_on_list" and home["listed_at"] == 803
    answer = ask(day["kit_remote"], voter.pk, key="k-000012")
    assert answer["outcome"] == "issued" and answer["kind"] == "remote"
    assert answer["ballot_style"] == day["b"].district.code != day["remote"].district.code
    again = ask(day["kit_b"], voter.pk, key="k-000014", mode="verify", pin=voter.pin)
    assert again["outcome"] == "already_voted" and again["voted_station"] == 803


def test_home_voting_needs_a_registered_request(day) -> None:
    voter = day["voters"][4]
    refused = ask(day["kit_a"], voter.pk, key="k-000024", kind="home")
    assert refused["outcome"] == "no_home_request"
    request = home_voting.register(
        voter,
        ground="health",
        address="Ленин 5",
        actor="cli",
        at=timezone.now() - datetime.timedelta(days=5),
    )
    answer = ask(day["kit_a"], voter.pk, key="k-000015", kind="home")
    assert answer["outcome"] == "issued" and answer["kind"] == "home"
    request.refresh_from_db()
    assert request.status == HomeVotingRequest.Status.ISSUED


def test_a_reading_of_the_clock_that_goes_back_is_refused(day) -> None:
    kit = day["kit_a"]
    voter = day["voters"][5]
    ask(kit, voter.pk, key="k-000016")
    stale = checkin.Request(
        key="k-000017", hlc=kit.device.last_hlc, mode="identify", captures=capture_objects(voter.pk)
    )
    with pytest.raises(devices.OutOfOrder):
        checkin.check_in(kit.device, stale)


def _offline(kit, voter, key: str, at: datetime.datetime) -> offline.OfflineIssue:
    value = max(hlc.from_datetime(at), kit.device.last_hlc + 1)
    return offline.OfflineIssue(key=key, hlc=value, person=voter.pk, method="identified")


def test_an_offline_ballot_synced_later_counts_once_at_its_time(day) -> None:
    kit, voter = day["kit_a"], day["voters"][0]
    at = timezone.now() - datetime.timedelta(minutes=40)
    (answer,) = offline.sync(kit.device, [_offline(kit, voter, "off-00001", at)])
    assert answer["outcome"] == "issued"
    ballot = CheckIn.objects.get(person=voter)
    assert ballot.offline and abs((ballot.issued_at - at).total_seconds()) < 1
    (again,) = offline.sync(kit.device, [_offline(kit, voter, "off-00001", at)])
    assert again["repeat"] is True and CheckIn.objects.count() == 1


def test_two_offline_ballots_to_one_voter_keep_both_alert_and_show_on_both_stations(day) -> None:
    voter = day["voters"][1]
    late = timezone.now() - datetime.timedelta(minutes=10)
    early = timezone.now() - datetime.timedelta(minutes=50)
    first = offline.sync(day["kit_a"].device, [_offline(day["kit_a"], voter, "off-a0001", late)])
    assert first[0]["outcome"] == "issued"
    second = offline.sync(
        day["kit_abroad"].device, [_offline(day["kit_abroad"], voter, "off-x0001", early)]
    )
    assert second[0]["outcome"] == "second_issue" and second[0]["case"]
    # The law's rule (earliest issue) makes the earlier ballot, abroad, the vote.
    vote = CheckIn.objects.get(person=voter)
    assert vote.station == day["abroad"]
    extra = SecondIssue.objects.get(person=voter)
    assert extra.station == day["a"] and extra.first == vote and extra.rule == "earliest_issue"
    case = Case.objects.get(reference=extra.case_reference)
    assert case.category == "multiple_voting" and case.severity == "critical"
    at_a = reports.station_counts(day["election"], day["a"])
    at_x = reports.station_counts(day["election"], day["abroad"])
    assert at_a["second_issues_here"] == 1 and at_x["second_issues_of_voters_here"] == 1
    assert at_a["issued"] == 0 and at_x["issued"] == 1  # counted once, as one voter


def test_closing_sets_the_hand_count_against_the_record_and_alerts_a_difference(day) -> None:
    kit = day["kit_a"]
    reports.open_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_received=100, package_sha256="ab" * 32
    )
    ask(kit, day["voters"][2].pk, key="k-000020")
    report = reports.close_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_unused=97, ballots_spoiled=1
    )
    assert report.data["issued"] == 1 and report.data["difference"] == 1
    assert Case.objects.filter(alert_kind="polling.ballot_balance").count() == 1


def test_a_ballot_issued_offline_after_a_lost_refusal_is_a_second_issue(day) -> None:
    """The server said "already voted", the answer was lost, the device went offline and
    issued the ballot from its own gallery: the ballot is out, so it is recorded and alerted."""
    voter = day["voters"][2]
    assert ask(day["kit_a"], voter.pk, key="k-000030")["outcome"] == "issued"
    refused = ask(day["kit_a2"], voter.pk, key="k-000031")
    assert refused["outcome"] == "already_voted"
    retold = offline.OfflineIssue(
        key="k-000031", hlc=int(refused["hlc"]), person=voter.pk, method="identified"
    )
    (answer,) = offline.sync(day["kit_a2"].device, [retold])
    assert answer["outcome"] == "second_issue"
    assert SecondIssue.objects.filter(person=voter).count() == 1
    (again,) = offline.sync(day["kit_a2"].device, [retold])
    assert again["repeat"] is True and SecondIssue.objects.count() == 1


def test_an_offline_home_ballot_without_a_request_is_irregular(day) -> None:
    kit, voter = day["kit_a"], day["voters"][3]
    issue = offline.OfflineIssue(
        key="off-h0001", hlc=kit.next_hlc(), person=voter.pk, method="identified", kind="home"
    )
    (answer,) = offline.sync(kit.device, [issue])
    assert answer["outcome"] == "irregular"
    assert not CheckIn.objects.filter(person=voter).exists()
    assert Case.objects.filter(alert_kind="polling.offline_off_list").exists()


def test_an_online_vote_and_a_later_offline_ballot_elsewhere_keep_the_online_vote(day) -> None:
    """One side offline: the voter voted online at home, then got a ballot abroad from a
    device without network; the earlier (online) ballot stays the vote."""
    voter = day["voters"][4]
    assert ask(day["kit_a"], voter.pk, key="k-000040")["outcome"] == "issued"
    later = timezone.now() + datetime.timedelta(seconds=5)
    (answer,) = offline.sync(
        day["kit_abroad"].device, [_offline(day["kit_abroad"], voter, "off-x0040", later)]
    )
    assert answer["outcome"] == "second_issue" and answer["voted_station"] == 801
    assert CheckIn.objects.get(person=voter).station == day["a"]
    assert SecondIssue.objects.get(person=voter).station == day["abroad"]
