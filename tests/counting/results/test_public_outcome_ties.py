"""Winners in public never overstate what the count says.

For any figures, on any contest kind and law edition (the presidency, three-seat districts
with the sex rule, party lists, a kind no edition knows): never more winners than seats, no
winner (nor run-off place) without a vote, nobody whose place a tie decides marked as the
winner — the page says "tied", the rule the law edition gives for a tie and where it gives it
— and every option at zero means nobody leads. Then the pages themselves: a tie for a
district's last seat, a contest with no valid vote, and a definition without the
candidates' sex (a coded problem in three languages, not the engine's English).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st
from public_world import accept, balanced, define, named_world, schema_errors, text, visible

from shailoo.counting.results.aggregation import ContestResults, Tally
from shailoo.counting.results.protocol import BASE_LINES
from shailoo.counting.results.public_explain import explain
from shailoo.counting.results.public_names import ContestInfo, OptionInfo
from shailoo.counting.results.public_outcome import outcome
from shailoo.counting.results.public_pages import mark
from shailoo.law.loader import load_edition
from shailoo.law.schema import localize_cite
from strategies import vote_counts

EDITIONS = ("kg-2020", "kg-2021", "kg-2025", "xx-0000")  # the last: no such law file
#: Contest kinds, and the seats each may have: the definition sets a contest's seats.
KINDS = {
    "president": st.just(1),
    "district": st.integers(1, 3),
    "party_list": st.integers(1, 12),
    "local_district": st.integers(1, 4),  # in no edition: who leads, by no rule
}


@st.composite
def counted_contests(draw: st.DrawFn) -> tuple[ContestInfo, dict[str, int], str]:
    """A contest as defined (options, their sex or none) and its votes, small enough that
    ties are common, sometimes large; "against all" on the ballot or not."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    seats = draw(KINDS[kind])
    size = draw(st.integers(1, 6))
    small = draw(st.booleans())
    count = vote_counts(3) if small else vote_counts(5000)
    option_kind = "party" if kind == "party_list" else "candidate"
    sexes = draw(st.lists(st.sampled_from(["F", "M", ""]), min_size=size, max_size=size))
    if draw(st.booleans()):
        sexes = [sex or "F" for sex in sexes]  # every sex known: the sex rule applies
    options = [
        OptionInfo(f"o{i}", option_kind, {"ky": f"O{i}"}, {}, sexes[i], i + 1) for i in range(size)
    ]
    votes = {o.id: draw(count) for o in options}
    if draw(st.booleans()):
        options.append(OptionInfo("x", "against_all", {"ky": "X"}, {}, "", size + 1))
        votes["x"] = draw(count)
    info = ContestInfo("c", kind, seats, {"ky": "C"}, 1, tuple(options))
    return info, votes, draw(st.sampled_from(EDITIONS))


def results_of(info: ContestInfo, votes: dict[str, int]) -> ContestResults:
    lines = dict.fromkeys(BASE_LINES, 0)
    lines["ballots_invalid"] = 2
    country = Tally("country", "KG", "", info.id, protocols=1, lines=lines, votes=dict(votes))
    return ContestResults(info.id, country)


def candidates(info: ContestInfo, votes: Mapping[str, int]) -> dict[str, int]:
    return {o.id: votes[o.id] for o in info.options if o.kind != "against_all"}


