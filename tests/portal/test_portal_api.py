"""HTTP API: self-check, stations, eligibility; bad input for each; the OpenAPI schema."""

from __future__ import annotations

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register.models import Person
from shailoo.register.pin import mask_pin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_api(api: APIClient) -> APIClient:
    """A CEC administrator's session: password and TOTP passed."""
    login_verified(api, make_user("clerk", Role.CEC_ADMIN))
    return api


@pytest.fixture
def voter():
    f.election()
    chui = f.region("KG-C")
    home = f.station(101, region=chui, district_=f.district(chui))
    remote = f.station(909, region=f.region("KG-O"), is_remote_voting=True)
    return f.person(home, remote_station=remote)


# -- self-check ----------------------------------------------------------------------------


def test_selfcheck_returns_voting_and_home_station(api: APIClient, voter: Person) -> None:
    response = api.post(
        "/api/selfcheck/", {"pin": voter.pin, "birth_date": "1990-05-17"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["on_list"] is True and body["reasons"] == []
    assert body["station"]["number"] == 909 and body["home_station"]["number"] == 101
    assert body["remote_voting"] is True
    assert "pin" not in body


def test_selfcheck_does_not_tell_wrong_date_from_unknown_pin(api: APIClient, voter) -> None:
    wrong = api.post("/api/selfcheck/", {"pin": voter.pin, "birth_date": "1990-05-18"})
    unknown = api.post("/api/selfcheck/", {"pin": "21705199099999", "birth_date": "1990-05-17"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"pin": "123", "birth_date": "1990-05-17"}, {"pin"}),
        ({"pin": "1170519900000x", "birth_date": "1990-05-17"}, {"pin"}),
        ({"pin": "31705199000001", "birth_date": "1990-05-17"}, {"pin"}),
        ({"pin": "11705199000001", "birth_date": "17.05.1990"}, {"birth_date"}),
        ({"pin": "11705199000001", "birth_date": "1990-02-30"}, {"birth_date"}),
        ({"pin": "11705199000001"}, {"birth_date"}),
        ({}, {"pin", "birth_date"}),
        ({"pin": 11705199000001, "birth_date": None}, {"birth_date"}),
    ],
)
def test_selfcheck_bad_input_is_400_with_field_errors(api: APIClient, payload, fields) -> None:
    response = api.post("/api/selfcheck/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {problem["field"] for problem in body["problems"]} == fields


def test_selfcheck_rejects_get_and_garbage_json(api: APIClient) -> None:
    assert api.get("/api/selfcheck/").status_code == 405
    garbage = api.post("/api/selfcheck/", "{not json", content_type="application/json")
    assert garbage.status_code == 400


def test_selfcheck_is_throttled(api: APIClient, voter, monkeypatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "2/min"})
    payload = {"pin": voter.pin, "birth_date": "1990-05-17"}
    codes = [api.post("/api/selfcheck/", payload).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# -- stations ------------------------------------------------------------------------------


def test_stations_are_public_paginated_and_filterable(api: APIClient, voter) -> None:
    body = api.get("/api/stations/").json()
    assert body["count"] == 2 and [s["number"] for s in body["results"]] == [101, 909]
    assert body["results"][0]["region"] == "KG-C"
    chui = api.get("/api/stations/", {"region": "KG-C"}).json()
    assert [s["number"] for s in chui["results"]] == [101]
    remote = api.get("/api/stations/", {"remote": "true"}).json()
    assert [s["number"] for s in remote["results"]] == [909]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"region": "KG-NOPE"}, 400, "region"),
        ({"remote": "maybe"}, 400, "remote"),
        ({"page": "99"}, 404, None),
        ({"page": "x"}, 404, None),
    ],
)
def test_stations_bad_filters(api: APIClient, voter, params, status: int, field) -> None:
    response = api.get("/api/stations/", params)
    assert response.status_code == status
    body = response.json()
    assert {"code", "detail", "problems"} <= set(body)
    if field:
        assert [problem["field"] for problem in body["problems"]] == [field]


def test_stations_list_queries_stay_flat(api, django_assert_max_num_queries) -> None:
    region = f.region()
    for number in range(300, 360):
        f.station(number, region=region, district_=f.district(region))
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/stations/").json()["results"]) == 50


def test_station_detail_and_unknown_station(api: APIClient, voter) -> None:
    assert api.get("/api/stations/101/").json()["number"] == 101
    assert api.get("/api/stations/4040/").status_code == 404
    assert api.get("/api/stations/abc/").status_code == 404


# -- eligibility (staff) -------------------------------------------------------------------

ELIGIBILITY = "/api/persons/eligibility/"


def eligibility(client: APIClient, pin: str, **body: str):
    """The eligibility API as staff call it: a POST, the PIN in the JSON body."""
    return client.post(ELIGIBILITY, {"pin": pin, **body}, format="json")


