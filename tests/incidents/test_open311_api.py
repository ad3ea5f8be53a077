"""``/open311/v2/``: reporting apps file a case and follow it, in JSON and XML, and read only
what the public may know."""

from __future__ import annotations

import datetime
import json
import types
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import include, path

import factories as f
from shailoo.common.safe_xml import parse_xml
from shailoo.incidents import clock, services
from shailoo.incidents.categories import CATEGORIES
from shailoo.incidents.models import Case, CaseEvent
from shailoo.incidents.views_public import ReportThrottle

BISHKEK = ZoneInfo("Asia/Bishkek")
BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded"
pytestmark = pytest.mark.django_db

#: A complainant of the synthetic kind: none of this may appear in a public answer.
NAME = ("Жылдыз", "Асанбекова")
PHONE = "+996 555 123 456"
EMAIL = "zhyldyz.asanbekova@example.kg"
SECRET_TEXT = "Kurmanbek Tokoev handed out envelopes with 2000 som behind school 15"
ADDRESS = "Bishkek, Tokoev's house, Frunze st. 44, flat 7"
LAT, LONG = "42.874612", "74.569821"


def at(day: int, hour: int = 10, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2027, month, day, hour, tzinfo=BISHKEK)


@pytest.fixture(autouse=True)
def mounted(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The site's URLs with the endpoint mounted (as ``shailoo.urls`` mounts it), a roomy
    rate unless a test sets one, and an empty throttle cache."""
    from shailoo import urls as site

    patterns = list(site.urlpatterns)
    if not any(str(p.pattern) == "open311/v2/" for p in patterns):
        patterns.append(path("open311/v2/", include("shailoo.incidents.open311_urls")))
    urlconf = types.ModuleType("open311_mounted_urls")
    urlconf.urlpatterns = patterns  # type: ignore[attr-defined]
    urlconf.handler400, urlconf.handler404 = site.handler400, site.handler404  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf
    monkeypatch.setattr(ReportThrottle, "THROTTLE_RATES", {"incidents": "1000/hour"})
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def station() -> Any:
    f.election("kg-2025", polling_day=datetime.date(2027, 3, 14))
    return f.station(1001)


def filed(**fields: str) -> dict[str, str]:
    """A complete report as a reporting app posts it."""
    body = {
        "service_code": "vote_buying",
        "description": SECRET_TEXT,
        "lat": LAT,
        "long": LONG,
        "address_string": ADDRESS,
        "first_name": NAME[0],
        "last_name": NAME[1],
        "phone": PHONE,
        "email": EMAIL,
        "station": "1001",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def post(
    body: dict[str, Any] | bytes,
    fmt: str = "json",
    content_type: str = FORM,
    client: Client | None = None,
    **extra: Any,
) -> Any:
    if isinstance(body, dict):
        data = json.dumps(body) if content_type == "application/json" else urlencode(body)
    else:
        data = body  # type: ignore[assignment]
    return (client or Client()).post(
        f"{BASE}/requests.{fmt}", data=data, content_type=content_type, **extra
    )


def get(resource: str, **query: str) -> Any:
    return Client().get(f"{BASE}/{resource}", query)


def xml(response: Any) -> Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return parse_xml(response.content, "answer")


def fields(element: Element) -> dict[str, str]:
    return {child.tag: child.text or "" for child in element}


def error_codes(response: Any) -> list[int]:
    return [error["code"] for error in response.json()]


# --- the round trip ---------------------------------------------------------------------------


def test_a_request_filed_is_read_back_by_id_and_in_the_list_and_follows_its_case(
    station: Any,
) -> None:
    with clock.frozen_at(at(1)):
        answer = post(filed())
    assert answer.status_code == 200, answer.content
    ((row),) = answer.json()
    case = Case.objects.get()
    assert row["service_request_id"] == case.reference and row["token"] == case.token
    assert case.reference in row["service_notice"] and "2027-03-06 10:00" in row["service_notice"]
    assert len(case.token) >= 32 and row["account_id"] is None
    # everything the complainant sent reached the case, for its handlers
    assert (case.source, case.category, case.station, case.agency) == (
        "open311", "vote_buying", station, "police",
    )  # fmt: skip
    assert (case.complainant_name, case.complainant_phone) == (" ".join(NAME), PHONE)
    assert (case.complainant_email, case.place) == (EMAIL, ADDRESS)
    assert case.description == SECRET_TEXT and case.latitude == float(LAT)

    (by_id,) = get(f"requests/{case.reference}.json", locale="en").json()
    assert by_id == {
        "service_request_id": case.reference,
        "status": "open",
        "status_notes": "Received and routed to the agency responsible",
        "service_name": "Vote buying",
        "service_code": "vote_buying",
        "description": "",  # no public summary yet: the complainant's text is never shown
        "agency_responsible": "Internal affairs (police)",
        "service_notice": "Under the election law a decision is due by 2027-03-06 10:00"
        " (Bishkek time).",
        "requested_datetime": "2027-03-01T10:00:00+06:00",
        "updated_datetime": "2027-03-01T10:00:00+06:00",
        "expected_datetime": "2027-03-06T10:00:00+06:00",
        "address": "Polling station №1001, Мектеп №1001, Бишкек ш., Ленин көч., 1001",
        "lat": 42.87,
        "long": 74.57,
        "media_url": "",
        "shailoo_status": "routed",
    }
    assert get("requests.json").json()[0]["service_request_id"] == case.reference
    (token,) = get(f"tokens/{case.token}.json").json()
    assert token == {"service_request_id": case.reference, "token": case.token}

    with clock.frozen_at(at(3, 15)):
        services.decide(
            "cli",
            case,
            outcome="upheld",
            legal_basis="Art. 53 of the Constitutional Law on Elections",
            measures="Materials sent to the police",
            public_summary="Money was handed out near a station; the police opened a case.",
        )
    (decided,) = get(f"requests/{case.reference}.json", locale="en").json()
    assert (decided["status"], decided["shailoo_status"]) == ("closed", "decided")
    assert decided["status_notes"] == "Decided: complaint upheld"
    assert decided["description"].startswith("Money was handed out near a station")
    assert decided["updated_datetime"] == "2027-03-03T15:00:00+06:00"
    assert decided["expected_datetime"] is None and decided["service_notice"] == ""
    (listed,) = get("requests.json", status="closed", locale="en").json()
    assert listed == decided
    assert get("requests.json", status="open").json() == []


def test_the_same_round_trip_in_xml_with_a_json_body(station: Any) -> None:
    body: dict[str, Any] = {
        "service_code": "public_order",
        "description": "A crowd blocks the entrance",
    }
    body |= {"station": 1001, "lat": 42.87, "long": 74.59}
    with clock.frozen_at(at(14, 9)):
        answer = post(body, fmt="xml", content_type="application/json")
    assert answer.status_code == 200, answer.content
    root = xml(answer)
    assert root.tag == "service_requests"
    (request,) = root
    case = Case.objects.get()
    assert fields(request)["service_request_id"] == case.reference
    assert fields(request)["token"] == case.token
    assert case.due_rule == "polling_day_hours"  # election day: hours, not days

    (read,) = xml(get(f"requests/{case.reference}.xml", locale="ru"))
    assert fields(read)["status"] == "open" and fields(read)["shailoo_status"] == "routed"
    assert fields(read)["service_name"] == "Нарушение общественного порядка"
    assert fields(read)["requested_datetime"] == "2027-03-14T09:00:00+06:00"
    (listed,) = xml(get("requests.xml"))
    assert fields(listed)["service_request_id"] == case.reference
    (token,) = xml(get(f"tokens/{case.token}.xml"))
    assert fields(token) == {"service_request_id": case.reference, "token": case.token}

    with clock.frozen_at(at(14, 10)):
        services.add_note("cli", case, "Officers sent")
    (working,) = xml(get(f"requests/{case.reference}.xml"))
    assert fields(working)["shailoo_status"] == "in_progress"
    assert fields(working)["updated_datetime"] == "2027-03-14T10:00:00+06:00"
    with clock.frozen_at(at(14, 13)):
        services.sweep()  # two hours on polling day: overdue, escalated
    (late,) = xml(get(f"requests/{case.reference}.xml"))
    assert (fields(late)["status"], fields(late)["shailoo_status"]) == ("open", "escalated")


def test_an_xml_body_and_a_multipart_body_are_read_too(station: Any) -> None:
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?><request><service_code>other</service_code>"
        b"<description>Ballot box left unsealed</description><station>1001</station></request>"
    )
    assert post(body, content_type="text/xml").status_code == 200
    multipart = Client().post(
        f"{BASE}/requests.json",
        {"service_code": "other", "description": "Observers were sent out", "station": "1001"},
    )
    assert multipart.status_code == 200, multipart.content
    assert Case.objects.filter(source="open311").count() == 2


def test_what_the_case_has_no_field_for_is_kept_on_its_timeline(station: Any) -> None:
    media = "https://photos.example.org/p/123.jpg"
    answer = post(filed(media_url=media, **{"attribute[box]": "7"}))
    assert answer.status_code == 200, answer.content
    (note,) = CaseEvent.objects.filter(kind="note")
    assert note.data == {"open311": {"media_url": media, "attribute": {"box": "7"}}}
    (read,) = get(f"requests/{answer.json()[0]['service_request_id']}.json").json()
    assert read["media_url"] == ""  # the reporter's photo may show people: not republished


# --- discovery and services -------------------------------------------------------------------


def test_discovery_and_services_in_json_and_xml() -> None:
    document = get("discovery.json").json()
    (endpoint,) = document["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    root = xml(get("discovery.xml"))
    assert root.tag == "discovery" and root.findtext("endpoints/endpoint/url") == endpoint["url"]

    listed = get("services.json", locale="ky").json()
    assert [s["service_code"] for s in listed] == list(CATEGORIES)
    assert listed[0]["service_name"] == "Шайлоочулардын добушун сатып алуу"
    assert {s["type"] for s in listed} == {"realtime"}
    assert get("services.json", locale="en").json()[0]["service_name"] == "Vote buying"
    services_xml = xml(get("services.xml"))
    assert [s.findtext("service_code") for s in services_xml] == list(CATEGORIES)
    assert get("services").json() == get("services.json").json()  # no suffix: JSON

    definition = get("services/cyber_incident.json").json()
    assert definition == {"service_code": "cyber_incident", "attributes": []}
    assert xml(get("services/cyber_incident.xml")).findtext("service_code") == "cyber_incident"
    missing = get("services/witchcraft.json")
    assert missing.status_code == 404 and error_codes(missing) == [404]
    assert "witchcraft" in missing.json()[0]["description"]
    missing_xml = xml(get("services/witchcraft.xml"))
    assert missing_xml.tag == "errors" and missing_xml.findtext("error/code") == "404"


def test_formats_methods_and_unknown_paths_answer_georeport_errors() -> None:
    wrong_format = get("services.html")
    assert wrong_format.status_code == 404 and wrong_format["Content-Type"] == "application/json"
    assert error_codes(wrong_format) == [404]
    deleted = Client().delete(f"{BASE}/requests.xml")
    assert deleted.status_code == 405 and deleted["Allow"] == "GET, POST, HEAD"
    assert xml(deleted).findtext("error/code") == "405"
    assert Client().post(f"{BASE}/services.json").status_code == 405
    assert get("requests/KG-AAAAA-22222.json").status_code == 404
    assert get("tokens/no-such-token.json").status_code == 404
    nowhere = get("nowhere/at/all.xml")
    assert nowhere.status_code == 404 and xml(nowhere).findtext("error/code") == "404"
    assert Client().head(f"{BASE}/services.json").status_code == 200


def test_answers_are_not_cached_and_posts_need_no_csrf_token(station: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    answer = post(filed(), client=strict)
    assert answer.status_code == 200, answer.content
    assert "no-store" in answer["Cache-Control"]
    assert "no-store" in get("requests.json")["Cache-Control"]
    assert "no-store" in get("services.json")["Cache-Control"]


# --- the list ---------------------------------------------------------------------------------


def _case(category: str, day: int, source: str = "public_web", **kw: Any) -> Case:
    with clock.frozen_at(at(day, month=kw.pop("month", 3))):
        report = services.Report(
            category=category, description="Seen at the gate", source=source, station=1001, **kw
        )
        return services.open_case("cli", report)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["service_request_id"] for row in response.json()]


def test_the_list_filters_by_id_service_status_and_period_newest_first(station: Any) -> None:
    bought = _case("vote_buying", 1, month=1)
    pressed = _case("pressure_on_voters", 2)
    crowd = _case("public_order", 5, source="hotline")
    with clock.frozen_at(at(6)):
        alert = services.raise_alert(
            "counting", "discrepancy", category="count_irregularity", summary="Sums differ"
        )
        services.decide("cli", pressed, outcome="dismissed", legal_basis="Art. 53")
    Case.objects.filter(pk=crowd.pk).update(escalated_at=at(7))

    assert ids(get("requests.json")) == [crowd.reference, pressed.reference, bought.reference]
    assert get(f"requests/{alert.reference}.json").status_code == 404  # internal alerts
    assert ids(get("requests.json", service_code="public_order,vote_buying")) == [
        crowd.reference,
        bought.reference,
    ]
    assert ids(get("requests.json", status="closed")) == [pressed.reference]
    assert ids(get("requests.json", status="open,closed")) == ids(get("requests.json"))
    assert ids(get("requests.json", shailoo_status="escalated")) == [crowd.reference]
    assert ids(get("requests.json", shailoo_status="routed,decided")) == [
        pressed.reference,
        bought.reference,
    ]
    in_march = get("requests.json", start_date="2027-03-01T00:00:00+06:00", end_date="2027-03-31")
    assert ids(in_march) == [crowd.reference, pressed.reference]
    # a "+" sent unencoded arrives as a space; the time is still read
    lost_plus = Client().get(f"{BASE}/requests.json?start_date=2027-03-03T00:00:00+06:00")
    assert ids(lost_plus) == [crowd.reference]
    assert ids(get("requests.json", end_date="2027-01-31")) == [bought.reference]
    typed = f"{bought.reference.lower().replace('-', ' ')},{crowd.reference},KG-NOPE"
    assert sorted(ids(get("requests.json", service_request_id=typed, status="closed"))) == sorted(
        [bought.reference, crowd.reference]
    )  # ids override every other filter
    (xml_row,) = xml(get("requests.xml", status="closed"))
    assert fields(xml_row)["service_request_id"] == pressed.reference


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"service_code": "vote_buying,witchcraft"}, "service_code"),
        ({"shailoo_status": "lost"}, "shailoo_status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2027-01-01", "end_date": "2027-04-30"}, "end_date"),  # over 90 days
        ({"start_date": "2027-03-10", "end_date": "2027-03-01"}, "end_date"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(query: dict[str, str], field: str) -> None:
    answer = get("requests.json", **query)
    assert answer.status_code == 400 and error_codes(answer) == [400]
    assert answer.json()[0]["description"].startswith(f"{field}: ")
    assert xml(get("requests.xml", **query)).findtext("error/code") == "400"


def test_the_list_holds_at_most_a_thousand_newest_first(station: Any) -> None:
    start = at(1, 0)
    Case.objects.bulk_create(
        Case(
            reference=f"KG-{n:05d}-ABCDE".replace("0", "A").replace("1", "B"),
            category="other",
            severity="low",
            source="public_web",
            description="x",
            agency="commission",
            received_at=start + datetime.timedelta(minutes=n),
            due_at=start + datetime.timedelta(days=5),
            due_rule="campaign_days",
        )
        for n in range(1005)
    )
    listed = get("requests.json").json()
    assert len(listed) == 1000
    times = [row["requested_datetime"] for row in listed]
    assert times == sorted(times, reverse=True) and times[0] == "2027-03-01T16:44:00+06:00"


# --- bad bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        (filed(service_code=None), FORM, 400, "service_code"),  # type: ignore[arg-type]
        (filed(service_code="witchcraft"), FORM, 404, "service_code"),
        (filed(lat="NaN"), FORM, 400, "lat"),
        (
            {"service_code": "other", "description": "x", "lat": "NaN", "long": 1},
            "json",
            400,
            "lat",
        ),
        (filed(lat="55.7558", long="37.6173"), FORM, 400, "lat"),  # Moscow: not Kyrgyzstan
        (filed(lat="74.5698", long="42.8746"), FORM, 400, "lat"),  # swapped
        (filed(description="ж" * 4001), FORM, 400, "description"),
        (filed(description=""), FORM, 400, "description"),  # a case says what happened
        (filed(station="4242"), FORM, 400, "station"),  # no such polling station
        (filed(station=None, lat=None, long=None, address_string=None), FORM, 400, "location"),  # type: ignore[arg-type]
        (filed(email="not-an-address"), FORM, 400, "email"),
        (b"service_code=other&service_code=vote_buying", FORM, 400, "service_code"),
        (b"[1, 2]", "application/json", 400, ""),
        (b"<request><service_code>", "text/xml", 400, ""),
    ],
)
def test_a_bad_body_is_refused_and_files_nothing(
    station: Any, body: Any, content_type: str, status: int, field: str
) -> None:
    if content_type == "json":
        content_type = "application/json"
    answer = post(body, content_type=content_type)
    assert answer.status_code == status, answer.content
    assert status in error_codes(answer)
    assert any(e["description"].startswith(field) for e in answer.json()), answer.json()
    assert Case.objects.count() == 0


def test_a_body_in_another_format_is_415_and_a_huge_one_400(station: Any) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded; charset=latin-1"):
        answer = post(filed(), content_type=content_type)
        assert answer.status_code == 415 and error_codes(answer) == [415], content_type
    assert xml(post(filed(), fmt="xml", content_type="text/csv")).findtext("error/code") == "415"
    huge = urlencode(filed(description="x" * 3000)).encode() * 30
    assert post(huge).status_code == 400
    with_file = Client().post(
        f"{BASE}/requests.json",
        {"service_code": "other", "description": "x", "station": "1001", "media": _upload()},
    )
    assert with_file.status_code == 400 and "media" in with_file.json()[0]["description"]
    assert Case.objects.count() == 0


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")


def test_a_flood_from_one_source_is_held_back_and_what_was_accepted_stays(
    station: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ReportThrottle, "THROTTLE_RATES", {"incidents": "3/hour"})
    answers = [post(filed()) for _ in range(2)]
    answers.append(post(filed(service_code="witchcraft")))  # refused ones count too
    answers += [post(filed()) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 404, 429, 429, 429]
    flooded = answers[-1]
    assert error_codes(flooded) == [429] and int(flooded["Retry-After"]) > 0
    assert xml(post(filed(), fmt="xml")).findtext("error/code") == "429"
    accepted = [a.json()[0]["service_request_id"] for a in answers[:2]]
    assert sorted(Case.objects.values_list("reference", flat=True)) == sorted(accepted)
    assert ids(get("requests.json")) == accepted[::-1]  # reading is not held back
    other = post(filed(), REMOTE_ADDR="10.1.2.3")  # another source has its own budget
    assert other.status_code == 200


# --- what the public may know -----------------------------------------------------------------


def test_no_personal_data_in_any_answer(station: Any) -> None:
    answer = post(filed(media_url="https://photos.example.org/zhyldyz.jpg"))
    reference, token = answer.json()[0]["service_request_id"], answer.json()[0]["token"]
    staff_slip = services.Report(
        category="pressure_on_voters",
        description=f"{' '.join(NAME)} ({PHONE}) says her boss made her vote",
        source="hotline",
        station=1001,
        complainant_name=" ".join(NAME),
        complainant_phone="0555 987 654",
        complainant_email="boss.victim@example.kg",
    )
    with clock.frozen_at(at(2)):
        slip = services.open_case("cli", staff_slip)
        services.decide(
            "cli",
            slip,
            outcome="upheld",
            legal_basis="Art. 53",
            public_summary=f"{NAME[1]} (0555 987 654, boss.victim@example.kg) was pressed to vote",
        )
    (published,) = get(f"requests/{slip.reference}.json").json()
    assert published["description"].endswith("was pressed to vote")
    secrets = [
        *NAME,
        "555 123 456",
        "555123456",
        "987 654",
        EMAIL,
        "boss.victim",
        "Tokoev",
        "envelopes",
        "Frunze",
        "says her boss",
        LAT,
        LONG,
        "42.8746",
        "zhyldyz.jpg",
    ]
    for resource in (
        "requests",
        f"requests/{reference}",
        f"requests/{slip.reference}",
        f"tokens/{token}",
    ):
        for fmt in ("json", "xml"):
            for locale in ("ky", "ru", "en"):
                body = get(f"{resource}.{fmt}", locale=locale).content.decode()
                leaked = [s for s in secrets if s in body or json.dumps(s)[1:-1] in body]
                assert leaked == [], (resource, fmt, leaked)
