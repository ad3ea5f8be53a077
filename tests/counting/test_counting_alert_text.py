"""A counting alert on a case speaks the reader's language: the evidence is a reason code with
its figures (not the engine's English), and the page names the rule, the lines, the options
and the numbers in Kyrgyz, Russian or English. Cases raised before the evidence was
structured still render.

The protocol rules are those of the kg-2025 law edition (``counting.protocol``): the
ballots' balance, issued within the list, found within issued, the found ballots' balance,
and no tolerance between the automatic and the manual count.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from counting_results_helpers import VOTES, lines
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting import alert_text
from shailoo.counting.results import services
from shailoo.counting.results.forms import LINE_LABELS
from shailoo.counting.results.models import CountingAlert
from shailoo.counting.results.presentation import RULE_NAMES
from shailoo.incidents import services as incidents
from shailoo.incidents.alert_text import alert_view, evidence_items, number_text
from shailoo.incidents.models import Case
from visible_text import visible

pytestmark = pytest.mark.django_db

#: A protocol that holds every kg-2025 relation: votes a=300, b=200, c=50 (550 valid).
LINES = lines()
NAMES = {"a": "Асанов Бакыт", "b": "Бекова Айгүл", "c": "Баарына каршы"}
#: Words of the engine's English reasons (``RelationFailure.explain`` and the like).
ENGINE_WORDS = ("control relation", "fails", "automatic count", "manual count", "tolerance")


@pytest.fixture
def world() -> dict[str, Any]:
    from shailoo.counting import services as counting
    from shailoo.counting.definition import parse_definition

    region = f.region("KG-C")
    tec = f.tec(region, "TEC-KG-C-01", name="Чүй облусунун ТШК")
    station = f.station(101, district_=f.district(region), tec_=tec)
    election = f.election("kg-2025", code="pres-2027")

    def text(ky: str, ru: str) -> dict[str, str]:
        return {"ky": ky, "ru": ru}

    definition = parse_definition(
        {
            "format": "shailoo-election-definition/1",
            "election_id": election.code,
            "name": text("Президенттик шайлоо", "Выборы президента"),
            "election_date": "2027-03-14",
            "law_edition": election.law_edition,
            "contests": [
                {
                    "id": "pres",
                    "kind": "president",
                    "title": text("Президент", "Президент"),
                    "options": [
                        {"id": o, "kind": "against_all" if o == "c" else "candidate",
                         "name": text(n, n)}
                        for o, n in NAMES.items()
                    ],
                }
            ],
            "ballot_styles": [{"id": "s1", "contests": ["pres"], "stations": ["101"]}],
        }
    )  # fmt: skip
    counting.import_definition(election, definition, "cli")
    return {"election": election, "station": station}


def enter(world: dict[str, Any], lines: dict[str, int], automatic: dict[str, int] | None) -> Any:
    if automatic is not None:
        services.record_automatic_count(
            world["election"], world["station"], "pres", automatic, "cli", source="scanner"
        )
    return services.enter_protocol(world["election"], world["station"], "pres", lines, VOTES, "cli")


def shown(text: str) -> str:
    """``text`` as :func:`visible` gives it (a no-break space in 1 000 reads as a space)."""
    return " ".join(text.split())


def case_of(kind: str) -> Case:
    return Case.objects.get(alert_kind=f"counting.{kind}")


def alert_block(case: Case, lang: str) -> str:
    """What a reader of ``lang`` sees of the alert: its title, sentence and evidence (not the
    text as raised, which the page keeps folded as a record)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    login_verified(client, make_user(f"cec-{lang}", Role.RESPONSE_GROUP, agency="commission"))
    response = client.get(reverse("incidents:case", args=[case.reference]))
    assert response.status_code == 200
    return visible(response.content.decode(), 'id="description"', "<details")


def test_the_evidence_is_a_reason_code_with_its_figures(world: dict[str, Any]) -> None:
    enter(world, {**LINES, "ballots_unused": 425}, automatic=VOTES)
    (finding,) = case_of("control").alert_evidence[services.CHECK_EVIDENCE]["findings"]
    assert finding == {
        "code": "relation_fails",
        "relation": "ballots_balance",
        "op": "=",
        "left_lines": ["ballots_received"],
        "right_lines": ["ballots_issued", "ballots_spoiled", "ballots_unused"],
        "left": [["ballots_received", 1000]],
        "right": [["ballots_issued", 565], ["ballots_spoiled", 5], ["ballots_unused", 425]],
        "left_total": 1000,
        "right_total": 995,
    }
    evidence = case_of("control").alert_evidence
    assert evidence["version"] == 1 and "reasons" not in evidence
    check = evidence[services.CHECK_EVIDENCE]
    assert (check["election"], check["station"], check["contest"]) == ("pres-2027", 101, "pres")
    # The counting alert and its ledger entry keep the English reasons they always had.
    (alert,) = CountingAlert.objects.filter(kind="control")
    assert alert.reasons[0].startswith("control relation 'ballots_balance' fails")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_failed_relation_reads_without_english(world: dict[str, Any], lang: str) -> None:
    enter(world, {**LINES, "ballots_unused": 425}, automatic=VOTES)
    text = alert_block(case_of("control"), lang)
    for word in ENGINE_WORDS:
        assert word not in text.lower(), (word, text)
    assert not re.search(r"[A-Za-z]{3,}", text), text
    with translation.override(lang):
        for line in ("ballots_received", "ballots_issued", "ballots_unused"):
            assert str(LINE_LABELS[line]) in text
        assert str(RULE_NAMES["ballots_balance"]) in text
        assert str(alert_text.FINDING_NAMES["relation_fails"]) in text
        assert shown(number_text(1000)) in text and shown(number_text(995)) in text
        assert "Президент" in text and "№101" in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_count_difference_names_the_option(world: dict[str, Any], lang: str) -> None:
    enter(world, LINES, automatic={"a": 297, "b": 200, "c": 50})
    text = alert_block(case_of("discrepancy"), lang)
    assert not re.search(r"[A-Za-z]{3,}", text), text
    assert "Асанов Бакыт" in text and "297" in text and "300" in text
    assert "Бекова" not in text, "only the option whose counts differ"
    with translation.override(lang):
        assert str(alert_text.FINDING_NAMES["counts_differ"]) in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_automatic_count_reads_without_english(world: dict[str, Any], lang: str) -> None:
    enter(world, LINES, automatic=None)
    text = alert_block(case_of("no_automatic"), lang)
    assert not re.search(r"[A-Za-z]{3,}", text), text
    with translation.override(lang):
        assert str(alert_text.FINDING_NAMES["no_automatic_count"]) in text


