"""The election-day pages: the staff dashboard and station records cut to the user's territory,
the home-voting form with each refusal shown on it, and the public turnout that shows what
was published and nothing live.

Ballots are made through the lead's services (``checkin.check_in`` and ``offline.sync``) on
the day kit's four stations. Offline ballots carry the device's clock, so their hours are
chosen here: the polling day is moved to yesterday and ballots are issued at fixed local times,
which makes every reporting time due and every published figure known in advance."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.integrity import security_events
from shailoo.polling import checkin, devices, hlc, home_voting, reports, turnout
from shailoo.polling import offline as offline_issues
from shailoo.polling.models import HomeVotingRequest, SecondIssue, TurnoutPublication
from shailoo.polling.views_public import CSV_COLUMNS

from .day_kit import capture_objects, day  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)


def client_for(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def local(day_: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day_, datetime.time(hour, minute), ZONE)


def offline(kit: Any, person: Any, key: str, at: datetime.datetime, **more: Any) -> dict[str, Any]:
    """A ballot the device issued offline at ``at`` (its clock), synced now."""
    value = max(hlc.from_datetime(at), kit.device.last_hlc + 1)
    issue = offline_issues.OfflineIssue(key=key, hlc=value, person=person.pk, **more)
    (answer,) = offline_issues.sync(kit.device, [issue])
    return answer


def manual(kit: Any, person: Any, key: str, **more: Any) -> dict[str, Any]:
    request = checkin.Request(
        key=key,
        hlc=kit.next_hlc(),
        mode="manual",
        pin=person.pin,
        manual_reason="device_failure",
        **more,
    )
    return checkin.check_in(kit.device, request)


@pytest.fixture
def yesterday(day: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Polling day was yesterday: A issued two ballots offline (09:30 and 11:15) and a third
    to a voter who had voted abroad at 09:40 (a second ballot, the abroad one stands), the
    remote station one at 13:05; A opened, the others did not."""
    election = day["election"]
    election.polling_day = timezone.localdate() - datetime.timedelta(days=1)
    election.save(update_fields=["polling_day"])
    polled = election.polling_day
    a, x, r = day["kit_a"], day["kit_abroad"], day["kit_remote"]
    voters = day["voters"]
    reports.open_station(
        a.device,
        hlc_value=hlc.from_datetime(local(polled, 7, 55)),
        ballots_received=500,
        package_sha256="ab" * 32,
    )
    assert offline(x, voters[1], "x-1", local(polled, 9, 40), method="identified")["outcome"] == (
        "issued"
    )
    assert offline(a, voters[0], "a-1", local(polled, 9, 30), method="identified")["outcome"] == (
        "issued"
    )
    assert (
        offline(
            a,
            voters[2],
            "a-2",
            local(polled, 11, 15),
            method="manual",
            manual_reason="fingerprint_unreadable",
        )["outcome"]
        == "issued"
    )
    second = offline(a, voters[1], "a-3", local(polled, 11, 50), method="identified")
    assert second["outcome"] == "second_issue"
    remote = offline(r, day["remote_voter"], "r-1", local(polled, 13, 5), method="identified")
    assert remote["outcome"] == "issued"
    return {**day, "case": second["case"]}


# -- who may see what --------------------------------------------------------------------------


