"""Readers' subscriptions to results and turnout: double opt-in, sending after the commission's
commits, one-click unsubscribe, rate limits, located refusals, and no address in any log.

The country: two regions (KG-C with stations 101 and 102, KG-N with 201), an election with
one contest (a, b, against all c), protocols accepted as the commission accepts them
(``decisions.accept_protocol``, on-commit callbacks run) and turnout published by
``polling.turnout.publish_due``.
"""

from __future__ import annotations

import datetime
import logging
import re
import smtplib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import factories as f
from shailoo.accounts.crypto import MAGIC
from shailoo.common.refusals import InvalidInput, NotFound
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import Protocol
from shailoo.counting.results.protocol import Relation
from shailoo.polling import turnout
from shailoo.polling.models import CheckIn
from shailoo.portal import subscription_sending as sending
from shailoo.portal import subscriptions
from shailoo.portal.models import Delivery, Notice, Subscription

pytestmark = pytest.mark.django_db

VOTES = {"a": 300, "b": 200, "c": 50}
LINES = {
    "voters_on_list": 1000,
    "ballots_received": 1000,
    "ballots_issued": 565,
    "ballots_spoiled": 5,
    "ballots_unused": 430,
    "ballots_found": 560,
    "ballots_invalid": 10,
}
RELATIONS = (
    Relation(
        "ballots_accounted",
        ("ballots_received",),
        "=",
        ("ballots_issued", "ballots_spoiled", "ballots_unused"),
    ),
    Relation("found_split", ("ballots_found",), "=", ("ballots_invalid", "votes_valid")),
)


class RecordingSms:
    """The SMS gateway as the tests see it: what went to which number."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def to(self, phone: str) -> list[str]:
        return [text for number, text in self.sent if number == phone]


class BrokenSms:
    """A gateway whose operator refuses every message, quoting the number as operators do."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError(f"operator refused {phone}: subscriber absent")


class RefusingMailServer(BaseEmailBackend):
    """An SMTP relay that refuses every recipient, quoting the address as relays do."""

    opened = 0

    def open(self) -> bool:
        RefusingMailServer.opened += 1
        return True

    def send_messages(self, email_messages: Any) -> int:
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown".encode())})


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> RecordingSms:
    gateway = RecordingSms()
    monkeypatch.setattr(subscriptions, "sms_gateway", lambda: gateway)
    monkeypatch.setattr(sending, "sms_gateway", lambda: gateway)
    return gateway


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sms: RecordingSms) -> dict[str, Any]:
    from shailoo.counting import services as counting
    from shailoo.counting.definition import parse_definition
    from shailoo.integrity import keys

    cache.clear()  # throttles
    fixed = services.ProtocolRules(RELATIONS, 2, "Art. 35(14), test")
    monkeypatch.setattr(services, "protocol_rules", lambda election: fixed)
    key = tmp_path / "protocol.pem"
    keys.write_private_key(key, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(key))
    centre, north = f.region("KG-C"), f.region("KG-N")
    tec_c, tec_n = f.tec(centre, "T1"), f.tec(north, "T2")
    stations = (
        f.station(101, district_=f.district(centre), tec_=tec_c),
        f.station(102, district_=f.district(centre), tec_=tec_c),
        f.station(201, district_=f.district(north), tec_=tec_n),
    )
    election = f.election("kg-2025", code="parl-2027")

    def text(word: str) -> dict[str, str]:
        return {"ky": f"{word} ky", "ru": f"{word} ru"}

    definition = {
        "format": "shailoo-election-definition/1",
        "election_id": election.code,
        "name": text("Election"),
        "election_date": "2027-03-14",
        "law_edition": "kg-2025",
        "contests": [
            {
                "id": "pres",
                "kind": "president",
                "title": text("President"),
                "options": [
                    {"id": "a", "kind": "candidate", "name": text("Asanov")},
                    {"id": "b", "kind": "candidate", "name": text("Bekova")},
                    {"id": "c", "kind": "against_all", "name": text("Against all")},
                ],
            }
        ],
        "ballot_styles": [
            {"id": "s1", "contests": ["pres"], "stations": [str(s.number) for s in stations]}
        ],
    }
    counting.import_definition(election, parse_definition(definition), "cli")
    return {"election": election, "stations": stations, "regions": (centre, north)}