def test_in_english_the_same_alert_reads_in_english(world: dict[str, Any]) -> None:
    enter(world, {**LINES, "ballots_found": 570, "ballots_invalid": 20}, automatic=VOTES)
    text = alert_block(case_of("control"), "en")
    assert "Ballots found in the box (570) must not be more than Ballots issued (565)." in text
    assert "Ballots found in the box (570) must equal Invalid ballots + Valid votes (570)" not in (
        text
    ), "a relation that holds is no finding"
    assert "Polling station №101, protocol version 1" in text


def test_every_finding_code_has_a_name_in_three_languages() -> None:
    codes = {services.FINDING_RELATION, services.FINDING_COUNTS, services.FINDING_NO_AUTOMATIC}
    assert set(alert_text.FINDING_NAMES) == codes
    for code in codes:
        with translation.override("en"):
            english = str(alert_text.FINDING_NAMES[code])
        for lang in ("ky", "ru"):
            with translation.override(lang):
                named = str(alert_text.FINDING_NAMES[code])
            assert named != english and not re.search(r"[A-Za-z]", named), (lang, named)


def test_an_alert_raised_again_reads_the_same_on_the_timeline(world: dict[str, Any]) -> None:
    """The timeline shows a raised-again alert's evidence through the same reader."""
    enter(world, LINES, automatic={"a": 290, "b": 200, "c": 50})
    evidence = case_of("discrepancy").alert_evidence
    with translation.override("ru"):
        items = evidence_items(evidence)
    assert [i.code for i in items] == ["contest", "counts_differ", "version"]
    assert "Асанов Бакыт" in items[1].text and not re.search(r"[A-Za-z]{3,}", items[1].text)


def test_an_old_case_with_english_reasons_still_renders(world: dict[str, Any]) -> None:
    """Raised before the evidence was structured: its English reasons are rebuilt from the
    alert's verdict in the reader's language where they still match it one for one."""
    enter(world, {**LINES, "ballots_unused": 425}, automatic=VOTES)
    alert = CountingAlert.objects.get(kind="control")
    Case.objects.all().delete()
    case = incidents.raise_alert(
        "counting",
        "control",
        category="count_irregularity",
        summary="control: station 101, contest pres",
        station=101,
        subject=f"counting_results.countingalert:{alert.pk}",
        evidence={"version": 1, "reasons": "; ".join(alert.reasons)},
    )
    text = alert_block(case, "ru")
    assert "control relation" not in text and "fails" not in text
    with translation.override("ru"):
        assert str(LINE_LABELS["ballots_received"]) in text
        view = alert_view(case)
    assert view is not None and [i.code for i in view.items] == ["contest", "version", "reasons"]


def test_an_old_case_without_its_alert_shows_the_reasons_as_raised(world: dict[str, Any]) -> None:
    reason = "control relation 'ballots_balance' fails: ballots_received (1000) = ..."
    case = incidents.raise_alert(
        "counting",
        "control",
        category="count_irregularity",
        summary="control: station 101, contest pres",
        station=101,
        subject="counting_results.countingalert:999999",
        evidence={"version": 3, "reasons": reason},
    )
    text = alert_block(case, "ru")
    assert reason in text
    with translation.override("ru"):
        view = alert_view(case)
    assert view is not None and {i.code for i in view.items} == {"reasons", "version"}


@pytest.mark.parametrize(
    "check",
    [
        "not an object",
        {"election": "pres-2027", "contest": "pres", "findings": "no list"},
        {"election": "pres-2027", "contest": "pres", "findings": [{"code": "unheard_of"}]},
        {"election": "pres-2027", "contest": "pres", "findings": [{"code": "relation_fails"}]},
        {
            "election": "pres-2027",
            "contest": "pres",
            "findings": [{"code": "counts_differ", "option": "a", "difference": "lots"}],
        },
    ],
)
def test_evidence_that_is_not_counting_s_is_shown_as_stored(
    world: dict[str, Any], check: object
) -> None:
    """Hand-edited or unknown evidence never breaks the page: it is shown as it is stored."""
    case = incidents.raise_alert(
        "counting",
        "control",
        category="count_irregularity",
        summary="control",
        station=101,
        subject="counting_results.countingalert:999998",
        evidence={"version": 1, services.CHECK_EVIDENCE: check},
    )
    assert alert_block(case, "ru")
    with translation.override("ru"):
        items = evidence_items(case.alert_evidence)
    assert services.CHECK_EVIDENCE in [i.code for i in items]