def test_staff_pages_send_an_anonymous_visitor_to_the_login(day) -> None:  # noqa: F811
    client = Client()
    for url in (
        reverse("polling:dashboard"),
        reverse("polling:station", args=[801]),
        reverse("polling:home"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert client.post(reverse("polling:publish")).status_code == 302
    assert not TurnoutPublication.objects.exists()


def test_a_pec_operator_sees_the_own_station_and_is_refused_another(yesterday) -> None:
    operator = make_user("pec-802", Role.PEC_OPERATOR, yesterday["b"])
    client = client_for(operator)
    assert client.get(reverse("polling:station", args=[801])).status_code == 403
    assert client.get(reverse("polling:station", args=[802])).status_code == 200
    assert client.get(reverse("polling:station", args=[999999])).status_code == 404
    page = client.get(reverse("polling:dashboard")).content.decode()
    assert 'data-station="802"' in page and 'data-station="801"' not in page
    # Station 801's manual issuance and second ballot are not in 802's territory.
    assert re.search(r'id="manual-count"[^>]*data-count="0"', page)
    assert re.search(r'id="second-count"[^>]*data-count="0"', page)
    assert 'id="publish-form"' not in page


def test_a_cec_administrator_sees_the_country(yesterday) -> None:
    admin = make_user("cec", Role.CEC_ADMIN)
    response = client_for(admin).get(reverse("polling:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    for number in (801, 802, 803, 804):
        assert f'data-station="{number}"' in page
    # Four ballots stand (A: 2, abroad: 1, remote: 1); the second ballot is not a fifth.
    assert re.search(r'id="summary"[^>]*data-voted="4"', page)
    assert 'id="country-row"' in page


# -- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_manual_issuances_home_ballots_and_what_needs_a_look(day) -> None:  # noqa: F811
    election = day["election"]
    a, b = day["kit_a"], day["kit_b"]
    voters = day["voters"]
    assert manual(a, voters[3], "m-1")["outcome"] == "issued"
    moment = local(election.polling_day, 12) - datetime.timedelta(days=5)
    home_voting.register(voters[4], ground="health", address="Ленин 5", actor="cli", at=moment)
    assert manual(a, voters[4], "m-2", kind="home")["outcome"] == "issued"
    assert manual(b, day["at_b"][0], "m-3")["outcome"] == "issued"
    devices.revoke(b.device, reason="stolen", actor="cli")
    devices.read_clock(
        a.device, hlc.pack(hlc.system_ms() + 3_600_000, 0), now_ms=hlc.system_ms(), max_skew_s=120
    )

    tec_a = make_user("tec-a", Role.TEC_OPERATOR, day["a"].tec)
    page = client_for(tec_a).get(reverse("polling:dashboard")).content.decode()
    assert re.search(r'id="manual-count"[^>]*data-count="2"', page)
    assert re.search(r'id="home-count"[^>]*data-count="1"', page)
    assert re.search(r'data-station="801" data-voted="2" data-manual="2"', page)
    assert 'data-station="802"' not in page
    assert f'data-tec="{day["a"].tec.code}"' in page
    assert 'data-status="active"' in page  # A-1's clock is an hour off
    assert 'data-status="revoked"' not in page  # B-1 is another TEC's
    assert 'id="country-row"' not in page

    cec = make_user("cec-member", Role.CEC_MEMBER)
    page = client_for(cec).get(reverse("polling:dashboard")).content.decode()
    assert re.search(r'id="manual-count"[^>]*data-count="3"', page)
    assert 'data-status="revoked"' in page
    # No device opened a station yet: station A leads the list of stations not opened.
    assert re.search(r'id="not-opened"[^<]*<a [^>]*data-station="801"', page)


def test_ballots_by_hour_follow_the_hour_each_was_issued(yesterday) -> None:
    admin = make_user("cec", Role.CEC_ADMIN)
    page = client_for(admin).get(reverse("polling:dashboard")).content.decode()
    bars = dict(re.findall(r'<g class="bar" data-hour="(\d+)" data-ballots="(\d+)"', page))
    assert set(map(int, bars)) >= set(range(8, 21))
    # 09:30 at A and 09:40 abroad; 11:15 at A (the second ballot at 11:50 is not a ballot
    # counted twice); 13:05 at the remote station.
    assert bars["9"] == "2" and bars["11"] == "1" and bars["13"] == "1" and bars["10"] == "0"
    assert sum(int(n) for n in bars.values()) == 4


def test_publishing_is_for_the_country_and_writes_each_due_time_once(yesterday) -> None:
    tec_a = make_user("tec-a", Role.TEC_OPERATOR, yesterday["a"].tec)
    client = client_for(tec_a)
    refused = client.post(reverse("polling:publish"), follow=True)
    assert refused.status_code == 200
    assert not TurnoutPublication.objects.exists()
    assert 'ul class="messages"' in refused.content.decode()

    admin = make_user("cec", Role.CEC_ADMIN)
    client = client_for(admin)
    page = client.get(reverse("polling:dashboard")).content.decode()
    assert 'id="publish-form"' in page and page.count('data-state="due"') == 6
    response = client.post(reverse("polling:publish"))
    assert response.status_code == 302 and response["Location"] == reverse("polling:dashboard")
    published = turnout.published(yesterday["election"])
    assert [f"{timezone.localtime(p.as_of):%H:%M}" for p in published] == [
        "10:00",
        "12:00",
        "14:00",
        "16:00",
        "18:00",
        "20:00",
    ]
    assert [p.figures["country"]["voted"] for p in published] == [2, 3, 4, 4, 4, 4]
    client.post(reverse("polling:publish"))
    assert TurnoutPublication.objects.count() == 6
    page = client.get(reverse("polling:dashboard")).content.decode()
    assert 'id="publish-form"' not in page and page.count('data-state="published"') == 6


# -- a station's record ------------------------------------------------------------------------


def test_a_second_ballot_is_on_the_records_of_both_stations(yesterday) -> None:
    admin = make_user("cec", Role.CEC_ADMIN)
    client = client_for(admin)
    case = yesterday["case"]
    extra = SecondIssue.objects.get()
    assert extra.station.number == 801 and extra.first.station.number == 804
    voter = yesterday["voters"][1]
    for number, side in ((801, "second"), (804, "vote")):
        page = client.get(reverse("polling:station", args=[number])).content.decode()
        row = re.search(
            r'<tr class="second" data-side="(\w+)" data-case="([^"]+)">(.*?)</tr>', page, re.S
        )
        assert row is not None, number
        assert row.group(1) == side and row.group(2) == case
        assert f'href="/staff/incidents/{case}/"' in row.group(3)
        assert f"{voter.surname} А. Т." in row.group(3)
        assert voter.pin not in page and voter.given_name not in page
    # A PEC operator of the abroad station sees the row, without a link to station 801's
    # record (not theirs) nor to the case (no incidents permission).
    pec = make_user("pec-804", Role.PEC_OPERATOR, yesterday["abroad"])
    page = client_for(pec).get(reverse("polling:station", args=[804])).content.decode()
    row = re.search(r'<tr class="second" data-side="vote"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None and "№801" in row.group(1) and case in row.group(1)
    assert "/staff/polling/station/801/" not in page and f"/staff/incidents/{case}/" not in page
    assert PersonalDataAccess.objects.filter(view="polling:station").count() == 3


def test_the_station_record_shows_counts_reports_devices_manual_issues_and_events(
    yesterday,
) -> None:
    kit = yesterday["kit_a"]
    refused = checkin.Request(
        key="n-1",
        hlc=kit.next_hlc(),
        mode="identify",
        captures=capture_objects(yesterday["stranger"].pk),
    )
    assert checkin.check_in(kit.device, refused)["outcome"] == "not_identified"
    security_events.record("device.replayed", key_id=kit.device.key.key_id, detail="sequence 3")
    admin = make_user("cec", Role.CEC_ADMIN)
    page = client_for(admin).get(reverse("polling:station", args=[801])).content.decode()
    counts = re.search(r'<ul class="stats" id="counts"([^>]*)>', page)
    assert counts is not None
    assert 'data-issued="2"' in counts.group(1) and 'data-manual="1"' in counts.group(1)
    assert 'data-listed="6"' in counts.group(1)  # six eligible voters at A; the barred one is not
    manual_rows = re.findall(r'<tr class="manual" data-reason="(\w+)">(.*?)</tr>', page, re.S)
    assert [reason for reason, _ in manual_rows] == ["fingerprint_unreadable"]
    assert "Сайлоочу2 А. Т." in manual_rows[0][1]
    assert re.search(r'data-outcome="not_identified" data-count="1"', page)
    assert 'data-kind="opening"' in page and 'data-key="ballots_received"' in page
    assert page.count('<tr data-status="active"') == 2
    assert 'data-kind="device.replayed"' in page
    for person in yesterday["voters"]:
        assert person.pin not in page


# -- home voting -------------------------------------------------------------------------------


@pytest.fixture
def home_day(day: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Polling day in five days: requests to vote at home are being accepted."""
    election = day["election"]
    election.polling_day = timezone.localdate() + datetime.timedelta(days=5)
    election.save(update_fields=["polling_day"])
    return day


def register(client: Client, pin: str, ground: str = "health", address: str = "Ленин 5") -> Any:
    return client.post(reverse("polling:home"), {"pin": pin, "ground": ground, "address": address})


def refusal_code(response: Any) -> str:
    found = re.search(r'id="refusal" data-code="(\w+)"', response.content.decode())
    return found.group(1) if found else ""


def test_a_pec_operator_registers_a_home_request_and_sees_each_refusal(home_day) -> None:
    a = home_day["a"]
    operator = make_user("pec-801", Role.PEC_OPERATOR, a)
    client = client_for(operator)
    voter = home_day["voters"][0]
    page = client.get(reverse("polling:home")).content.decode()
    assert '<option value="health">' in page and '<option value="hospital">' in page

    done = register(client, voter.pin)
    assert done.status_code == 302 and done["Location"] == reverse("polling:home")
    request = HomeVotingRequest.objects.get(person=voter)
    assert request.station == a and request.registered_by == "pec-801"

    twice = register(client, voter.pin)
    assert twice.status_code == 409 and refusal_code(twice) == "home_twice"
    elsewhere = register(client, home_day["at_b"][0].pin)
    assert elsewhere.status_code == 404 and refusal_code(elsewhere) == "voter_not_found"
    barred = register(client, home_day["barred"].pin)
    assert barred.status_code == 409 and refusal_code(barred) == "not_listed"
    bad = register(client, "12345")
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    unknown_ground = register(client, home_day["voters"][1].pin, ground="boredom")
    assert unknown_ground.status_code == 400
    assert HomeVotingRequest.objects.count() == 1

    listing = client.get(reverse("polling:home")).content.decode()
    assert f'data-request="{request.pk}" data-status="registered"' in listing
    assert "Сайлоочу0 А. Т." in listing and voter.pin not in listing


def test_a_request_after_the_deadline_is_refused_with_the_dates(day) -> None:  # noqa: F811
    operator = make_user("pec-801", Role.PEC_OPERATOR, day["a"])
    late = register(client_for(operator), day["voters"][0].pin)  # polling day is today
    assert late.status_code == 409 and refusal_code(late) == "home_deadline"
    assert not HomeVotingRequest.objects.exists()


def test_a_request_is_cancelled_with_a_reason_and_only_in_scope(home_day) -> None:
    voter = home_day["voters"][0]
    request = home_voting.register(voter, ground="disability", address="Чүй 1", actor="cli")
    cancel = reverse("polling:home_cancel", args=[request.pk])
    stranger = make_user("pec-802", Role.PEC_OPERATOR, home_day["b"])
    assert client_for(stranger).post(cancel, {"reason": "x"}).status_code == 404
    operator = make_user("pec-801", Role.PEC_OPERATOR, home_day["a"])
    client = client_for(operator)
    assert client.post(cancel, {"reason": ""}).status_code == 400
    assert client.post(cancel, {"reason": "came to the station"}).status_code == 302
    request.refresh_from_db()
    assert request.status == HomeVotingRequest.Status.CANCELLED
    again = client.post(cancel, {"reason": "again"})
    assert again.status_code == 409 and refusal_code(again) == "home_served"


# -- public turnout ----------------------------------------------------------------------------


def test_the_public_page_shows_published_figures_only(yesterday) -> None:
    client = Client()
    nothing = client.get(reverse("polling:public"))
    assert nothing.status_code == 200 and 'id="nothing-published"' in nothing.content.decode()
    turnout.publish_due(yesterday["election"])
    # A ballot recorded after the publications: live, never published.
    assert manual(yesterday["kit_b"], yesterday["at_b"][1], "late-1")["outcome"] == "issued"
    assert turnout.live(yesterday["election"])["country"]["voted"] == 5
    page = client.get(reverse("polling:public")).content.decode()
    assert re.search(r'id="chosen-time" data-at="20:00"', page)
    assert re.search(r'<tr id="country" data-listed="\d+" data-voted="4"', page)
    noon = client.get(reverse("polling:public"), {"at": "12:00"}).content.decode()
    assert re.search(r'<tr id="country" data-listed="\d+" data-voted="3"', noon)
    region = yesterday["a"].region.code
    assert re.search(rf'data-region="{region}" data-voted="2"', noon)
    assert client.get(reverse("polling:public"), {"at": "13:00"}).status_code == 404
    for person in yesterday["voters"]:
        assert person.surname not in page


def test_the_open_data_has_one_row_per_station_of_a_publication(yesterday) -> None:
    turnout.publish_due(yesterday["election"])
    client = Client()
    response = client.get(reverse("polling:public_csv"), {"at": "12:00"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_station = {row[3]: row for row in rows[1:]}
    assert sorted(by_station) == ["801", "802", "803", "804"]
    a = by_station["801"]
    assert a[0].startswith(f"{yesterday['election'].polling_day.isoformat()}T12:00:00")
    assert a[1] == yesterday["a"].region.code and a[2] == yesterday["a"].tec.code
    assert a[4:] == ["6", "2", "33.33"]
    assert by_station["803"][5] == "0"  # the remote voter came at 13:05

    body = json.loads(client.get(reverse("polling:public_json")).content)
    assert body["election"] == yesterday["election"].code
    assert [p["country"]["voted"] for p in body["publications"]] == [2, 3, 4, 4, 4, 4]
    assert body["publications"][-1]["stations"]["803"]["voted"] == 1


def test_the_public_page_refuses_an_unknown_election(day) -> None:  # noqa: F811
    client = Client()
    assert client.get(reverse("polling:public"), {"election": "nope"}).status_code == 404
    assert client.get(reverse("polling:public_json"), {"election": "nope"}).status_code == 404