@settings(max_examples=300, deadline=None)
@given(counted_contests(), st.booleans())
def test_winners_never_overstate_the_count(
    contest: tuple[ContestInfo, dict[str, int], str], final: bool
) -> None:
    info, votes, edition = contest
    result = outcome(info, results_of(info, votes), edition, final)
    own = candidates(info, votes)
    winners, tied = result["winners"], result.get("tied", [])
    runoff = result.get("runoff", [])

    # never more winners than seats; a party list's seats add up to at most the seats
    assert len(winners) == len(set(winners)) <= max(1, info.seats)
    if result.get("seats"):
        assert sum(result["seats"].values()) <= info.seats
    # no winner and no run-off place without a vote
    assert all(own[w] > 0 for w in [*winners, *runoff])
    # the tied are never marked, on the page or in the JSON
    assert not set(tied) & set(winners) and not set(tied) & set(runoff)
    for option in own:
        shown = mark(
            {
                "winner": option in winners,
                "runoff": option in runoff,
                "tied": option in tied,
            },
            result,
        )
        if option in tied:
            assert shown == gettext("tied")
        seated = result["kind"] == "party_list" and result["status"] == "elected"
        assert (shown in (gettext("elected"), gettext("leading"))) == (
            option in winners and not seated  # seats divided: the seats column says it
        )
    # every option at zero: nobody leads or is elected
    if not any(votes.values()):
        assert result["status"] == "no_votes" and winners == []
    if not any(own.values()):
        assert winners == [] and runoff == []
        assert result["status"] in ("no_votes", "repeat", "cancelled")
    if result["status"] == "tied":
        # a tie is between at least two options with the same votes, and says its rule
        assert len(tied) >= 2 and len({own[o] for o in tied}) == 1
        assert "tie_rule" in result and result["tie_for"] in ("first", "runoff", "seats")
        if edition == "xx-0000":
            assert result["tie_rule"] is None
        else:
            rule = load_edition(edition).counting.tie_rule
            assert result["tie_rule"]["rule"] == rule.value
    assert explain(result, {})["headline"]


@settings(max_examples=300, deadline=None)
@given(counted_contests(), st.booleans())
def test_whoever_leads_leads_alone(
    contest: tuple[ContestInfo, dict[str, int], str], final: bool
) -> None:
    """Where the page names a leader or a winner of the one seat (or of several seats with
    no rule to apply), everyone else has fewer votes; equal votes across the line are a
    tie, reported with all of its members."""
    info, votes, edition = contest
    result = outcome(info, results_of(info, votes), edition, final)
    own = candidates(info, votes)
    winners, tied = result["winners"], result.get("tied", [])
    status, kind = result["status"], result["kind"]
    unsettled = status == "tied" and result.get("tie_in") == "leading"
    if status == "leading" or unsettled or (kind == "president" and status == "elected"):
        last = min((own[w] for w in winners), default=None)
        others = [o for o in own if o not in winners and o not in tied]
        if last is not None:
            assert all(own[o] < last for o in others), "a tie left unreported"
        for option in tied:
            assert any(own[o] == own[option] for o in tied if o != option)
    if kind == "district" and status in ("elected", "tied"):
        # one of two candidates of one sex with equal votes elected: a tie, however the
        # sex rule then read the ranking
        sexes = {o.id: o.sex for o in info.options}
        for w in winners:
            for o in own:
                if o not in winners and own[o] == own[w] > 0 and sexes[o] == sexes[w]:
                    pytest.fail(f"{w} elected over {o} with equal votes, not reported")


# -- the pages ------------------------------------------------------------------------------


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path, definition=False)


def district_world(world: dict[str, Any], votes: dict[str, int], sexes: str) -> dict[str, Any]:
    """One three-seat district (kg-2025) voted at station 101, accepted; ``sexes`` gives
    each candidate's sex, ``-`` where the definition does not."""
    options: list[dict[str, Any]] = [
        {"id": f"c{i}", "kind": "candidate", "name": text(f"C{i}")}
        | ({"sex": sex} if sex != "-" else {})
        for i, sex in enumerate(sexes, 1)
    ]
    options.append({"id": "x", "kind": "against_all", "name": text("Against all")})
    contest = {
        "id": "d1",
        "kind": "district",
        "title": text("District 1"),
        "seats": 3,
        "district": "D1",
        "options": options,
    }
    define(world, [contest], [{"id": "s1", "contests": ["d1"], "stations": ["101"]}])
    accept(world, world["stations"][0], contest="d1", votes=votes, lines=balanced(votes))
    return world


def contest_page(world: dict[str, Any]) -> tuple[dict[str, Any], str]:
    code = world["election"].code
    data = Client().get(reverse("results:contest_json", args=[code, "d1"])).json()
    page = Client().get(reverse("results:contest", args=[code, "d1"])).content.decode()
    return data, page


def ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


