"""Turnout from the ballots issued: live by hour, frozen when published at the law's times."""

from __future__ import annotations

import datetime

import pytest

from shailoo.polling import hlc, offline, turnout
from shailoo.polling.models import TurnoutPublication

pytestmark = pytest.mark.django_db


def _issue(kit, voter, key: str, at: datetime.datetime) -> None:
    value = max(hlc.from_datetime(at), kit.device.last_hlc + 1)
    (answer,) = offline.sync(
        kit.device, [offline.OfflineIssue(key=key, hlc=value, person=voter.pk, method="identified")]
    )
    assert answer["outcome"] == "issued"


def test_live_turnout_counts_each_ballot_in_its_local_hour(day) -> None:
    election = day["election"]
    zone = turnout.zone()
    nine = datetime.datetime.combine(election.polling_day, datetime.time(9, 30), zone)
    eve = datetime.datetime.combine(
        election.polling_day - datetime.timedelta(days=1), datetime.time(15, 10), zone
    )
    _issue(day["kit_a"], day["voters"][0], "t-0000001", eve)
    _issue(day["kit_a"], day["voters"][1], "t-0000002", nine)
    figures = turnout.live(election)
    station = figures["stations"]["801"]
    assert station["listed"] == 6 and station["voted"] == 2
    assert station["by_hour"] == {"-9": 1, "9": 1}
    assert figures["country"]["listed"] == 6 + 3 + 1 + 1  # A, B, remote voter, stranger


def test_a_publication_is_frozen_and_late_ballots_reach_the_next_one(day) -> None:
    election = day["election"]
    zone = turnout.zone()
    at = lambda h, m=0: datetime.datetime.combine(  # noqa: E731
        election.polling_day, datetime.time(h, m), zone
    )
    _issue(day["kit_a"], day["voters"][0], "t-0000003", at(9, 15))
    written = turnout.publish_due(election, now=at(10, 5))
    assert [p.as_of for p in written] == [at(10)]
    assert written[0].figures["country"]["voted"] == 1
    # A device that was offline since 9:40 syncs a ballot of 9:50 after the 10:00 publication.
    _issue(day["kit_b"], day["at_b"][0], "t-0000004", at(9, 50))
    assert turnout.publish_due(election, now=at(10, 30)) == []
    again = TurnoutPublication.objects.get(as_of=at(10))
    assert again.figures["country"]["voted"] == 1  # never rewritten
    (noon,) = turnout.publish_due(election, now=at(12, 1))
    assert noon.figures["country"]["voted"] == 2
    assert noon.figures["regions"][day["b"].region.code]["voted"] == 1


def test_nothing_is_published_before_its_time(day) -> None:
    election = day["election"]
    early = datetime.datetime.combine(election.polling_day, datetime.time(7), turnout.zone())
    assert turnout.publish_due(election, now=early) == []


def test_the_opened_stations_galleries_are_prepared_for_the_voters(day) -> None:
    from shailoo.biometrics import services as biometrics
    from shailoo.polling import reports, warm

    kit = day["kit_a"]
    reports.open_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_received=50, package_sha256="cd" * 32
    )
    biometrics.forget_galleries()
    assert warm.warm_opened() == 1  # station A opened; the others did not
    stamp = biometrics._stamp(day["a"])
    assert biometrics._galleries.get(day["a"].pk, stamp) is not None
    assert biometrics._galleries.get(day["b"].pk, biometrics._stamp(day["b"])) is None


@pytest.fixture(autouse=True)
def _thawed():
    """The readiness gate freezes what it loaded out of the collector's scans (a server's
    memory for its life): the test process gets it back after each test."""
    import gc

    yield
    gc.unfreeze()


def test_a_restarted_server_is_ready_before_it_listens(day) -> None:
    """The readiness gate: the matcher loaded and the opened stations' galleries in memory,
    frozen out of the garbage collector's full scans."""
    import gc

    from shailoo.biometrics import services as biometrics
    from shailoo.polling import reports, warm

    kit = day["kit_a"]
    reports.open_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_received=50, package_sha256="cd" * 32
    )
    biometrics.forget_galleries()
    seen = []
    took = warm.prepare_for_serving(lambda environ, start: seen.append(environ["PATH_INFO"]) or [])
    assert took["galleries"] == 1
    assert seen == ["/healthz"]  # one request through the application before any voter's
    assert gc.get_freeze_count() > 0
    assert biometrics._galleries.get(day["a"].pk, biometrics._stamp(day["a"])) is not None
    assert biometrics._galleries.get(day["b"].pk, biometrics._stamp(day["b"])) is None


def test_a_closed_station_is_not_loaded_after_polling_day(day) -> None:
    """A server restarted on the results night keeps its memory: closed stations stay cold."""
    from shailoo.biometrics import services as biometrics
    from shailoo.polling import reports, warm

    kit = day["kit_a"]
    reports.open_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_received=50, package_sha256="cd" * 32
    )
    reports.close_station(
        kit.device, hlc_value=kit.next_hlc(), ballots_unused=50, ballots_spoiled=0
    )
    biometrics.forget_galleries()
    assert warm.prepare_for_serving()["galleries"] == 0
    assert biometrics._galleries.get(day["a"].pk, biometrics._stamp(day["a"])) is None


def test_the_readiness_gate_starts_a_server_without_an_election(db) -> None:
    from shailoo.polling import warm

    assert warm.prepare_for_serving()["galleries"] == 0