def accept(world: dict[str, Any], number: int, capture: Any, votes: dict[str, int] = VOTES) -> Any:
    """Enter and accept station ``number``'s protocol as a TEC does, commit callbacks run.

    The lines follow the votes: 10 invalid ballots, 5 spoiled, 3,000 voters on the list."""
    station = next(s for s in world["stations"] if s.number == number)
    election = world["election"]
    found = sum(votes.values()) + 10
    lines = {
        **LINES,
        "voters_on_list": 3000,
        "ballots_received": 3000,
        "ballots_issued": found + 5,
        "ballots_unused": 3000 - found - 10,
        "ballots_found": found,
    }
    services.record_automatic_count(election, station, "pres", votes, "cli", source="scanner")
    version = services.enter_protocol(election, station, "pres", lines, votes, "cli")
    with capture(execute=True):
        return decisions.accept_protocol(version.protocol, "cli")


def signed_up(
    world: dict[str, Any],
    *,
    email: str = "",
    phone: str = "",
    station: int | None = None,
    region: str = "",
    topic: str = "",
    language: str = "en",
    confirm: bool = True,
) -> Subscription:
    """A subscription made through the service (and confirmed, unless told not to); in
    English unless told otherwise, so the tests read messages whatever the catalogues say."""
    topic = topic or ("station_results" if station else "region_results")
    request = subscriptions.SignUp(
        topic=topic,
        channel="sms" if phone else "email",
        email=email,
        phone=phone,
        station=str(station or ""),
        region=region,
        language=language,
    )
    subscriptions.subscribe(request)
    found = Subscription.objects.order_by("-pk").first()
    assert found is not None
    if confirm:
        found.confirmed_at = timezone.now()
        found.save(update_fields=["confirmed_at"])
    return found


def link_path(text: str, name: str) -> str:
    """The path of the first ``/subscribe/<name>/...`` link in a message."""
    match = re.search(rf"https?://[^/\s]+(/subscribe/{name}/[A-Za-z0-9_-]+/)", text)
    assert match, text
    return match.group(1)


# --- signing up and confirming ----------------------------------------------------------------