@pytest.mark.django_db
def test_a_tie_for_the_last_seat_is_said_and_not_marked(world: dict[str, Any]) -> None:
    votes = {"c1": 30, "c2": 20, "c3": 10, "c4": 10, "c5": 0, "x": 5}
    data, page = contest_page(district_world(world, votes, "MFMFM"))
    assert schema_errors(data) == []
    result = data["contest"]["outcome"]
    assert result["status"] == "tied" and result["final"] is True
    assert result["winners"] == ["c1", "c2"] and result["tied"] == ["c3", "c4"]
    assert result["tie_for"] == "seats" and result["tie_rule"]["rule"] == "registered_first"
    options = {o["option"]: o for o in data["contest"]["options"]}
    assert [o for o in options if options[o]["winner"]] == ["c1", "c2"]
    assert [o for o in options if options[o]["tied"]] == ["c3", "c4"]

    marks = dict(
        re.findall(r'<th scope="row">(C\d) ru[^<]*<span class="mark[^"]*">([^<]*)</span>', page)
    )
    assert marks == {
        "C1": f"✓ {ru('elected')}",
        "C2": f"✓ {ru('elected')}",
        "C3": ru("tied"),
        "C4": ru("tied"),
    }
    shown = visible(page)
    with translation.override("ru"):
        headline = gettext("Tied for a seat: %(names)s have the same number of votes.") % {
            "names": "C3 ru, C4 ru"
        }
    assert headline in shown
    rule = load_edition("kg-2025").counting.tie_rule
    assert f"({localize_cite(rule.cite, 'ru')}" in shown, "the tie rule cites the law"


@pytest.mark.django_db
def test_no_valid_vote_means_nobody_leads(world: dict[str, Any]) -> None:
    votes = {"c1": 0, "c2": 0, "c3": 0, "c4": 0, "c5": 0, "x": 0}
    data, page = contest_page(district_world(world, votes, "MFMFM"))
    assert schema_errors(data) == []
    result = data["contest"]["outcome"]
    assert result["status"] == "no_votes" and result["winners"] == []
    assert data["contest"]["protocols"] == 1
    assert '<tr class="winner">' not in page and "✓" not in page
    shown = visible(page)
    assert ru("No accepted protocol yet.") not in shown
    assert ru("No accepted protocols yet.") not in shown, "one protocol is accepted"
    with translation.override("ru"):
        nobody = gettext(
            "No option has a valid vote on the accepted protocols: nobody leads and "
            "nobody is elected."
        )
    assert nobody in shown


@pytest.mark.django_db
def test_two_of_five_at_one_vote_lead_and_nobody_at_zero_does(world: dict[str, Any]) -> None:
    """The three seats: the two candidates with a vote lead (no sex given: nobody is called
    elected), and the candidates with none are not marked to fill the third."""
    votes = {"c1": 1, "c2": 0, "c3": 1, "c4": 0, "c5": 0, "x": 0}
    data, page = contest_page(district_world(world, votes, "-----"))
    result = data["contest"]["outcome"]
    assert result["status"] == "leading" and result["winners"] == ["c1", "c3"]
    assert re.findall(r'<span class="mark">✓ ([^<]*)</span>', page) == [ru("leading")] * 2


@pytest.mark.django_db
def test_a_definition_without_sex_gives_a_coded_problem_in_three_languages(
    world: dict[str, Any],
) -> None:
    votes = {"c1": 30, "c2": 20, "c3": 10, "c4": 5, "c5": 1, "x": 5}
    data, page = contest_page(district_world(world, votes, "MF---"))
    assert schema_errors(data) == []
    result = data["contest"]["outcome"]
    assert result["status"] == "leading" and result["problem_code"] == "sex_unknown"
    assert set(result["problem_text"]) == {"ky", "ru", "en"}
    for lang, text_ in result["problem_text"].items():
        with translation.override(lang):
            assert text_ == gettext(
                "The law limits how many winners may be of one sex, and the election "
                "definition does not give every candidate's sex: the page shows who leads, "
                "not who is elected."
            )
    shown = visible(page)
    assert result["problem_text"]["ru"] in shown
    assert "the sex rule needs every candidate's sex" not in shown
