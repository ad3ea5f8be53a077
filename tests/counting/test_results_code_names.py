"""The results pages name what the law and the counting services call by code: every control
relation of every law edition, every kind of counting alert, every contest of an election.
The staff results templates (``counting_results/``) take the names from
``counting.results.presentation``."""

from __future__ import annotations

import pytest
from django.utils import translation

import factories as f
from shailoo.counting.models import Contest
from shailoo.counting.results import presentation
from shailoo.counting.results.models import CountingAlert
from shailoo.law.loader import available_editions, load_edition


@pytest.mark.parametrize("edition", available_editions())
def test_every_control_relation_of_every_edition_has_a_name(edition: str) -> None:
    relations = load_edition(edition).counting.protocol.control_relations.value
    assert relations
    with translation.override("en"):
        for relation in relations:
            name = presentation.rule_name(relation.name, relation)
            assert name != relation.name and "_" not in name, relation.name


def test_an_unnamed_relation_reads_as_its_lines() -> None:
    relation = load_edition("kg-2025").counting.protocol.control_relations.value[0]
    renamed = relation.model_copy(update={"name": "added_later"})
    with translation.override("en"):
        assert presentation.rule_name("added_later", renamed) == (
            "Ballots received = Ballots issued + Ballots spoiled + Ballots unused (cancelled)"
        )
        assert presentation.rule_name("added_later") == "added_later"


def test_every_alert_kind_has_its_name() -> None:
    with translation.override("en"):
        for kind in CountingAlert.Kind:
            assert presentation.alert_name(kind.value) == str(kind.label)
        assert presentation.alert_name("something_else") == "something_else"


def test_a_failed_relation_is_told_by_its_name() -> None:
    verdict = {
        "failures": [
            {
                "relation": "ballots_balance",
                "left": [["ballots_received", 100]],
                "op": "=",
                "right": [["ballots_issued", 60], ["ballots_spoiled", 1], ["ballots_unused", 38]],
                "left_total": 100,
                "right_total": 99,
            }
        ]
    }
    with translation.override("en"):
        (reason,) = presentation.localized_reasons(verdict, {})
    assert "“balance of the ballots received”" in reason
    assert "ballots_balance" not in reason and "ballots_received" not in reason
    assert "Ballots received (100)" in reason


@pytest.mark.django_db
def test_a_contest_is_named_in_the_reader_s_language() -> None:
    election = f.election()
    Contest.objects.create(
        election=election,
        code="d22",
        kind="district",
        title_ky="№22 шайлоо округу",
        title_ru="Избирательный округ №22",
        votes_allowed=1,
        seats=1,
        position=22,
    )
    with translation.override("ky"):
        assert presentation.contest_name(election, "d22") == "№22 шайлоо округу"
    with translation.override("ru"):
        assert presentation.contest_name(election, "d22") == "Избирательный округ №22"
        assert presentation.contest_name(election, "d99") == "d99"