def test_email_sign_up_sends_only_the_confirmation_until_it_is_confirmed(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    answer = client.post(
        reverse("subscriptions:subscribe"),
        {
            "topic": "station_results",
            "station": "101",
            "channel": "email",
            "email": "aigul@mail.kg",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("subscriptions:sent")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["aigul@mail.kg"]
    assert "/subscribe/confirm/" in mailoutbox[0].body
    pending = Subscription.objects.get()
    assert pending.confirmed_at is None and pending.topic_key == "results:station:101"

    accept(world, 101, django_capture_on_commit_callbacks)
    report = sending.send_notifications()
    assert report.sent == 0 and Notice.objects.count() == 0
    assert len(mailoutbox) == 1, "nothing but the confirmation before confirming"


def test_the_link_confirms_only_with_the_button_and_only_once(
    world: dict[str, Any], mailoutbox: list[Any]
) -> None:
    signed_up(world, email="aigul@mail.kg", station=101, confirm=False)
    path = link_path(mailoutbox[0].body, "confirm")
    client = Client(enforce_csrf_checks=False)
    page = client.get(path)
    assert page.status_code == 200 and "№101" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is None, "a mail scanner's GET confirms nothing"
    done = client.post(path)
    assert done.status_code == 200
    assert Subscription.objects.get().confirmed_at is not None
    assert client.post(path).status_code == 404, "a used link is spent"


def test_sms_sign_up_confirms_with_the_code_and_five_wrong_codes_cancel_it(
    world: dict[str, Any], sms: RecordingSms
) -> None:
    client = Client()
    answer = client.post(
        reverse("subscriptions:subscribe"),
        {"topic": "region_results", "region": "KG-C", "channel": "sms", "phone": "0700 12-34-56"},
    )
    assert answer.status_code == 302 and "/subscribe/code/" in answer["Location"]
    (text,) = sms.to("+996700123456")
    code = re.search(r"\b(\d{6})\b", text).group(1)  # type: ignore[union-attr]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = client.post(answer["Location"], {"code": wrong})
    assert refused.status_code == 400 and 'class="errors"' in refused.content.decode()
    assert client.post(answer["Location"], {"code": code}).status_code == 200
    assert Subscription.objects.get().confirmed_at is not None

    other = Client().post(
        reverse("subscriptions:subscribe"),
        {"topic": "turnout", "channel": "sms", "phone": "+996 555 00 11 22"},
    )
    real = re.search(r"\b(\d{6})\b", sms.to("+996555001122")[0]).group(1)  # type: ignore[union-attr]
    for attempt in range(subscriptions.MAX_CODE_ATTEMPTS):
        guess = f"{(int(real) + 1 + attempt) % 10**6:06d}"
        assert Client().post(other["Location"], {"code": guess}).status_code == 400
    assert not Subscription.objects.filter(topic_key="turnout:country").exists()
    assert Client().post(other["Location"], {"code": real}).status_code == 400, "cancelled"


def test_signing_up_again_sends_nothing_to_a_confirmed_address_and_looks_the_same(
    world: dict[str, Any], mailoutbox: list[Any], sms: RecordingSms
) -> None:
    signed_up(world, email="aigul@mail.kg", station=101)
    signed_up(world, phone="+996700123456", station=101)
    before = (len(mailoutbox), len(sms.sent))
    again = subscriptions.subscribe(
        subscriptions.SignUp("station_results", "email", email="AIGUL@MAIL.KG", station="101")
    )
    by_sms = subscriptions.subscribe(
        subscriptions.SignUp("station_results", "sms", phone="0700123456", station="101")
    )
    assert again.channel == "email" and by_sms.code_ref, "the answer gives nothing away"
    assert (len(mailoutbox), len(sms.sent)) == before
    assert Subscription.objects.count() == 2


def test_the_form_is_prefilled_from_the_results_and_turnout_links(world: dict[str, Any]) -> None:
    client = Client()
    page = client.get(reverse("subscriptions:subscribe"), {"station": "101"}).content.decode()
    assert 'name="station" value="101"' in page
    assert re.search(r'value="station_results"[^>]*checked', page)
    page = client.get(reverse("subscriptions:subscribe"), {"region": "KG-N"}).content.decode()
    assert re.search(r'<option value="KG-N"[^>]*selected', page)
    assert re.search(r'value="region_results"[^>]*checked', page)
    page = client.get(reverse("subscriptions:subscribe"), {"topic": "turnout"}).content.decode()
    assert re.search(r'value="turnout"[^>]*checked', page)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where", "why"),
    [
        ({"email": "aigul.mail.kg"}, "email", "not an e-mail address"),
        ({"email": "a@b.kg\nBcc: victim@mail.kg"}, "email", "not an e-mail address"),
        ({"email": "x" * 250 + "@mail.kg"}, "email", "at most 254"),
        ({"email": ""}, "email", "Give the e-mail"),
        ({"channel": "sms", "phone": "+7 701 123 45 67"}, "phone", "Only Kyrgyz"),
        ({"channel": "sms", "phone": "0312 66 11 22"}, "phone", "not a Kyrgyz mobile"),
        ({"channel": "sms", "phone": "0700 12 34"}, "phone", "not a Kyrgyz mobile"),
        ({"channel": "sms", "phone": "٠٧٠٠١٢٣٤٥٦"}, "phone", "digits only"),
        ({"station": "999"}, "station", "There is no polling station №999."),
        ({"station": "10a"}, "station", "whole number"),
        ({"station": ""}, "station", "Give the polling station"),
        ({"topic": "region_results", "region": "KG-Q"}, "region", "no such region"),
        ({"topic": "region_results", "region": ""}, "region", "Choose a region"),
        ({"topic": "weather"}, "topic", "Choose what to follow"),
        ({"channel": "pigeon"}, "channel", "Choose e-mail or SMS"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    world: dict[str, Any], mailoutbox: list[Any], fields: dict[str, str], where: str, why: str
) -> None:
    request: dict[str, str] = {
        "topic": "station_results",
        "channel": "email",
        "email": "aigul@mail.kg",
        "station": "101",
        **fields,
    }
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        subscriptions.subscribe(subscriptions.SignUp(**request))
    assert [(p.where, why in p.why) for p in refused.value.problems] == [(where, True)]
    assert Subscription.objects.count() == 0 and mailoutbox == []


def test_the_page_shows_every_problem_beside_its_field(world: dict[str, Any]) -> None:
    answer = Client(headers={"accept-language": "en"}).post(
        reverse("subscriptions:subscribe"),
        {"topic": "station_results", "station": "999", "channel": "email", "email": "nope"},
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "There is no polling station №999." in page and "not an e-mail address" in page
    assert 'aria-invalid="true"' in page


@settings(max_examples=60)
@given(
    national=st.from_regex(subscriptions.KG_MOBILE, fullmatch=True),
    style=st.sampled_from(["+996 {a} {b} {c}", "996{a}{b}{c}", "0{a} {b}-{c}", "00996({a}){b}{c}"]),
)
def test_every_way_of_writing_a_kyrgyz_mobile_number_gives_one_e164(
    national: str, style: str
) -> None:
    typed = style.format(a=national[:3], b=national[3:6], c=national[6:])
    assert subscriptions.normalize_phone(typed) == f"+996{national}"
    assert subscriptions.normalize_phone(national) == f"+996{national}"


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_any_text_is_a_number_or_a_located_refusal(text: str) -> None:
    try:
        number = subscriptions.normalize_phone(text)
    except InvalidInput as refusal:
        assert [p.where for p in refusal.problems] == ["phone"]
    else:
        assert number.startswith("+996") and subscriptions.KG_MOBILE.fullmatch(number[4:])


# --- sending after acceptance and publication -----------------------------------------------


def test_an_acceptance_reaches_only_the_confirmed_subscribers_of_that_station_and_region(
    world: dict[str, Any],
    mailoutbox: list[Any],
    sms: RecordingSms,
    django_capture_on_commit_callbacks: Any,
) -> None:
    station_reader = signed_up(world, email="station@mail.kg", station=101)
    signed_up(world, phone="+996700000001", region="KG-C", language="ky")
    signed_up(world, email="other-station@mail.kg", station=201)
    signed_up(world, email="other-region@mail.kg", region="KG-N")
    signed_up(world, email="unconfirmed@mail.kg", station=101, confirm=False)
    mailoutbox.clear()
    sms.sent.clear()

    accept(world, 101, django_capture_on_commit_callbacks)
    assert sorted(Notice.objects.values_list("topic_key", flat=True)) == [
        "results:region:KG-C",
        "results:station:101",
    ]
    report = sending.send_notifications()
    assert (report.sent, report.failed) == (2, 0)

    (message,) = mailoutbox
    assert message.to == ["station@mail.kg"]
    assert "№101" in message.subject
    assert "Asanov ru: 300" in message.body and "Bekova ru: 200" in message.body
    station_page = reverse("results:station", args=["parl-2027", 101])
    assert station_page in message.body
    unsubscribe = f"/subscribe/unsubscribe/{station_reader.unsubscribe_token}/"
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body

    (text,) = sms.to("+996700000001")
    assert "Облус KG-C" in text and "Asanov ky 300" in text, "in the reader's language"
    assert "/subscribe/unsubscribe/" in text
    assert Subscription.objects.get(pk=station_reader.pk).last_sent_at is not None


def test_each_reader_gets_the_figures_in_the_language_they_signed_up_in(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    Client(headers={"accept-language": "ky"}).post(
        reverse("subscriptions:subscribe"),
        {"topic": "region_results", "region": "KG-C", "channel": "email", "email": "ky@mail.kg"},
    )
    signed_up(world, email="ru@mail.kg", region="KG-C", language="ru")
    Subscription.objects.update(confirmed_at=timezone.now())
    assert Subscription.objects.filter(language="ky").count() == 1
    mailoutbox.clear()
    accept(world, 101, django_capture_on_commit_callbacks, votes={"a": 1300, "b": 200, "c": 50})
    sending.send_notifications()
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "Облус KG-C" in bodies["ky@mail.kg"] and "Asanov ky: 1\xa0300" in bodies["ky@mail.kg"]
    assert "Область KG-C" in bodies["ru@mail.kg"] and "Asanov ru: 1\xa0300" in bodies["ru@mail.kg"]


def test_turnout_publication_sends_the_figures_of_the_country_and_the_region(
    world: dict[str, Any],
    mailoutbox: list[Any],
    sms: RecordingSms,
    django_capture_on_commit_callbacks: Any,
) -> None:
    election = world["election"]
    station_a, _, station_n = world["stations"]
    voters = [f.person(station_a) for _ in range(3)] + [f.person(station_n) for _ in range(2)]
    zone = turnout.zone()
    nine = datetime.datetime.combine(election.polling_day, datetime.time(9, 30), zone)
    for i, voter in enumerate(voters[:2] + voters[3:4]):
        CheckIn.objects.create(
            election=election,
            person=voter,
            station=voter.station,
            method="identified",
            hlc=i,
            issued_at=nine,
            recorded_at=nine,
            request_key=f"k{i}",
        )
    signed_up(world, email="country@mail.kg", topic="turnout")
    signed_up(world, phone="+996555123456", topic="turnout", region="KG-N", language="ru")
    signed_up(world, email="results@mail.kg", station=101)
    mailoutbox.clear()
    sms.sent.clear()

    ten = datetime.datetime.combine(election.polling_day, datetime.time(10, 5), zone)
    with django_capture_on_commit_callbacks(execute=True):
        (publication,) = turnout.publish_due(election, now=ten)
    assert publication.figures["country"]["voted"] == 3
    assert sending.send_notifications(now=ten).sent == 2

    (message,) = mailoutbox
    assert message.to == ["country@mail.kg"] and "10:00" in message.subject
    assert "Voted: 3 of 5" in message.body and "60.00 %" in message.body
    assert f"{reverse('polling:public')}?election=parl-2027" in message.body
    (text,) = sms.to("+996555123456")
    assert "Область KG-N" in text and "50,00 %" in text


def test_rerunning_the_sender_sends_nothing_twice_and_waiting_messages_coalesce(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    signed_up(world, email="region@mail.kg", region="KG-C")
    mailoutbox.clear()
    accept(world, 101, django_capture_on_commit_callbacks)
    accept(world, 102, django_capture_on_commit_callbacks, votes={"a": 100, "b": 400, "c": 50})
    first = sending.send_notifications()
    assert (first.notices, first.queued, first.sent) == (2, 1, 1), "one message for both"
    (message,) = mailoutbox
    assert "Asanov ru: 400" in message.body and "Bekova ru: 600" in message.body
    assert "Accepted protocols: 2 of 2" in message.body
    again = sending.send_notifications()
    assert (again.notices, again.queued, again.sent) == (0, 0, 0)
    assert len(mailoutbox) == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == ["sent"]


def test_a_delivery_whose_sender_stopped_mid_way_is_never_sent_again(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    signed_up(world, email="station@mail.kg", station=101)
    mailoutbox.clear()
    accept(world, 101, django_capture_on_commit_callbacks)
    now = timezone.now()
    sending._expand(now, 100, sending.SendReport())
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=now)  # a crash here
    later = sending.send_notifications(now=now + sending.STALE_CLAIM + datetime.timedelta(1))
    assert later.unknown == 1 and later.sent == 0 and mailoutbox == []


def test_failures_are_retried_with_backoff_then_given_up(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    signed_up(world, phone="+996700123456", station=101)
    accept(world, 101, django_capture_on_commit_callbacks)
    now = timezone.now()
    broken = BrokenSms()
    waits = []
    for _ in range(sending.MAX_ATTEMPTS):
        report = sending.send_notifications(now=now, gateway=broken)
        assert report.sent == 0
        delivery = Delivery.objects.get()
        waits.append(delivery.next_attempt_at - now)
        assert sending.send_notifications(now=now, gateway=broken).retrying == 0, "not yet"
        now = delivery.next_attempt_at
    assert [w.total_seconds() for w in waits[:-1]] == [60, 120, 240, 480, 960]
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == sending.MAX_ATTEMPTS
    assert "ConnectionError" in delivery.last_error and "700123456" not in delivery.last_error


def test_a_failing_receiver_never_fails_the_acceptance(
    world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    signed_up(world, email="station@mail.kg", station=101)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(sending, "queue", broken)
    decision = accept(world, 101, django_capture_on_commit_callbacks)
    assert decision.protocol.status == Protocol.Status.ACCEPTED
    assert Protocol.objects.get(pk=decision.protocol.pk).status == Protocol.Status.ACCEPTED


# --- unsubscribing ----------------------------------------------------------------------------


def test_one_click_unsubscribe_needs_no_csrf_token_and_stops_everything(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    reader = signed_up(world, email="station@mail.kg", station=101)
    url = reverse("subscriptions:unsubscribe", args=[reader.unsubscribe_token])
    mail_client = Client(enforce_csrf_checks=True)
    page = mail_client.get(url)
    assert page.status_code == 200 and Subscription.objects.filter(pk=reader.pk).exists()
    done = mail_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "№101" in done.content.decode()
    assert not Subscription.objects.filter(pk=reader.pk).exists(), "the address is deleted"
    assert mail_client.post(url).status_code == 200, "repeating it is harmless"
    assert mail_client.get(url).status_code == 404
    mailoutbox.clear()
    accept(world, 101, django_capture_on_commit_callbacks)
    assert sending.send_notifications().sent == 0 and mailoutbox == []


def test_a_reader_who_unsubscribes_before_sending_gets_nothing(
    world: dict[str, Any], mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    reader = signed_up(world, email="station@mail.kg", station=101)
    accept(world, 101, django_capture_on_commit_callbacks)
    sending._expand(timezone.now(), 100, sending.SendReport())
    assert subscriptions.unsubscribe(reader.unsubscribe_token)
    mailoutbox.clear()
    report = sending.send_notifications()
    assert report.dropped == 1 and report.sent == 0 and mailoutbox == []


# --- rate limits --------------------------------------------------------------------------------


def test_one_client_cannot_sign_up_without_limit(
    world: dict[str, Any], mailoutbox: list[Any]
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("subscriptions:subscribe")
    statuses = [
        client.post(
            url,
            {
                "topic": "station_results",
                "station": "101",
                "channel": "email",
                "email": f"r{i}@mail.kg",
            },
        ).status_code
        for i in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    last = client.post(url, {"topic": "turnout", "channel": "email", "email": "z@mail.kg"})
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    assert len(mailoutbox) == 10
    other = Client(REMOTE_ADDR="203.0.113.8").post(
        url, {"topic": "turnout", "channel": "email", "email": "z@mail.kg"}
    )
    assert other.status_code == 302, "the limit is per client"


def test_one_address_gets_at_most_three_confirmations_a_day_whoever_asks(
    world: dict[str, Any], sms: RecordingSms
) -> None:
    url = reverse("subscriptions:subscribe")
    topics = [
        {"topic": "station_results", "station": "101"},
        {"topic": "station_results", "station": "102"},
        {"topic": "region_results", "region": "KG-N"},
        {"topic": "turnout"},
    ]
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post(url, {**topic, "channel": "sms", "phone": "+996700123456"})
        .status_code
        for i, topic in enumerate(topics)
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(sms.to("+996700123456")) == 3
    assert Subscription.objects.count() == 3


# --- personal data --------------------------------------------------------------------------------


def test_the_address_is_sealed_at_rest_and_found_by_its_keyed_hash(world: dict[str, Any]) -> None:
    reader = signed_up(world, email="Aigul@Mail.KG", station=101)
    table = Subscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {table} WHERE id = %s", [reader.pk])
        (raw,) = cursor.fetchone()
    assert bytes(raw).startswith(MAGIC) and b"mail" not in bytes(raw).lower()
    assert Subscription.objects.get(pk=reader.pk).address == "Aigul@mail.kg"
    assert reader.address_hash == subscriptions.address_hash("email", "aigul@mail.kg")


def test_no_address_reaches_any_log(
    world: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    mailoutbox: list[Any],
    sms: RecordingSms,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    email, phone = "aigul.omurova@mail.kg", "+996700987654"
    client = Client()
    url = reverse("subscriptions:subscribe")
    client.post(
        url, {"topic": "station_results", "station": "101", "channel": "email", "email": email}
    )
    client.post(
        url, {"topic": "station_results", "station": "101", "channel": "sms", "phone": phone}
    )
    client.post(link_path(mailoutbox[0].body, "confirm"))
    code = re.search(r"\b(\d{6})\b", sms.to(phone)[0]).group(1)  # type: ignore[union-attr]
    ref = Subscription.objects.get(channel="sms").code_ref
    client.post(reverse("subscriptions:code", args=[ref]), {"code": code})
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 2

    accept(world, 101, django_capture_on_commit_callbacks)
    report = sending.send_notifications(gateway=BrokenSms())  # the SMS fails, quoting it
    assert (report.sent, report.retrying) == (1, 1)
    for reader in Subscription.objects.all():
        subscriptions.unsubscribe(reader.unsubscribe_token)
    sending.send_notifications(now=timezone.now() + datetime.timedelta(hours=1))
    subscriptions.purge_unconfirmed()

    logged = caplog.text
    assert "confirmation sent" in logged and "failed" in logged, "the log was written"
    for secret in (email, phone, phone[1:], phone[4:], "omurova"):
        assert secret not in logged
        assert not Delivery.objects.filter(last_error__contains=secret).exists()


# --- retention ------------------------------------------------------------------------------------


def test_an_unconfirmed_subscription_expires_after_48_hours_and_is_purged(
    world: dict[str, Any], mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    signed_up(world, email="kept@mail.kg", station=101)
    signed_up(world, email="late@mail.kg", station=102, confirm=False)
    token_path = link_path(mailoutbox[-1].body, "confirm")
    token = token_path.rstrip("/").rsplit("/", 1)[1]
    later = timezone.now() + datetime.timedelta(hours=subscriptions.CONFIRM_HOURS, minutes=1)
    with pytest.raises(NotFound):
        subscriptions.confirm_email(token, now=later)
    assert subscriptions.purge_unconfirmed(now=later - datetime.timedelta(hours=1)) == 0
    Subscription.objects.filter(confirmed_at__isnull=True).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(hours=49)
    )
    result = CliRunner().invoke(app, ["portal", "purge-subscriptions"])
    assert result.exit_code == 0, result.output
    assert "1 unconfirmed subscriptions deleted" in result.output
    assert list(Subscription.objects.values_list("topic_key", flat=True)) == ["results:station:101"]


def test_the_sender_command_reports_what_it_did(
    world: dict[str, Any],
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)
    signed_up(world, email="station@mail.kg", station=101)
    accept(world, 101, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    first = CliRunner().invoke(app, ["portal", "send-notifications"])
    assert first.exit_code == 0 and "sent 1" in first.output
    again = CliRunner().invoke(app, ["portal", "send-notifications"])
    assert again.exit_code == 0 and "sent 0" in again.output
    assert len(mail.outbox) == 1
    summary = CliRunner().invoke(app, ["portal", "subscriptions"])
    assert summary.exit_code == 0
    assert re.search(r"station_results\s.*email\s.*1\s.*0", summary.output)
    assert re.search(r"sent\s.*1", summary.output) and "station@mail.kg" not in summary.output


def test_a_confirmation_that_cannot_be_sent_keeps_nothing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subscriptions, "sms_gateway", BrokenSms)
    answer = Client(headers={"accept-language": "en"}).post(
        reverse("subscriptions:subscribe"),
        {"topic": "turnout", "channel": "sms", "phone": "+996700123456"},
    )
    assert answer.status_code == 503
    assert "could not be sent" in answer.content.decode()
    assert Subscription.objects.count() == 0


def test_the_delivery_log_is_kept_for_its_days_then_deleted(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    signed_up(world, email="station@mail.kg", station=101)
    accept(world, 101, django_capture_on_commit_callbacks)
    sending.send_notifications()
    assert sending.purge_delivery_log(90) == 0
    later = timezone.now() + datetime.timedelta(days=91)
    assert sending.purge_delivery_log(90, now=later) == 2  # the delivery and its notice
    assert Delivery.objects.count() == 0 and Notice.objects.count() == 0


def test_a_refused_e_mail_is_retried_and_its_error_kept_without_the_address(
    world: dict[str, Any],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    signed_up(world, email="gone@mail.kg", station=101)
    signed_up(world, email="also-gone@mail.kg", region="KG-C")
    settings.EMAIL_BACKEND = "test_subscriptions.RefusingMailServer"
    RefusingMailServer.opened = 0
    accept(world, 101, django_capture_on_commit_callbacks)
    caplog.set_level(logging.WARNING)
    report = sending.send_notifications()
    assert (report.sent, report.retrying) == (0, 2)
    assert RefusingMailServer.opened == 2, "the broken session is reopened for the next message"
    errors = list(Delivery.objects.values_list("last_error", flat=True))
    assert all(e.startswith("SMTPRecipientsRefused") and "[address]" in e for e in errors)
    assert "gone@mail.kg" not in caplog.text and "gone@mail.kg" not in "".join(errors)
    assert "attempt 1 failed, retry in 60 s" in caplog.text
