"""``shailoo incidents``: report, overdue, sweep, route, summary, appeal, decide-appeal."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.cli import app
from shailoo.incidents import clock, services
from shailoo.incidents.models import Case

BISHKEK = ZoneInfo("Asia/Bishkek")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)
    f.election("kg-2025", polling_day=datetime.date(2027, 3, 14))
    f.station(1001)


def run(*args: str):
    return CliRunner().invoke(app, ["incidents", *args])


def test_report_routes_and_prints_the_deadline() -> None:
    result = run("report", "--category", "vote_buying", "--station", "1001", "--text", "Cash")
    assert result.exit_code == 0, result.output
    case = Case.objects.get()
    assert case.reference in result.output and "to police" in result.output
    assert case.source == "hotline"
    bad = run("report", "--category", "witchcraft", "--text", " ")
    assert bad.exit_code == 2 and "--category" in bad.output and "--description" in bad.output
    assert run("report", "--category", "other", "--station", "9999", "--text", "x").exit_code == 2


def test_overdue_lists_late_cases_and_exits_1() -> None:
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 9, tzinfo=BISHKEK)):
        case = services.open_case(
            "cli", services.Report(category="other", description="x", source="hotline")
        )
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 10, tzinfo=BISHKEK)):
        assert run("overdue").exit_code == 0  # due at 11:00
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 13, tzinfo=BISHKEK)):
        result = run("overdue")
    assert result.exit_code == 1 and case.reference in result.output
    assert "(2 h late)" in result.output


def test_route_changes_where_a_category_goes() -> None:
    assert run("route", "vote_buying", "prosecutor").exit_code == 0
    assert services.route_of("vote_buying") == "prosecutor"
    assert run("route", "vote_buying", "army").exit_code == 2


def test_summary_is_a_bilingual_pdf_without_personal_data(tmp_path) -> None:
    day = datetime.date(2027, 3, 14)
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 10, tzinfo=BISHKEK)):
        case = services.open_case(
            "public",
            services.Report(
                category="vote_buying", description="Asanov paid", source="public_web",
                station=1001, complainant_name="Жылдыз Маматова",
                complainant_phone="+996555000111",
            ),
        )  # fmt: skip
        services.decide(
            "cli", case, outcome="referred", legal_basis="Art. 43", referral="prosecutor",
            public_summary="Передано в прокуратуру",
        )  # fmt: skip
    out = tmp_path / "s.pdf"
    result = run("summary", "--day", day.isoformat(), "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = pypdfium2.PdfDocument(out.read_bytes())
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Ежедневная сводка" in text and "Подкуп избирателей" in text
    assert case.reference in text and "Передано в прокуратуру" in text
    for secret in ("Маматова", "+996555000111", "Asanov paid"):
        assert secret not in text
    assert run("summary", "--day", "14.03.2027", "--out", str(out)).exit_code == 2


# -- appeals -----------------------------------------------------------------------------------


def _decided_case() -> Case:
    with clock.frozen_at(datetime.datetime(2027, 3, 1, 10, tzinfo=BISHKEK)):
        case = services.open_case(
            "cli",
            services.Report(category="other", description="x", source="hotline", station=1001),
        )
        services.decide("cli", case, outcome="dismissed", legal_basis="Art. 43")
    return case


def test_appeal_registers_an_appeal_on_a_decided_case_as_the_cli() -> None:
    case = _decided_case()
    code = case.reference[3:].replace("-", "")
    typed = f"kg {code[:5].lower()} {code[5:]}"  # as people read it out
    result = run("appeal", typed, "--by", "Candidate Asanov", "--grounds", "Not examined")
    assert result.exit_code == 0, result.output
    appeal = case.appeals.get()
    assert (appeal.filed_by, appeal.grounds, appeal.outcome) == (
        "Candidate Asanov",
        "Not examined",
        "pending",
    )
    assert f"appeal {appeal.pk} against {case.reference}: pending" in result.output
    assert case.events.get(kind="appealed").actor == "cli"


def test_appeal_refusals_exit_non_zero_with_their_message() -> None:
    from django.utils.translation import gettext

    with clock.frozen_at(datetime.datetime(2027, 3, 1, 10, tzinfo=BISHKEK)):
        open_case = services.open_case(
            "cli", services.Report(category="other", description="x", source="hotline")
        )
    undecided = run("appeal", open_case.reference, "--by", "X", "--grounds", "Y")
    assert undecided.exit_code == 1
    assert gettext("Only a decided case can be appealed.") in undecided.output
    unknown = run("appeal", "KG-AAAAA-BBBBB", "--by", "X", "--grounds", "Y")
    assert unknown.exit_code == 2 and gettext("No such case.") in unknown.output
    assert run("appeal", "12", "--by", "X", "--grounds", "Y").exit_code == 2
    case = _decided_case()
    empty = run("appeal", case.reference, "--by", " ", "--grounds", "Y")
    assert empty.exit_code == 2 and "--grounds" in empty.output
    assert not open_case.appeals.exists() and not case.appeals.exists()


def test_decide_appeal_takes_the_latest_pending_appeal_or_the_one_named() -> None:
    case = _decided_case()
    with clock.frozen_at(datetime.datetime(2027, 3, 2, 9, tzinfo=BISHKEK)):
        first = services.file_appeal("cli", case, "Party A", "Ground one")
    with clock.frozen_at(datetime.datetime(2027, 3, 2, 11, tzinfo=BISHKEK)):
        second = services.file_appeal("cli", case, "Party B", "Ground two")
    result = run("decide-appeal", case.reference, "--outcome", "dismissed", "--reasons", "Weighed")
    assert result.exit_code == 0, result.output
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcome, second.outcome) == ("pending", "dismissed")
    assert (second.reasons, second.decided_by) == ("Weighed", "cli")
    assert f"appeal {second.pk} against {case.reference}: dismissed; case decided" in result.output
    with clock.frozen_at(datetime.datetime(2027, 3, 4, 12, tzinfo=BISHKEK)):
        upheld = run(
            "decide-appeal", case.reference, "--appeal", str(first.pk),
            "--outcome", "upheld", "--reasons", "Witness not heard",
        )  # fmt: skip
    assert upheld.exit_code == 0, upheld.output
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.due_at == datetime.datetime(2027, 3, 9, 12, tzinfo=BISHKEK)
    assert "case in_progress, due 2027-03-09 12:00 +0600 (campaign_days)" in upheld.output


def test_decide_appeal_refusals_exit_non_zero_and_change_nothing() -> None:
    from django.utils.translation import gettext

    case = _decided_case()
    none_pending = run("decide-appeal", case.reference, "--outcome", "upheld", "--reasons", "R")
    assert none_pending.exit_code == 1
    assert gettext("The case has no pending appeal.") in none_pending.output
    appeal = services.file_appeal("cli", case, "Party A", "Ground")
    bad = run("decide-appeal", case.reference, "--outcome", "reversed", "--reasons", "R")
    assert bad.exit_code == 2
    assert gettext("The outcome must be upheld or dismissed.") in bad.output
    blank = run("decide-appeal", case.reference, "--outcome", "upheld", "--reasons", " ")
    assert blank.exit_code == 2 and gettext("Give the reasons.") in blank.output
    other = _decided_case()
    foreign = services.file_appeal("cli", other, "Party C", "Ground")
    wrong = run(
        "decide-appeal", case.reference, "--appeal", str(foreign.pk),
        "--outcome", "upheld", "--reasons", "R",
    )  # fmt: skip
    assert wrong.exit_code == 2 and gettext("No such appeal in this case.") in wrong.output
    appeal.refresh_from_db()
    foreign.refresh_from_db()
    assert (appeal.outcome, foreign.outcome) == ("pending", "pending")
    done = run(
        "decide-appeal", case.reference, "--appeal", str(appeal.pk),
        "--outcome", "dismissed", "--reasons", "R",
    )  # fmt: skip
    assert done.exit_code == 0
    again = run(
        "decide-appeal", case.reference, "--appeal", str(appeal.pk),
        "--outcome", "upheld", "--reasons", "R",
    )  # fmt: skip
    assert again.exit_code == 1 and gettext("The appeal is already decided.") in again.output
    appeal.refresh_from_db()
    assert appeal.outcome == "dismissed"