def test_eligibility_is_staff_only(api: APIClient, voter) -> None:
    assert eligibility(api, voter.pin).status_code == 403
    login_verified(api, make_user("citizen", Role.OBSERVER))
    assert eligibility(api, voter.pin).status_code == 403
    api.logout()
    # a staff role, but the request never passed the second factor
    api.force_authenticate(make_user("admin", Role.CEC_ADMIN))
    assert eligibility(api, voter.pin).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_eligibility_is_limited_to_the_territory_and_logged(api: APIClient, voter) -> None:
    login_verified(api, make_user("other-tec", Role.TEC_OPERATOR, f.tec()))
    outside = eligibility(api, voter.pin)
    assert outside.status_code == 404  # reads like an unknown PIN: no probing
    assert voter.pin not in outside.content.decode()
    login_verified(api, make_user("own-tec", Role.TEC_OPERATOR, voter.station.tec))
    assert eligibility(api, voter.pin).status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.username, entry.subject_id, entry.view) == (
        "own-tec",
        voter.pk,
        "api-person-eligibility",
    )


def test_eligibility_explains_each_rule_in_the_asked_language(staff_api, voter) -> None:
    Person.objects.filter(pk=voter.pk).update(biometric_registered=False)
    body = eligibility(staff_api, voter.pin, lang="ky").json()
    assert body["pin"] == mask_pin(voter.pin)
    assert body["eligible"] is False and body["failing"] == ["BIOMETRICS"]
    codes = [c["code"] for c in body["checks"]]
    assert codes == ["AGE", "CITIZENSHIP", "CAPACITY", "CONFINEMENT", "BIOMETRICS", "ALIVE"]
    bio = body["checks"][4]
    assert bio["passed"] is False and bio["citation"].startswith("14-берененин 2-бөлүгү")
    assert any("Биометрикалык каттоо" in line for line in body["explanation"])
    english = eligibility(staff_api, voter.pin, lang="en").json()
    assert english["checks"][4]["citation"].startswith("Art. 14(2)")


@pytest.mark.parametrize(
    ("pin", "params", "status", "field"),
    [
        ("123", {}, 400, "pin"),
        ("31705199000001", {}, 400, "pin"),
        ("21705199099999", {"lang": "fr"}, 400, "lang"),
        ("21705199099999", {}, 404, "detail"),
    ],
)
def test_eligibility_bad_input(staff_api, voter, pin, params, status, field) -> None:
    response = eligibility(staff_api, pin, **params)
    assert response.status_code == status
    body = response.json()
    assert {"code", "detail", "problems"} <= set(body)
    if field != "detail":
        assert [problem["field"] for problem in body["problems"]] == [field]
    assert "21705199099999" not in response.content.decode()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{}", "application/json", 400),  # no PIN
        ('{"pin": ["21705199099999"]}', "application/json", 400),
        ("[]", "application/json", 400),
        ("{not json", "application/json", 400),
        ("pin=21705199099999", "application/x-www-form-urlencoded", 415),
    ],
)
def test_eligibility_refuses_a_bad_body(staff_api, voter, body, content_type, status) -> None:
    response = staff_api.post(ELIGIBILITY, body, content_type=content_type)
    assert response.status_code == status
    assert "21705199099999" not in response.content.decode()


def test_eligibility_never_takes_the_pin_in_the_url(staff_api, voter) -> None:
    """The PIN used to be a path segment, written to every access and error log."""
    from django.urls import reverse

    assert reverse("api-person-eligibility") == ELIGIBILITY
    assert staff_api.get(f"/api/persons/{voter.pin}/eligibility/").status_code == 404
    assert staff_api.get(ELIGIBILITY, {"pin": voter.pin}).status_code == 405
    assert not PersonalDataAccess.objects.exists()


def test_eligibility_without_current_election_is_409(staff_api, voter) -> None:
    from shailoo.elections.models import Election

    Election.objects.update(is_current=False)
    response = eligibility(staff_api, voter.pin)
    assert response.status_code == 409 and response.json()["code"] == "no_current_election"


# -- OpenAPI -------------------------------------------------------------------------------


def test_schema_documents_every_endpoint(staff_api) -> None:
    response = staff_api.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert {
        "/api/selfcheck/",
        "/api/stations/",
        "/api/stations/{number}/",
        "/api/persons/eligibility/",
    } <= set(paths)
    assert not [path for path in paths if "{pin}" in path], "a PIN in a URL is logged"
    selfcheck = paths["/api/selfcheck/"]["post"]
    assert {"200", "400", "404", "429"} <= set(selfcheck["responses"])
    params = {p["name"] for p in paths["/api/stations/"]["get"]["parameters"]}
    assert {"region", "page"} <= params
    asked = paths["/api/persons/eligibility/"]
    assert set(asked) == {"post"}
    assert not asked["post"].get("parameters")
    body = asked["post"]["requestBody"]
    assert body["required"] is True and set(body["content"]) == {"application/json"}
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    request_schema = schema["components"]["schemas"][ref]
    assert set(request_schema["properties"]) == {"pin", "lang"}
    assert request_schema["required"] == ["pin"]
    assert {"200", "400", "403", "404", "409", "415"} <= set(asked["post"]["responses"])
