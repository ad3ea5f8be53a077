"""``shailoo.incidents.open311``: the GeoReport v2 documents and the POST body reader."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput, NotFound
from shailoo.common.safe_xml import parse_xml
from shailoo.incidents import open311 as o
from shailoo.incidents.categories import CATEGORIES

BISHKEK = ZoneInfo("Asia/Bishkek")
OFFSET = re.compile(r"T\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def view(**changes: Any) -> o.RequestView:
    fields: dict[str, Any] = {
        "service_request_id": "KG-2027-000123",
        "status": "open",
        "status_notes": "Routed to the police of Oktyabr district.",
        "service_name": "Vote buying",
        "service_code": "vote_buying",
        "description": "Money handed out near station 1024.",
        "agency_responsible": "police",
        "service_notice": "A decision is due within 3 days.",
        "requested_datetime": datetime(2027, 3, 14, 10, 5, tzinfo=BISHKEK),
        "updated_datetime": datetime(2027, 3, 14, 11, 0, 30, 123456, tzinfo=BISHKEK),
        "expected_datetime": datetime(2027, 3, 17, 10, 5, tzinfo=BISHKEK),
        "address": "Bishkek, Oktyabr district",
        "lat": 42.8746,
        "long": 74.5698,
        "media_url": "",
        "shailoo_status": "routed",
    }
    fields.update(changes)
    return o.RequestView(**fields)


def children(element: Element) -> dict[str, str]:
    return {child.tag: child.text or "" for child in element}


def refusal(body: bytes | dict[str, str], content_type: str = o.FORM_TYPE) -> o.Open311Error:
    with pytest.raises(o.Open311Error) as caught:
        o.parse_new_request(body, content_type)
    return caught.value


def wheres(error: o.Open311Error) -> set[str]:
    return {problem.where for problem in error.problems}


GOOD_FORM = {
    "service_code": "vote_buying",
    "lat": "42.8746",
    "long": "74.5698",
    "description": "Мага 2000 сом сунушташты.\nПосле этого ушли.",
    "email": "aibek@example.kg",
    "phone": "+996 555 123 456",
    "first_name": "Айбек",
    "last_name": "Садыков",
    "media_url": "https://photos.example.org/1.jpg",
    "device_id": "ios-7F3A",
    "account_id": "u-17",
    "attribute[witnesses]": "2",
    "jurisdiction_id": "kg",
}


# --- services and discovery -------------------------------------------------------------------


def test_every_category_is_a_named_service_in_three_languages() -> None:
    assert set(o.SERVICE_NAMES) == set(CATEGORIES)
    for lang in o.LANGS:
        names = [o.SERVICE_NAMES[code][lang].name for code in CATEGORIES]
        assert all(names) and len(set(names)) == len(names), lang
        assert all(o.SERVICE_NAMES[code][lang].description for code in CATEGORIES)
    assert o.SERVICE_NAMES["vote_buying"]["ru"].name == "Подкуп избирателей"
    assert o.SERVICE_NAMES["vote_buying"]["ky"].name != o.SERVICE_NAMES["vote_buying"]["ru"].name


def test_services_lists_each_category_with_the_georeport_fields() -> None:
    listed = o.services("ru")
    assert [service["service_code"] for service in listed] == list(CATEGORIES)
    first = listed[0]
    assert set(first) == {
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"
    }  # fmt: skip
    assert first["service_name"] == "Подкуп избирателей"
    assert first["metadata"] is False and first["type"] == "realtime"
    assert first["group"] == "Голосование"
    assert "подкуп" in first["keywords"].split(", ")
    assert o.services("en")[0]["service_name"] == "Vote buying"
    assert json.loads(json.dumps(listed)) == listed


def test_services_xml_parses_back_with_the_same_fields() -> None:
    root = parse_xml(o.services_xml("ky"), "services")
    assert root.tag == "services"
    rows = [children(service) for service in root]
    assert [row["service_code"] for row in rows] == list(CATEGORIES)
    assert rows[0]["metadata"] == "false" and rows[0]["type"] == "realtime"
    assert rows[0]["service_name"] == o.SERVICE_NAMES["vote_buying"]["ky"].name
    assert o.services_xml("ky").startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_service_definition_of_a_known_service_and_an_unknown_one() -> None:
    assert o.service_definition("cyber_incident", "en") == {
        "service_code": "cyber_incident",
        "attributes": [],
    }
    root = parse_xml(o.service_definition_xml("cyber_incident", "en"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "cyber_incident"
    with pytest.raises(o.UnknownService) as caught:
        o.service_definition("potholes", "en")
    error = caught.value
    assert error.http_status == 404 and isinstance(error, NotFound)
    assert isinstance(error, InvalidInput)
    assert wheres(error) == {"service_code"}
    assert o.errors_of(error)[0].code == 404


def test_a_service_attribute_shows_in_the_definition_and_sets_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No service asks for more than the core fields today; the structure is ready for one."""
    attribute = o.ServiceAttribute(
        code="witnesses",
        datatype="singlevaluelist",
        required=False,
        order=1,
        description={"ky": "Күбөлөр", "ru": "Свидетели", "en": "Witnesses"},
        values=(("none", {"ky": "Жок", "ru": "Нет", "en": "None"}),),
    )
    monkeypatch.setitem(o.SERVICE_ATTRIBUTES, "vote_buying", (attribute,))
    definition = o.service_definition("vote_buying", "ru")
    assert definition["attributes"] == [
        {
            "variable": True,
            "code": "witnesses",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 1,
            "description": "Свидетели",
            "values": [{"key": "none", "name": "Нет"}],
        }
    ]
    assert o.services("ru")[0]["metadata"] is True
    root = parse_xml(o.service_definition_xml("vote_buying", "en"))
    assert root.findtext("attributes/attribute/code") == "witnesses"
    assert root.findtext("attributes/attribute/values/value/name") == "None"
    assert root.findtext("attributes/attribute/required") == "false"


