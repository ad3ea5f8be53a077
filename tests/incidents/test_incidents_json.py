"""The public register of cases as JSON (``/cases/index.json``): the page's cases, filters,
pages and statistics as data (``docs/public-cases.schema.json``), redacted as the page is,
its validators (304 until a case changes, or an open case passes its deadline), and bad
filters or pages refused as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils.http import parse_http_date
from test_incident_pages import at, case_for, fresh_throttle, ru, world  # noqa: F401

from public_schemas import schema_errors
from shailoo.incidents import clock, services

pytestmark = pytest.mark.django_db

URL = "/cases/index.json"


@pytest.fixture
def cases(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Three complaints in two regions; one decided and appealed, with personal data typed
    into its texts; and an alert the platform raised (never public)."""
    bought = case_for(
        "vote_buying",
        1001,
        description="Cash at the door, PIN 21505199012345 witnessed",
        complainant_email="aigul@example.kg",
    )
    with clock.frozen_at(at(2, 9)):
        order = case_for("public_order", 2002)
    with clock.frozen_at(at(3, 9)):
        services.decide(
            "cli", bought, outcome="upheld", legal_basis="Constitutional Law No. 68, Art. 43",
            measures="Leaflets removed; call Токтогулова on +996 700 111 222",
            public_summary="Vote buying confirmed, aigul@example.kg",
        )  # fmt: skip
        services.file_appeal("cli", bought, "Асанов Бакыт", "The measures were too weak")
    alert = services.raise_alert(
        "register", "dwelling", category="multiple_voting", summary="12 at one dwelling",
        station=1001, subject="register.person:1",
    )  # fmt: skip
    return {**world, "bought": bought, "order": order, "alert": alert}


def test_the_twin_is_the_register_as_data(client: Client, cases: dict[str, Any]) -> None:
    with clock.frozen_at(at(4)):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
        page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert schema_errors("public-cases", document) == []
    # The same cases, in the same order, as the page lists.
    listed = [c.reference for c in page.context["cases"]]
    assert [c["reference"] for c in document["cases"]] == listed
    assert document["count"] == page.context["count"] == 2
    assert (document["page"], document["pages"], document["next"]) == (1, 1, None)
    bought = next(c for c in document["cases"] if c["reference"] == cases["bought"].reference)
    assert (bought["category"], bought["status"], bought["station"]) == (
        "vote_buying",
        "decided",
        1001,
    )
    assert bought["category_name"] == ru("Vote buying")
    assert bought["category_names"]["en"] == "Vote buying"
    assert bought["region"]["code"] == cases["near"].region.code
    assert bought["under_appeal"] is True and bought["overdue"] is False
    ((decision,),) = [bought["decisions"]]
    assert decision["outcome"] == "upheld" and decision["outcome_name"] == ru("complaint upheld")
    assert "Art. 43" in decision["legal_basis"]
    ((appeal,),) = [bought["appeals"]]
    assert appeal["outcome"] == "pending" and appeal["decided_at"] is None
    assert bought["url"] == f"/report/{cases['bought'].reference}/"
    # The statistics, as the charts count them.
    charts = {c.key: [(b.label, b.count) for b in c.bars] for c in page.context["charts"]}
    statistics = document["statistics"]
    assert [(s["name"], s["count"]) for s in statistics["by_category"]] == charts["by-category"]
    assert [(s["name"], s["count"]) for s in statistics["by_region"]] == charts["by-region"]
    assert [s["day"] for s in statistics["by_day"]] == ["2027-03-01", "2027-03-02"]


def test_nothing_personal_leaves_through_the_twin(client: Client, cases: dict[str, Any]) -> None:
    body = client.get(URL).content.decode()
    for hidden in (
        "Токтогулова", "700111222", "700 111 222", "21505199012345", "Cash at the door",
        "aigul@example.kg", "Асанов", "too weak", "12 at one dwelling",
    ):  # fmt: skip
        assert hidden not in body, hidden
    assert cases["alert"].reference not in body
    for case in json.loads(body)["cases"]:
        assert not {"description", "complainant_name", "evidence", "filed_by"} & set(case)
        for appeal in case["appeals"]:
            assert set(appeal) == {"outcome", "outcome_name", "outcome_names", "filed_at",
                                   "decided_at"}  # fmt: skip


