"""Cases from intake to decision: routing, compartments, legal deadlines under a controlled
clock, reminders and escalation, evidence limits, the internal alert API — and counting's
alerts arriving through it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

import factories as f
from shailoo.accounts.models import RoleAssignment
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.common.refusals import Conflict, InvalidInput, NotFound, PermissionRefused
from shailoo.incidents import clock, services
from shailoo.incidents.models import Case, CaseEvent, Notification
from shailoo.integrity.models import LedgerEntry

BISHKEK = ZoneInfo("Asia/Bishkek")
POLLING_DAY = datetime.date(2027, 3, 14)
pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2027, month, day, hour, tzinfo=BISHKEK)


@pytest.fixture
def station():
    f.election("kg-2025", polling_day=POLLING_DAY)
    return f.station(1001)


def member(name: str, agency: str, scope: str = "country", **where: object):
    user = make_user(name)
    RoleAssignment.objects.create(
        user=user, role=Role.RESPONSE_GROUP.value, scope=scope, agency=agency,
        granted_by="test", **where,
    )  # fmt: skip
    return user


def report(category: str = "vote_buying", station: int | None = 1001, **kw: object):
    return services.Report(
        category=category,
        description=kw.pop("description", "Cash offered at the entrance"),  # type: ignore[arg-type]
        source=kw.pop("source", "public_web"),  # type: ignore[arg-type]
        station=station,
        **kw,  # type: ignore[arg-type]
    )


def test_a_campaign_complaint_is_routed_and_due_in_five_days(station) -> None:
    with clock.frozen_at(at(1, 10)):
        case = services.open_case("public", report(complainant_phone="+996555123456"))
    assert case.agency == "police" and case.tec_id == station.tec_id
    assert case.due_at == at(6, 10) and case.due_rule == "campaign_days"
    assert case.reference.startswith("KG-") and len(case.reference) == 14
    assert [e.kind for e in case.events.all()] == ["received", "routed"]
    entry = LedgerEntry.objects.get(kind=services.OPENED)
    assert b"+996555123456" not in bytes(entry.data)  # no personal data on the ledger
    assert b"Cash offered" not in bytes(entry.data)  # only the description's digest


def test_the_eve_of_polling_day_caps_the_deadline_and_polling_day_is_hours(station) -> None:
    with clock.frozen_at(at(12, 9)):
        eve = services.open_case("public", report())
    assert eve.due_rule == "before_polling_day"
    assert eve.due_at.astimezone(BISHKEK).date() == datetime.date(2027, 3, 13)
    with clock.frozen_at(at(14, 9)):
        day = services.open_case("public", report())
    assert (day.due_at, day.due_rule) == (at(14, 11), "polling_day_hours")


def test_reminder_then_escalation_under_a_controlled_clock(station) -> None:
    handler = member("police-cec", "police")
    with clock.frozen_at(at(14, 9)):
        case = services.open_case("public", report())
    with clock.frozen_at(at(14, 10)):
        assert services.sweep() == services.Sweep(0, 0)
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 10, 40, tzinfo=BISHKEK)):
        assert services.sweep() == services.Sweep(reminded=1, escalated=0)
        assert services.sweep() == services.Sweep(0, 0)  # once
    with clock.frozen_at(at(14, 12)):
        assert list(services.overdue()) == [case]
        assert services.sweep() == services.Sweep(reminded=0, escalated=1)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["reminded", "escalated"]
    assert Notification.objects.filter(user=handler, kind="escalated").exists()
    assert LedgerEntry.objects.filter(kind=services.ESCALATED).count() == 1


def test_each_agency_sees_only_its_cases_in_its_territory(station) -> None:
    other = f.station(2001)
    police = member("police", "police", scope="tec", tec=station.tec)
    prosecutor = member("prosecutor", "prosecutor")
    elsewhere = member("police-far", "police", scope="tec", tec=other.tec)
    with clock.frozen_at(at(1)):
        bought = services.open_case("public", report("vote_buying"))
        pressed = services.open_case("public", report("pressure_on_voters"))
    assert list(services.visible_cases(police)) == [bought]
    assert list(services.visible_cases(prosecutor)) == [pressed]
    assert list(services.visible_cases(elsewhere)) == []
    with pytest.raises(NotFound):
        services.case_for(elsewhere, bought.reference)
    with pytest.raises(PermissionRefused):
        services.add_note(prosecutor, bought, "not ours")
    with clock.frozen_at(at(2)):
        services.reassign(police, bought, "prosecutor", share=True)
    assert bought in services.visible_cases(prosecutor)  # shared: both see it
    assert bought in services.visible_cases(police)


def test_a_decision_closes_the_case_with_its_basis_on_the_ledger(station) -> None:
    handler = member("police", "police")
    with clock.frozen_at(at(1)):
        case = services.open_case("public", report())
    with pytest.raises(InvalidInput) as bad:
        services.decide(handler, case, outcome="referred", legal_basis="")
    assert {p.where for p in bad.value.problems} == {"legal_basis", "referral"}
    with clock.frozen_at(at(2)):
        services.add_note(handler, case, "Witnesses heard")
        decision = services.decide(
            handler, case, outcome="referred", legal_basis="Criminal Code, Art. 196",
            referral="prosecutor's office", measures="Report filed",
            public_summary="Vote buying reported; referred to the prosecutor.",
        )  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and decision.ledger_index is not None
    with pytest.raises(Conflict):
        services.decide(handler, case, outcome="dismissed", legal_basis="x")
    entry = LedgerEntry.objects.get(kind=services.DECIDED)
    assert b'"on_time":true' in bytes(entry.data)


def test_evidence_is_bounded_typed_and_hashed(station) -> None:
    with clock.frozen_at(at(1)):
        case = services.open_case("public", report())
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    item = services.add_evidence("cli", case, "photo.png", png, "image/png")
    assert len(item.sha256) == 64 and item.ledger_index is not None
    for content, kind in (
        (b"<svg onload=alert(1)>", "image/svg+xml"),
        (b"<html><script>x</script>", "text/html"),
        (b"not a png", "image/png"),
        (b"<script>alert(1)</script>", "text/plain"),
        (b"x" * (services.MAX_EVIDENCE_BYTES + 1), "text/plain"),
        (b"", "application/pdf"),
    ):
        with pytest.raises(InvalidInput):
            services.add_evidence("cli", case, "f", content, kind)
    assert case.evidence.count() == 1  # nothing else kept


def test_bad_reports_are_located_and_nothing_is_kept(station) -> None:
    with pytest.raises(InvalidInput) as bad:
        services.open_case("public", report("witchcraft", description=" "))
    assert {p.where for p in bad.value.problems} == {"category", "description"}
    with pytest.raises(NotFound):
        services.open_case("public", report(station=999_999))
    assert not Case.objects.exists()


def test_one_alert_raised_twice_is_one_case(station) -> None:
    with clock.frozen_at(at(14, 21)):
        first = services.raise_alert(
            "register", "dwelling", category="multiple_voting", summary="12 at one dwelling",
            station=1001, subject="register.person:1", evidence={"dwelling": "DW-1"},
        )  # fmt: skip
        again = services.raise_alert(
            "register", "dwelling", category="multiple_voting", summary="13 at one dwelling",
            station=1001, subject="register.person:1",
        )  # fmt: skip
    assert first.pk == again.pk and first.kind == "alert" and first.due_rule == "alert_triage"
    assert CaseEvent.objects.filter(case=first, kind="alert_again").count() == 1


def test_an_appeal_against_a_result_before_polling_day_is_refused(station) -> None:
    with clock.frozen_at(at(1)), pytest.raises(InvalidInput) as refused:
        services.open_case("cli", report(kind="result_appeal"))
    assert refused.value.code == "no_deadline"
    assert not Case.objects.exists()


def test_an_appeal_upheld_reopens_the_case_with_a_new_deadline(station) -> None:
    handler = member("police", "police")
    with clock.frozen_at(at(1)):
        case = services.open_case("public", report())
        with pytest.raises(Conflict):
            services.file_appeal("cli", case, "the complainant", "not decided yet")
        services.decide(handler, case, outcome="dismissed", legal_basis="Art. 43")
    with clock.frozen_at(at(3)):
        with pytest.raises(InvalidInput):
            services.file_appeal(handler, case, "", "")
        appeal = services.file_appeal(handler, case, "the complainant", "Witnesses were not heard")
        services.decide_appeal(handler, appeal, "upheld", "The witnesses must be heard")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.due_at == at(8)
    with pytest.raises(Conflict):
        services.decide_appeal(handler, appeal, "dismissed", "again")
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {services.APPEALED, services.APPEAL_DECIDED} <= kinds
    assert [e.kind for e in case.events.all()][-2:] == ["appealed", "appeal_decided"]


def test_a_new_case_tells_its_agency_in_its_territory_and_nobody_revoked(station) -> None:
    from django.utils import timezone

    tec_police = member("police-tec", "police", scope="tec", tec=station.tec)
    cec_police = member("police-cec", "police")
    other_tec = f.station(2002).tec
    member("police-elsewhere", "police", scope="tec", tec=other_tec)
    member("prosecutor-cec", "prosecutor")
    gone = member("police-revoked", "police")
    RoleAssignment.objects.filter(user=gone).update(revoked_at=timezone.now())
    idle = member("police-inactive", "police")
    idle.is_active = False
    idle.save()
    case = services.open_case("public", report())
    told = set(Notification.objects.filter(case=case).values_list("user__username", flat=True))
    assert told == {tec_police.username, cec_police.username}
