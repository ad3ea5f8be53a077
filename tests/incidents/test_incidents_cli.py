"""``shailoo incidents``: report, overdue, sweep, route, summary."""

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