def test_discovery_points_at_the_endpoint_in_both_formats() -> None:
    found = o.discovery("https://shailoo.kg/open311/v2/", "info@shailoo.kg")
    assert found["contact"] == "info@shailoo.kg"
    assert found["changeset"].endswith("+06:00") and OFFSET.search(found["changeset"])
    (endpoint,) = found["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "https://shailoo.kg/open311/v2",
        "changeset": found["changeset"],
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    root = parse_xml(o.discovery_xml("https://shailoo.kg/open311/v2", "info@shailoo.kg"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/specification") == o.SPECIFICATION
    assert [f.text for f in root.iterfind("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]
    with pytest.raises(ValueError, match="absolute"):
        o.discovery("/open311/v2", "info@shailoo.kg")


def test_lang_of_reads_locale_tags() -> None:
    assert o.lang_of("ru-RU") == "ru"
    assert o.lang_of("ky_KG") == "ky"
    assert o.lang_of("en,ru;q=0.8") == "en"
    assert o.lang_of("de") == "ky" and o.lang_of(None, "ru") == "ru"


# --- requests ---------------------------------------------------------------------------------


def test_request_json_carries_every_field_with_zone_offsets() -> None:
    found = o.request_json(view())
    assert found["service_request_id"] == "KG-2027-000123"
    assert found["requested_datetime"] == "2027-03-14T10:05:00+06:00"
    assert found["updated_datetime"] == "2027-03-14T11:00:30+06:00"  # to the second
    assert found["expected_datetime"] == "2027-03-17T10:05:00+06:00"
    assert (found["status"], found["shailoo_status"]) == ("open", "routed")
    assert (found["lat"], found["long"]) == (42.8746, 74.5698)
    assert set(found) >= {
        "status_notes", "service_name", "service_code", "description", "agency_responsible",
        "service_notice", "address", "media_url",
    }  # fmt: skip
    unplaced = o.request_json(view(lat=None, long=None, expected_datetime=None))
    assert unplaced["lat"] is None and unplaced["expected_datetime"] is None
    utc = o.request_json(view(requested_datetime=datetime(2027, 3, 14, 4, 5, tzinfo=UTC)))
    assert utc["requested_datetime"] == "2027-03-14T04:05:00+00:00"


def test_a_view_refuses_what_georeport_cannot_say() -> None:
    with pytest.raises(ValueError, match="zone"):
        view(requested_datetime=datetime(2027, 3, 14, 10, 5))
    with pytest.raises(ValueError, match="disagrees"):
        view(status="closed", shailoo_status="escalated")
    with pytest.raises(ValueError, match="together"):
        view(lat=42.0, long=None)
    with pytest.raises(ValueError, match="latitude"):
        view(lat=float("nan"))
    with pytest.raises(ValueError, match="no service"):
        view(service_code="potholes")
    decided = view(status="closed", shailoo_status="decided")
    assert o.request_json(decided)["status"] == "closed"
    assert [o.status_of(s) for s in o.LEGAL_STATUSES].count("closed") == 3


def test_a_local_mean_time_offset_is_written_in_utc() -> None:
    """Before 1924 Bishkek kept local mean time (+04:58:24), which ISO's HH:MM cannot say."""
    old = view(requested_datetime=datetime(1900, 1, 1, 12, 0, tzinfo=BISHKEK))
    stamp = o.request_json(old)["requested_datetime"]
    assert stamp.endswith("+00:00")
    assert datetime.fromisoformat(stamp) == datetime(1900, 1, 1, 12, 0, tzinfo=BISHKEK).replace(
        microsecond=0
    )


def test_requests_xml_parses_back_with_fields_and_offsets() -> None:
    data = o.requests_xml([view(), view(service_request_id="KG-2027-000124", lat=None, long=None)])
    root = parse_xml(data, "requests")
    assert root.tag == "service_requests"
    first, second = (children(request) for request in root)
    assert [request.tag for request in root] == ["request", "request"]
    assert first["requested_datetime"] == "2027-03-14T10:05:00+06:00"
    assert first["shailoo_status"] == "routed" and first["status"] == "open"
    assert float(first["lat"]) == 42.8746 and first["media_url"] == ""
    assert second["service_request_id"] == "KG-2027-000124" and second["lat"] == ""
    assert parse_xml(o.requests_xml([])).tag == "service_requests"


def test_xml_output_replaces_control_characters_and_keeps_line_breaks() -> None:
    nasty = "a\x00b\x1bc\r\nd\x7fe\x85f\ufffeg<&>"
    data = o.requests_xml([view(description=nasty)])
    assert not RAW_CONTROL.search(data.decode("utf-8"))
    text = parse_xml(data).findtext("request/description")
    assert text == "a\ufffdb\ufffdc\nd\ufffde\ufffdf\ufffdg<&>"


def test_post_and_token_answers() -> None:
    assert o.post_response("KG-2027-000125", None, "Case opened.") == [
        {
            "service_request_id": "KG-2027-000125",
            "service_notice": "Case opened.",
            "account_id": None,
        }
    ]
    assert o.post_response(None, "t-9", "Queued.", account_id="u-17") == [
        {"token": "t-9", "service_notice": "Queued.", "account_id": "u-17"}
    ]
    with pytest.raises(ValueError):
        o.post_response(None, None, "nothing")
    root = parse_xml(o.post_response_xml("KG-2027-000125", "t-9", "Case opened."))
    assert root.tag == "service_requests"
    assert children(root[0]) == {
        "service_request_id": "KG-2027-000125",
        "token": "t-9",
        "service_notice": "Case opened.",
        "account_id": "",
    }
    assert o.token_response("t-9", None) == [{"service_request_id": None, "token": "t-9"}]
    assert children(parse_xml(o.token_xml("t-9", "KG-1"))[0]) == {
        "service_request_id": "KG-1",
        "token": "t-9",
    }


def test_errors_in_both_formats() -> None:
    assert o.error_json(403, "no key") == [{"code": 403, "description": "no key"}]
    root = parse_xml(
        o.errors_xml([o.GeoReportError(400, "lat: <bad>"), o.GeoReportError(404, "x")])
    )
    assert root.tag == "errors"
    assert [children(e) for e in root] == [
        {"code": "400", "description": "lat: <bad>"},
        {"code": "404", "description": "x"},
    ]
    conflict = Conflict("closed", "the case is closed", problems=[Problem("status", "closed")])
    assert o.errors_of(conflict) == [o.GeoReportError(409, "status: closed")]
    assert o.errors_of(Conflict("closed", "the case is closed")) == [
        o.GeoReportError(409, "the case is closed")
    ]


# --- new requests: good bodies ----------------------------------------------------------------


def test_a_standard_form_post_is_read() -> None:
    found = o.parse_new_request(urlencode(GOOD_FORM).encode(), o.FORM_TYPE)
    assert found == o.NewRequest(
        service_code="vote_buying",
        description="Мага 2000 сом сунушташты.\nПосле этого ушли.",
        lat=42.8746,
        long=74.5698,
        email="aibek@example.kg",
        first_name="Айбек",
        last_name="Садыков",
        phone="+996 555 123 456",
        media_url="https://photos.example.org/1.jpg",
        device_id="ios-7F3A",
        account_id="u-17",
        attribute={"witnesses": "2"},
    )
    with_charset = o.parse_new_request(
        urlencode(GOOD_FORM).encode(), "application/x-www-form-urlencoded; charset=UTF-8"
    )
    assert with_charset == found
    assert o.parse_new_request(GOOD_FORM, "multipart/form-data") == found  # fields parsed


def test_json_and_xml_bodies_are_read_too() -> None:
    body = {
        "service_code": "count_irregularity",
        "lat": 41.43,
        "long": 75.99,
        "description": "Протокол толтурулган эмес",
        "attribute": {"copies": 2},
    }
    found = o.parse_new_request(json.dumps(body).encode(), "application/json; charset=utf-8")
    assert (found.service_code, found.lat, found.long) == ("count_irregularity", 41.43, 75.99)
    assert found.attribute == {"copies": "2"}
    xml = (
        "<request><service_code>public_order</service_code><station>1024</station>"
        "<description>Толпа у входа</description>"
        "<attribute><crowd>50</crowd></attribute></request>"
    ).encode()
    read = o.parse_new_request(xml, "text/xml")
    assert (read.service_code, read.station, read.lat) == ("public_order", 1024, None)
    assert read.description == "Толпа у входа" and read.attribute == {"crowd": "50"}


def test_each_kind_of_location_is_enough() -> None:
    by_address = o.parse_new_request(
        {"service_code": "other", "address_string": "Ош, ул. Ленина 1"}, o.FORM_TYPE
    )
    assert by_address.address_string == "Ош, ул. Ленина 1" and by_address.lat is None
    by_station = o.parse_new_request(b"service_code=other&station=%201024%20", o.FORM_TYPE)
    assert by_station.station == 1024
    assert o.parse_new_request({"service_code": "other", "station": "999999"}).station == 999_999


def test_the_description_may_hold_exactly_4000_characters() -> None:
    text = "ы" * 4000
    body = urlencode({"service_code": "other", "station": "1", "description": text}).encode()
    assert len(body) < o.MAX_BODY_BYTES
    assert o.parse_new_request(body).description == text
    error = refusal({"service_code": "other", "station": "1", "description": text + "ы"})
    assert wheres(error) == {"description"} and "4,001 given" in error.problems[0].why


def test_kyrgyzstans_box_edges_are_inside() -> None:
    for lat, long in (("39", "69"), ("44", "81"), ("39.0", "81.0")):
        found = o.parse_new_request({"service_code": "other", "lat": lat, "long": long})
        assert (found.lat, found.long) == (float(lat), float(long))


# --- new requests: bad bodies -----------------------------------------------------------------


def test_a_missing_service_code_is_a_located_400() -> None:
    error = refusal(b"lat=42.87&long=74.59")
    assert type(error) is o.Open311Error and error.http_status == 400
    assert wheres(error) == {"service_code"}
    assert o.errors_of(error) == [
        o.GeoReportError(400, "service_code: missing: which service (category) the report is about")
    ]


def test_an_unknown_service_code_is_a_404_with_the_other_problems_kept() -> None:
    error = refusal(b"service_code=potholes&lat=NaN&long=74.59")
    assert isinstance(error, o.UnknownService) and error.http_status == 404
    assert isinstance(error, NotFound)
    codes = {e.description.split(":")[0]: e.code for e in o.errors_of(error)}
    assert codes == {"service_code": 404, "lat": 400}
    root = parse_xml(o.errors_xml(o.errors_of(error)))
    assert sorted(e.findtext("code") for e in root) == ["400", "404"]


@pytest.mark.parametrize(
    ("lat", "why"),
    [("NaN", "decimal degrees"), ("inf", "decimal degrees"), ("1e2", "decimal degrees"),
     ("91", "within -90 and 90"), ("٤٢", "decimal degrees"), ("", "together")],
)  # fmt: skip
def test_a_latitude_that_is_no_number_is_refused_at_lat(lat: str, why: str) -> None:
    error = refusal({"service_code": "other", "lat": lat, "long": "74.59"})
    assert wheres(error) == {"lat"}
    assert why in error.problems[0].why


def test_nan_in_a_json_body_is_refused_with_its_line_and_column() -> None:
    error = refusal(b'{"service_code": "other",\n "lat": NaN, "long": 74.5}', o.JSON_TYPE)
    (problem,) = error.problems
    assert problem.line == 2 and "NaN" in problem.why and "column 9" in problem.why
    assert o.errors_of(error)[0].code == 400
    as_text = refusal(b'{"service_code": "other", "lat": "NaN", "long": 74.5}', o.JSON_TYPE)
    assert wheres(as_text) == {"lat"}


def test_coordinates_outside_kyrgyzstan_are_refused_with_a_clear_message() -> None:
    moscow = refusal({"service_code": "other", "lat": "55.7558", "long": "37.6173"})
    assert wheres(moscow) == {"lat", "long"}
    assert all("outside Kyrgyzstan" in problem.why for problem in moscow.problems)
    swapped = refusal({"service_code": "other", "lat": "74.59", "long": "42.87"})
    assert "swapped" in swapped.problems[0].why
    assert wheres(refusal({"service_code": "other", "lat": "42.87", "long": "81.01"})) == {"long"}


def test_a_5000_character_description_is_refused() -> None:
    body = urlencode({"service_code": "other", "station": "1", "description": "x" * 5000})
    error = refusal(body.encode())
    assert wheres(error) == {"description"} and "5,000 given" in error.problems[0].why


def test_a_json_list_is_not_a_request() -> None:
    error = refusal(b'[{"service_code": "other", "station": "1"}]', o.JSON_TYPE)
    assert error.problems[0].why == "the body must be a JSON object of fields, not a list"
    assert wheres(refusal(b'{"service_code": "other", "attribute": [1]}', o.JSON_TYPE)) == {
        "attribute"
    }
    typed = refusal(b'{"service_code": "other", "station": true, "email": 5}', o.JSON_TYPE)
    assert wheres(typed) == {"station", "email"}
    listed = refusal(b'{"service_code": ["other"], "station": 1}', o.JSON_TYPE)
    assert type(listed) is o.Open311Error and wheres(listed) == {"service_code"}


def test_an_xml_bomb_is_refused_unexpanded() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<request><service_code>other</service_code><description>&lol2;</description></request>"""
    error = refusal(bomb, "application/xml")
    (problem,) = error.problems
    assert "document type declaration" in problem.why and problem.line == 2
    deep = b"<request><attribute><a><b>1</b></a></attribute></request>"
    assert "deeper" in refusal(deep, o.XML_TYPE).problems[0].why
    twice = b"<r><service_code>other</service_code><service_code>vote_buying</service_code></r>"
    assert wheres(refusal(twice, o.XML_TYPE)) == {"service_code"}


def test_bytes_that_are_not_utf8_are_refused_where_they_are() -> None:
    form = refusal(b"service_code=other&station=1&description=%FF%FE")
    assert wheres(form) == {"description"} and "UTF-8" in form.problems[0].why
    raw = refusal("service_code=other&station=1&address_string=Ош".encode("cp1251"))
    assert wheres(raw) == {"address_string"}
    js = refusal(b'{"service_code": "other",\n"description": "\xcf\xf0\xe8"}', o.JSON_TYPE)
    assert js.problems[0].line == 2 and "not UTF-8" in js.problems[0].why
    declared = refusal(b"service_code=other", "application/x-www-form-urlencoded; charset=cp1251")
    assert isinstance(declared, o.UnsupportedMediaType) and wheres(declared) == {"Content-Type"}


def test_every_bad_field_is_named_at_once() -> None:
    error = refusal(
        {
            "service_code": "other",
            "email": "not-an-address",
            "phone": "12",
            "first_name": "Ай\nбек",
            "last_name": "x\x00",
            "media_url": "javascript:alert(1)",
            "station": "0",
            "attribute[bad code]": "1",
        }
    )
    assert wheres(error) == {
        "email", "phone", "first_name", "last_name", "media_url", "station", "attribute[bad code]"
    }  # fmt: skip


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://[[[[/x", "http://[::1/x", "https://", "ftp://a.kg/x"]
)
def test_a_media_url_must_be_a_web_address(url: str) -> None:
    """``urlsplit`` raises on a bracketed host that is no IP address: refused, not a crash."""
    assert wheres(refusal({"service_code": "other", "station": "1", "media_url": url})) == {
        "media_url"
    }


def test_no_location_is_refused_as_location() -> None:
    error = refusal({"service_code": "other", "description": "something", "address_string": " "})
    assert wheres(error) == {"location"}


def test_lat_without_long_names_long() -> None:
    assert wheres(refusal({"service_code": "other", "lat": "42.8"})) == {"long"}


def test_a_field_given_twice_and_too_many_fields_are_refused() -> None:
    assert wheres(refusal(b"service_code=other&station=1&station=2")) == {"station"}
    flood = "&".join(f"f{i}=1" for i in range(101)).encode()
    assert wheres(refusal(flood)) == {"body"}
    assert wheres(refusal({f"f{i}": "1" for i in range(101)})) == {"body"}
    big = refusal(b"service_code=other&description=" + b"x" * o.MAX_BODY_BYTES)
    assert wheres(big) == {"body"} and "more than" in big.problems[0].why


def test_an_unknown_media_type_is_a_415() -> None:
    error = refusal(b"%PDF-1.7", "application/pdf")
    assert isinstance(error, o.UnsupportedMediaType) and error.http_status == 415
    assert o.errors_of(error)[0].code == 415


# --- properties -------------------------------------------------------------------------------

public_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
maybe_moment = st.none() | sx.aware_datetimes
legal = st.sampled_from(o.LEGAL_STATUSES)
places = st.none() | st.tuples(
    st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)
)


@st.composite
def request_views(draw: st.DrawFn) -> o.RequestView:
    status = draw(legal)
    place = draw(places)
    return o.RequestView(
        service_request_id=draw(public_text),
        status=o.status_of(status),
        status_notes=draw(public_text),
        service_name=draw(public_text),
        service_code=draw(st.sampled_from(CATEGORIES)),
        description=draw(public_text),
        agency_responsible=draw(public_text),
        service_notice=draw(public_text),
        requested_datetime=draw(sx.aware_datetimes),
        updated_datetime=draw(maybe_moment),
        expected_datetime=draw(maybe_moment),
        address=draw(public_text),
        lat=None if place is None else place[0],
        long=None if place is None else place[1],
        media_url=draw(public_text),
        shailoo_status=status,
    )


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@given(request_views())
def test_any_view_round_trips_through_json_text(original: o.RequestView) -> None:
    read = json.loads(json.dumps(o.request_json(original), ensure_ascii=False))
    for name in o.RequestView.TIMES:
        stamp = read[name]
        if stamp is not None:
            assert OFFSET.search(stamp), stamp
        moment = _moment(stamp)
        assert moment == getattr(original, name)
        if moment is not None:
            assert moment.utcoffset() == getattr(original, name).utcoffset()
    for name, value in vars(original).items():
        if name not in o.RequestView.TIMES:
            assert read[name] == value, name


@given(st.lists(request_views(), max_size=3))
def test_xml_never_holds_raw_control_characters(views: list[o.RequestView]) -> None:
    data = o.requests_xml(views)
    assert not RAW_CONTROL.search(data.decode("utf-8"))
    root = parse_xml(data)
    assert len(root) == len(views)
    for element, original in zip(root, views, strict=True):
        read = children(element)
        assert read["description"] == o.xml_text(original.description)
        assert read["shailoo_status"] == original.shailoo_status
        assert _moment(read["requested_datetime"]) == original.requested_datetime


field_text = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"], exclude_characters="\x85"),
    max_size=60,
)
multiline_text = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], include_characters="\n\t"), max_size=200
)


@st.composite
def form_fields(draw: st.DrawFn) -> dict[str, str]:
    lat = draw(st.decimals(39, 44, places=draw(st.integers(0, 6))))
    long = draw(st.decimals(69, 81, places=draw(st.integers(0, 6))))
    return {
        "service_code": draw(st.sampled_from(CATEGORIES)),
        "lat": str(lat),
        "long": str(long),
        "description": draw(multiline_text),
        "address_string": draw(field_text),
        "first_name": draw(field_text),
        "phone": draw(st.sampled_from(["", "+996555123456", "0 (312) 62-35-11"])),
        "station": str(draw(st.integers(1, o.MAX_STATION))),
    }


@given(form_fields(), st.sampled_from([o.FORM_TYPE, o.JSON_TYPE]))
def test_any_good_form_is_read_back_unchanged(fields: dict[str, str], kind: str) -> None:
    body = urlencode(fields) if kind == o.FORM_TYPE else json.dumps(fields, ensure_ascii=False)
    found = o.parse_new_request(body.encode("utf-8"), kind)
    assert found.service_code == fields["service_code"]
    assert (found.lat, found.long) == (float(fields["lat"]), float(fields["long"]))
    assert found.description == fields["description"].strip()
    assert found.address_string == fields["address_string"].strip()
    assert found.first_name == fields["first_name"].strip()
    assert found.station == int(fields["station"])


VALID_FORM = urlencode(GOOD_FORM).encode()
VALID_JSON = {key: value for key, value in GOOD_FORM.items() if not key.startswith("attribute")}
VALID_XML = (
    "<request>\n"
    + "".join(f"<{key}>{value}</{key}>\n" for key, value in VALID_JSON.items())
    + "<attribute><witnesses>2</witnesses></attribute>\n</request>\n"
).encode()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.tuples(sx.mutated_bytes(VALID_FORM), st.just(o.FORM_TYPE)),
        st.tuples(sx.mutated_json(VALID_JSON), st.just(o.JSON_TYPE)),
        st.tuples(sx.mutated_bytes(VALID_XML), st.just(o.XML_TYPE)),
    )
)
def test_a_damaged_body_is_read_or_refused_with_located_problems(
    damaged: tuple[bytes, str],
) -> None:
    body, kind = damaged
    try:
        found = o.parse_new_request(body, kind)
    except o.Open311Error as error:
        assert error.problems and all(problem.why for problem in error.problems)
        assert len(o.errors_of(error)) == len(error.problems)
        assert {e.code for e in o.errors_of(error)} <= {400, 404, 415}
    else:
        assert found.service_code in CATEGORIES
        assert found.station is not None or found.address_string or found.lat is not None


def test_times_keep_their_offset_not_just_their_instant() -> None:
    moment = datetime(2027, 3, 14, 10, 5, tzinfo=timezone(timedelta(hours=6)))
    stamp = o.iso(moment)
    assert stamp == "2027-03-14T10:05:00+06:00"
    assert o.iso(moment.astimezone(UTC)) == "2027-03-14T04:05:00+00:00"