def test_the_filters_of_the_page_apply(client: Client, cases: dict[str, Any]) -> None:
    far = cases["far"].region.code

    def references(**query: str) -> set[str]:
        document = client.get(URL, query).json()
        assert document["filters"] == {
            key: query.get(key) for key in ("category", "territory", "status", "day")
        }
        return {c["reference"] for c in document["cases"]}

    order, bought = cases["order"].reference, cases["bought"].reference
    assert references(territory=far) == {order}
    assert references(status="decided") == {bought}
    assert references(status="open") == {order}
    assert references(day="2027-03-02") == {order}
    narrowed = client.get(URL, {"category": "public_order"}).json()["statistics"]
    assert [s["category"] for s in narrowed["by_category"]] == ["public_order"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"day": "someday", "category": "witchcraft"}, 400, "invalid_filter"),
        ({"territory": "KG-NOWHERE"}, 400, "invalid_filter"),
        ({"page": "2"}, 404, "page_not_found"),
        ({"page": "zero"}, 404, "page_not_found"),
    ],
)
def test_bad_filters_and_pages_are_refused_in_json(
    client: Client, cases: dict[str, Any], query: dict[str, str], status: int, code: str
) -> None:
    response = client.get(URL, query)
    assert response.status_code == status and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    if status == 400:
        assert {p["field"] for p in body["problems"]} <= {"day", "category", "territory"}
        assert body["problems"]


def test_the_register_pages_fifty_at_a_time(client: Client, world: dict[str, Any]) -> None:  # noqa: F811
    for _ in range(52):
        case_for("other", None, place="Бишкек, Ала-Тоо аянты")
    first = client.get(URL).json()
    assert (first["count"], first["pages"], len(first["cases"])) == (52, 2, 50)
    second = client.get(first["next"]).json()
    assert len(second["cases"]) == 2 and second["previous"] == f"{URL}?page=1"
    assert second["cases"][0]["station"] is None and second["cases"][0]["region"] is None
    unnamed = second["statistics"]["by_region"][0]
    assert unnamed["region"] is None and unnamed["names"]["en"] == "no polling station given"


def test_304_until_a_case_is_decided(client: Client, cases: dict[str, Any]) -> None:
    with clock.frozen_at(at(4)):
        first = client.get(URL)
        assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    with clock.frozen_at(at(5)):
        services.decide("cli", cases["order"], outcome="dismissed", legal_basis="Art. 43")
        after = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
        assert after.status_code == 200 and after["ETag"] != first["ETag"]
        assert parse_http_date(after["Last-Modified"]) == at(5).timestamp()
        by_time = client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_time.status_code == 200


def test_a_case_past_its_deadline_is_a_change(client: Client, world: dict[str, Any]) -> None:  # noqa: F811
    """Nothing is written when an open case passes its deadline, yet the register marks it
    overdue from then: the time of change is the deadline, and 304 stops there."""
    case = case_for("vote_buying", 1001)
    with clock.frozen_at(case.due_at - (case.due_at - case.received_at) / 2):
        before = client.get(URL)
    assert before.json()["cases"][0]["overdue"] is False
    with clock.frozen_at(case.due_at + (case.due_at - case.received_at)):
        after = client.get(URL, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and after.json()["cases"][0]["overdue"] is True
    assert parse_http_date(after["Last-Modified"]) == int(case.due_at.timestamp())


def test_the_page_links_its_twin_with_its_filters(client: Client, cases: dict[str, Any]) -> None:
    page = client.get("/cases/", {"category": "vote_buying"}).content.decode()
    twin = f"{URL}?category=vote_buying"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in page
    assert f'href="{twin}" type="application/json">JSON</a>' in page
