"""The incidents pages: the public complaint form with its spam and flood defences, the look-up
by reference number, the public register with its filters and charts; the staff workspace
with its compartments (a case outside them is 404 for reading and acting alike), the access
log, each action and its located refusals, hotline intake and the routing table."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from rest_framework.throttling import SimpleRateThrottle

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.incidents import clock, forms, services, views_staff
from shailoo.incidents.models import Case, CaseDecision, Notification, RoutingRule

BISHKEK = ZoneInfo("Asia/Bishkek")
POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2027, 3, day, hour, tzinfo=BISHKEK)


def ru(message: str) -> str:
    with translation.override("ru"):
        return translation.gettext(message)


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world() -> Iterator[dict[str, Any]]:
    """A campaign day; two polling stations in two regions, each with its TEC."""
    f.election("kg-2025", polling_day=POLLING_DAY)
    near = f.station(1001)
    far = f.station(2002)
    with clock.frozen_at(at(1, 10)):
        yield {"near": near, "far": far}


def report_data(**changes: Any) -> dict[str, Any]:
    data = {
        "category": "vote_buying",
        "description": "Cash offered at the entrance of the school",
        "station": "1001",
        "place": "",
        "name": "Асанов Бакыт",
        "phone": "+996 555 123 456",
        "email": "bakyt@example.kg",
        forms.HONEYPOT: "",
        "started": forms.started_token(time.time() - 30),
    }
    data.update(changes)
    return data


def member(name: str, agency: str, territory: Any = None) -> Any:
    return make_user(name, Role.RESPONSE_GROUP, territory, agency=agency)


def signed_in(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def case_for(category: str = "vote_buying", station: int | None = 1001, **kw: Any) -> Case:
    return services.open_case(
        "public",
        services.Report(
            category=category,
            description=kw.pop("description", "Leaflets inside the school"),
            source=kw.pop("source", "public_web"),
            station=station,
            complainant_name=kw.pop("complainant_name", "Токтогулова Айгүл"),
            complainant_phone=kw.pop("complainant_phone", "+996700111222"),
            **kw,
        ),
    )


# -- the public form ---------------------------------------------------------------------------


def test_the_form_names_categories_in_the_page_language_and_hides_the_honeypot(world) -> None:
    page = Client().get("/report/", HTTP_ACCEPT_LANGUAGE="ky").content.decode()
    with translation.override("ky"):
        vote_buying = str(forms.CATEGORY_LABELS["vote_buying"])
        privacy = translation.gettext(
            "Your name, phone and e-mail are seen only by the officers who handle your report. "
            "They are never published, and you may leave them empty."
        )
    assert vote_buying != "Vote buying" and vote_buying in page
    assert privacy in page and '<option value="vote_buying">' in page
    assert re.search(r'<div hidden aria-hidden="true">.*name="leave_empty"', page)
    token = re.search(r'name="started" value="([^"]+)"', page)
    assert token is not None and forms.spam_reason({"started": token.group(1)}) == "too_fast"


def test_a_complaint_becomes_a_case_and_its_reference_is_shown(world) -> None:
    client = Client()
    response = client.post("/report/", report_data())
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/report/{case.reference}/"
    assert (case.source, case.agency, case.station.number) == ("public_web", "police", 1001)
    assert (case.complainant_name, case.complainant_phone) == ("Асанов Бакыт", "+996 555 123 456")
    assert case.reporter == "public"
    page = client.get(response["Location"]).content.decode()
    registered = ru(
        "Your report is registered under the number %(ref)s. Keep this number: with it you "
        "can follow the case on this page and in the public register."
    )
    assert registered.startswith("Ваше") and registered % {"ref": case.reference} in page
    assert str(forms.CATEGORY_LABELS["vote_buying"]) in page
    assert "№1001" in page
    assert "Асанов" not in page and "bakyt@" not in page and "Cash offered" not in page


def test_missing_fields_are_located_and_nothing_is_kept(world) -> None:
    response = Client().post(
        "/report/", report_data(category="", description=" ", station="", place="")
    )
    assert response.status_code == 400 and not Case.objects.exists()
    form = response.context["form"]
    assert {"category", "description", "place"} <= set(form.errors)
    page = response.content.decode()
    assert "Асанов Бакыт" in page  # what was typed is handed back
    bad = Client().post("/report/", report_data(phone="call me", email="nope"))
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"phone", "email"}


def test_an_unknown_station_is_refused_beside_its_field(world) -> None:
    response = Client().post("/report/", report_data(station="777777"))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "777777" in str(response.context["form"].errors["station"])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({forms.HONEYPOT: "http://spam.example"}, "honeypot"),
        ({"started": "forged"}, "token"),
        ({"started": ""}, "token"),
        ({"started": "PLACEHOLDER_NOW"}, "too_fast"),
        ({"started": "PLACEHOLDER_OLD"}, "expired"),
    ],
)
def test_scripted_submissions_are_handed_back_and_not_kept(world, changes, reason) -> None:
    if changes.get("started") == "PLACEHOLDER_NOW":
        changes = {"started": forms.started_token()}
    elif changes.get("started") == "PLACEHOLDER_OLD":
        changes = {"started": forms.started_token(time.time() - forms.MAX_FORM_AGE_SECONDS - 60)}
    data = report_data(**changes)
    assert forms.spam_reason(data) == reason
    response = Client().post("/report/", data)
    assert response.status_code == 400 and not Case.objects.exists()
    form = response.context["form"]
    assert form.data[forms.HONEYPOT] == "" and form.data["description"] == data["description"]
    assert forms.spam_reason({"started": form.data["started"]}) == "too_fast"  # a fresh start
    assert response.context["notice"]


def test_the_fill_time_boundary(world) -> None:
    start = time.time()
    token = forms.started_token(start)
    assert forms.spam_reason({"started": token}, now=start + forms.MIN_FILL_SECONDS - 0.01)
    assert forms.spam_reason({"started": token}, now=start + forms.MIN_FILL_SECONDS) is None


def test_a_flood_from_one_address_gets_429_and_loses_nothing_accepted(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "incidents", "3/min")
    client = Client(REMOTE_ADDR="10.0.0.7")
    accepted = [client.post("/report/", report_data()) for _ in range(3)]
    assert [r.status_code for r in accepted] == [302, 302, 302]
    flood = client.post("/report/", report_data(description="Fourth report in a minute"))
    assert flood.status_code == 429 and int(flood["Retry-After"]) >= 1
    page = flood.content.decode()
    throttled = ru(
        "Too many reports from this address. Please wait a while and send again; what you "
        "typed is kept below."
    )
    assert throttled.startswith("Слишком") and throttled in page
    assert "Fourth report in a minute" in page  # handed back to send later
    assert Case.objects.count() == 3
    for response in accepted:
        assert client.get(response["Location"]).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.8").post("/report/", report_data())
    assert other.status_code == 302 and Case.objects.count() == 4


def test_the_default_rate_applies_without_configuration(monkeypatch) -> None:
    from shailoo.incidents.views_public import DEFAULT_RATE, ReportThrottle

    monkeypatch.delenv("SHAILOO_INCIDENTS_RATE", raising=False)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {})
    assert ReportThrottle().get_rate() == DEFAULT_RATE
    monkeypatch.setenv("SHAILOO_INCIDENTS_RATE", "5/hour")
    assert (ReportThrottle().num_requests, ReportThrottle().duration) == (5, 3600)


# -- status and look-up ------------------------------------------------------------------------


def test_the_look_up_takes_a_reference_as_people_type_it(world) -> None:
    case = case_for()
    code = case.reference[3:].replace("-", "")
    typed = f"kg {code[:5].lower()} {code[5:]}"
    response = Client().get("/report/status/", {"reference": typed})
    assert response.status_code == 302 and response["Location"] == f"/report/{case.reference}/"
    assert Client().get(f"/report/{case.reference.lower()}/")["Location"] == (
        f"/report/{case.reference}/"
    )
    bad = Client().get("/report/status/", {"reference": "12"})
    assert bad.status_code == 400 and bad.context["form"].errors["reference"]
    missing = Client().get("/report/KG-AAAAA-BBBBB/")
    assert missing.status_code == 404 and "KG-AAAAA-BBBBB" in missing.content.decode()
    assert Client().get("/report/status/").status_code == 200


def test_the_status_page_shows_the_decision_and_nothing_personal(world) -> None:
    case = case_for(description="Cash at the door, PIN 21505199012345 witnessed")
    with clock.frozen_at(at(2)):
        services.decide(
            "cli", case, outcome="upheld", legal_basis="Constitutional Law No. 68, Art. 43",
            measures="Leaflets removed; warning issued", public_summary="Vote buying confirmed",
        )  # fmt: skip
    page = Client().get(f"/report/{case.reference}/").content.decode()
    for shown in ("Art. 43", "Leaflets removed", "Vote buying confirmed", ru("complaint upheld")):
        assert shown in page
    assert ru("decided") in page
    for hidden in ("Токтогулова", "700111222", "21505199012345", "Cash at the door"):
        assert hidden not in page


def test_alerts_are_internal_work_and_never_public(world) -> None:
    alert = services.raise_alert(
        "register", "dwelling", category="multiple_voting", summary="12 at one dwelling",
        station=1001, subject="register.person:1",
    )  # fmt: skip
    complaint = case_for()
    assert Client().get(f"/report/{alert.reference}/").status_code == 404
    register = Client().get("/cases/").content.decode()
    assert complaint.reference in register and alert.reference not in register


# -- the register ------------------------------------------------------------------------------


def test_the_register_filters_and_counts(world) -> None:
    near, far = world["near"], world["far"]
    bought = case_for("vote_buying", 1001)
    with clock.frozen_at(at(3, 9)):
        order = case_for("public_order", 2002)
        pressed = case_for("pressure_on_voters", 2002)
    services.decide("cli", pressed, outcome="dismissed", legal_basis="Art. 43")
    client = Client()

    def listed(**query: str) -> set[str]:
        response = client.get("/cases/", query)
        assert response.status_code == 200
        return {c.reference for c in response.context["cases"]}

    everyone = {bought.reference, order.reference, pressed.reference}
    assert listed() == everyone
    assert listed(category="vote_buying") == {bought.reference}
    assert listed(territory=far.region.code) == {order.reference, pressed.reference}
    assert listed(territory=near.region.code) == {bought.reference}
    assert listed(day="2027-03-03") == {order.reference, pressed.reference}
    assert listed(day="01.03.2027") == {bought.reference}
    assert listed(status="decided") == {pressed.reference}
    assert listed(status="open") == {bought.reference, order.reference}
    bad = client.get("/cases/", {"day": "someday", "category": "witchcraft"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"day", "category"}
    assert bad.context["cases"] == []


def test_the_register_charts_count_by_category_region_and_day(world) -> None:
    for _ in range(3):
        case_for("vote_buying", 1001)
    with clock.frozen_at(at(2, 23)):  # 23:00 in Bishkek is the 2nd, 17:00 UTC
        case_for("public_order", 2002)
    response = Client().get("/cases/")
    charts = {c.key: c for c in response.context["charts"]}
    counts = {k: [(b.label, b.count) for b in c.bars] for k, c in charts.items()}
    assert counts["by-category"] == [
        (ru("Vote buying"), 3),
        (ru("Breach of public order"), 1),
    ]
    assert counts["by-day"] == [("01.03.2027", 3), ("02.03.2027", 1)]
    assert sorted(n for _, n in counts["by-region"]) == [1, 3]
    widths = [b.width for b in charts["by-category"].bars]
    assert widths[0] == 560 and 2 <= widths[1] < widths[0]
    page = response.content.decode()
    assert page.count("<svg") == 3 and 'width="560"' in page and "style=" not in page
    filtered = Client().get("/cases/", {"category": "public_order"}).context["charts"]
    assert [b.count for b in filtered[0].bars] == [1]


def test_the_register_pages_fifty_at_a_time(world) -> None:
    for _ in range(52):
        case_for("other", None, place="Бишкек, Ала-Тоо аянты")
    first = Client().get("/cases/")
    second = Client().get("/cases/", {"page": "2", "category": "other"})
    assert len(first.context["cases"]) == 50 and len(second.context["cases"]) == 2
    assert "page=2" in first.content.decode()


# -- staff: access and compartments ------------------------------------------------------------


def test_staff_pages_need_a_login_and_the_permission(world) -> None:
    anonymous = Client().get("/staff/incidents/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    operator = signed_in(make_user("tec-op", Role.TEC_OPERATOR, world["near"].tec))
    assert operator.get("/staff/incidents/").status_code == 403
    case = case_for()
    assert (
        operator.post(f"/staff/incidents/{case.reference}/note/", {"text": "x"}).status_code == 403
    )
    police = signed_in(member("police", "police"))
    assert police.get("/staff/incidents/routes/").status_code == 403  # routing is the CEC's


def test_each_member_sees_their_compartment_and_nothing_else(world) -> None:
    near = world["near"]
    ours = case_for("vote_buying", 1001)  # police, near TEC
    commission = case_for("illegal_campaigning", 1001)  # commission, near TEC
    far_away = case_for("vote_buying", 2002)  # police, far TEC
    police = signed_in(member("police-near", "police", near.tec))
    listed = {r.case.reference for r in police.get("/staff/incidents/").context["rows"]}
    assert listed == {ours.reference}
    for other in (commission, far_away):
        assert police.get(f"/staff/incidents/{other.reference}/").status_code == 404
        for action, data in (("note", {"text": "x"}), ("decide", {"outcome": "upheld"})):
            url = f"/staff/incidents/{other.reference}/{action}/"
            assert police.post(url, data).status_code == 404
    assert not other.events.filter(kind="note").exists()
    services.reassign("cli", commission, "police", share=True)
    assert police.get(f"/staff/incidents/{commission.reference}/").status_code == 200


def test_a_case_view_shows_the_complainant_logs_the_view_and_reads_the_notices(world) -> None:
    user = member("police-cec", "police")
    case = case_for()
    assert Notification.objects.filter(user=user, case=case, read_at=None).exists()
    client = signed_in(user)
    assert case.reference in client.get("/staff/incidents/").content.decode()  # a notice
    page = client.get(f"/staff/incidents/{case.reference}/").content.decode()
    assert "Токтогулова Айгүл" in page and "+996700111222" in page
    assert "Leaflets inside the school" in page
    assert ru("Received by the group") in page and ru("Came through") in page  # the timeline
    log = PersonalDataAccess.objects.get()
    assert (log.username, log.subject_type, log.subject_id) == (
        "police-cec",
        "incidents.case",
        case.pk,
    )
    assert log.subject_label == case.reference and log.view == "incidents:case"
    assert not Notification.objects.filter(user=user, read_at=None).exists()


def test_the_list_sorts_by_deadline_marks_the_overdue_and_filters(world) -> None:
    with clock.frozen_at(at(1, 9)):
        early = case_for("vote_buying")
    with clock.frozen_at(at(2, 9)):
        later = case_for("public_order")
    done = case_for("vote_buying")
    services.decide("cli", done, outcome="dismissed", legal_basis="Art. 43")
    client = signed_in(member("police", "police"))
    with clock.frozen_at(at(6, 12)):  # the first is past its five days, the second not
        response = client.get("/staff/incidents/")
        rows = response.context["rows"]
        assert [r.case for r in rows] == [early, later]  # open ones, by deadline
        assert [r.due for r in rows] == ["overdue", "due_soon"]
        assert 'class="overdue"' in response.content.decode()
        overdue = client.get("/staff/incidents/", {"overdue": "on", "status": ""})
        assert [r.case for r in overdue.context["rows"]] == [early]
    everything = client.get("/staff/incidents/", {"status": ""}).context["rows"]
    assert {r.case for r in everything} == {early, later, done}
    decided = client.get("/staff/incidents/", {"status": "decided"}).context["rows"]
    assert [r.case for r in decided] == [done]
    order = client.get("/staff/incidents/", {"category": "public_order"}).context["rows"]
    assert [r.case for r in order] == [later]


# -- staff: actions ----------------------------------------------------------------------------


@pytest.fixture
def handled(world) -> tuple[Client, Case]:
    return signed_in(member("police-near", "police", world["near"].tec)), case_for()


def test_a_note_starts_the_work_and_an_empty_one_is_refused(handled) -> None:
    client, case = handled
    empty = client.post(f"/staff/incidents/{case.reference}/note/", {"text": "  "})
    assert empty.status_code == 400 and empty.context["note_form"].errors["text"]
    done = client.post(f"/staff/incidents/{case.reference}/note/", {"text": "Called the TEC"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"
    note = case.events.get(kind="note")
    assert (note.actor, note.data["text"]) == ("police-near", "Called the TEC")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def test_evidence_is_attached_and_downloaded_as_an_attachment(handled) -> None:
    client, case = handled
    upload = SimpleUploadedFile("фото.png", PNG, content_type="image/png")
    assert (
        client.post(f"/staff/incidents/{case.reference}/evidence/", {"file": upload}).status_code
        == 302
    )
    item = case.evidence.get()
    assert item.content_type == "image/png" and item.size == len(PNG)
    page = client.get(f"/staff/incidents/{case.reference}/").content.decode()
    assert item.sha256 in page
    download = client.get(f"/staff/incidents/{case.reference}/evidence/{item.pk}/")
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D1%84%D0%BE%D1%82%D0%BE.png" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    labels = list(PersonalDataAccess.objects.values_list("subject_label", flat=True))
    assert f"{case.reference} evidence #{item.pk}" in labels
    assert client.get(f"/staff/incidents/{case.reference}/evidence/999999/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
        ("note.txt", b"<script>alert(1)</script>", "text/plain"),
        ("photo.png", b"GIF89a not a png", "image/png"),
        ("tool.exe", b"MZ\x90\x00", "application/x-msdownload"),
        ("empty.pdf", b"", "application/pdf"),
    ],
)
def test_evidence_that_could_carry_active_content_is_refused(handled, name, content, kind) -> None:
    client, case = handled
    upload = SimpleUploadedFile(name, content, content_type=kind)
    response = client.post(f"/staff/incidents/{case.reference}/evidence/", {"file": upload})
    assert response.status_code == 400 and not case.evidence.exists()
    assert response.context["evidence_form"].errors["file"]


def test_oversized_evidence_is_refused(handled, monkeypatch: pytest.MonkeyPatch) -> None:
    client, case = handled
    url = f"/staff/incidents/{case.reference}/evidence/"
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 1024)
    over = SimpleUploadedFile("big.png", PNG + b"\x00" * 2000, content_type="image/png")
    refused = client.post(url, {"file": over})
    assert refused.status_code == 400 and not case.evidence.exists()
    monkeypatch.setattr(views_staff, "MAX_UPLOAD_BODY", 2048)
    body = SimpleUploadedFile("big.png", PNG + b"\x00" * 4000, content_type="image/png")
    too_large = client.post(url, {"file": body})
    assert too_large.status_code == 413 and not case.evidence.exists()


def test_sharing_keeps_the_case_and_handing_over_takes_it_away(handled) -> None:
    client, case = handled
    shared = client.post(
        f"/staff/incidents/{case.reference}/route/", {"agency": "prosecutor", "mode": "share"}
    )
    assert shared["Location"] == f"/staff/incidents/{case.reference}/"
    case.refresh_from_db()
    assert case.shared_agencies == ["prosecutor"] and case.agency == "police"
    bad = client.post(f"/staff/incidents/{case.reference}/route/", {"agency": "army"})
    assert bad.status_code == 400 and set(bad.context["route_form"].errors) == {"agency", "mode"}
    handed = client.post(
        f"/staff/incidents/{case.reference}/route/", {"agency": "commission", "mode": "reassign"}
    )
    assert handed["Location"] == "/staff/incidents/"  # out of the compartment now
    case.refresh_from_db()
    assert case.agency == "commission"
    assert client.get(f"/staff/incidents/{case.reference}/").status_code == 404


def test_a_decision_is_recorded_and_its_errors_located(handled) -> None:
    client, case = handled
    url = f"/staff/incidents/{case.reference}/decide/"
    missing = client.post(url, {"outcome": "referred", "legal_basis": ""})
    assert missing.status_code == 400
    assert set(missing.context["decision_form"].errors) == {"legal_basis", "referral"}
    assert not CaseDecision.objects.exists()
    decision = {
        "outcome": "referred",
        "legal_basis": "Criminal Code, Art. 196",
        "measures": "Materials sent to the prosecutor",
        "referral": "Prosecutor's office of Bishkek",
        "public_summary": "Vote buying reported; referred to the prosecutor.",
    }
    assert client.post(url, decision).status_code == 302
    case.refresh_from_db()
    assert case.status == "decided" and case.public_summary.startswith("Vote buying reported")
    page = client.get(f"/staff/incidents/{case.reference}/").content.decode()
    assert 'id="decision-form"' not in page and "Art. 196" in page
    again = client.post(url, {**decision, "outcome": "dismissed"})
    assert again.status_code == 409 and CaseDecision.objects.count() == 1
    assert again.context["refusal"].code == "case_closed"


# -- staff: intake and routing -----------------------------------------------------------------


def test_a_hotline_report_is_filed_and_routed(world) -> None:
    operator = member("hotline-1", "commission")  # country-wide commission member
    client = signed_in(operator)
    assert client.get("/staff/incidents/new/").status_code == 200
    data = {
        "category": "illegal_campaigning",
        "severity": "",
        "description": "Posters on the school fence",
        "station": "2002",
        "complainant_name": "Жээнбеков Нурлан",
        "complainant_phone": "0555 12 34 56",
    }
    response = client.post("/staff/incidents/new/", data)
    case = Case.objects.get()
    assert response["Location"] == f"/staff/incidents/{case.reference}/"
    assert (case.source, case.reporter, case.agency) == ("hotline", "hotline-1", "commission")
    assert case.severity == "medium" and case.tec == world["far"].tec
    vote_buying = client.post("/staff/incidents/new/", {**data, "category": "vote_buying"})
    assert vote_buying["Location"] == "/staff/incidents/"  # routed to the police, not to us
    bad = client.post("/staff/incidents/new/", {**data, "station": "404404", "category": "x"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"category"}
    unknown = client.post("/staff/incidents/new/", {**data, "station": "404404"})
    assert unknown.status_code == 400 and "404404" in str(unknown.context["form"].errors["station"])
    assert Case.objects.count() == 2


def test_the_door_follows_the_role(world) -> None:
    assert views_staff.intake_source(member("m", "police")) == "hotline"
    assert views_staff.intake_source(make_user("obs", Role.OBSERVER)) == "observer"
    assert views_staff.intake_source(make_user("agt", Role.AGENT)) == "agent"
    both = make_user("cec", Role.CEC_ADMIN)
    assert views_staff.intake_source(both) == "hotline"


def test_the_cec_changes_a_route_and_new_cases_follow_it(world) -> None:
    admin = signed_in(make_user("cec-admin", Role.CEC_ADMIN))
    table = admin.get("/staff/incidents/routes/")
    rows = {r.category: r for r in table.context["rows"]}
    assert rows["vote_buying"].agency == ru("Internal affairs (police)")
    changed = admin.post(
        "/staff/incidents/routes/", {"category": "vote_buying", "agency": "prosecutor"}
    )
    assert changed.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.agency, rule.changed_by) == (
        "vote_buying",
        "prosecutor",
        "cec-admin",
    )
    Client().post("/report/", report_data())
    assert Case.objects.get().agency == "prosecutor"
    bad = admin.post("/staff/incidents/routes/", {"category": "vote_buying", "agency": "army"})
    assert bad.status_code == 400 and bad.context["form"].errors["agency"]
