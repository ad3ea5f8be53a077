"""Properties of the public results, for any figures.

- a correction's "what changed" lists exactly the lines that differ, and applying it to the
  earlier version gives the later one;
- the progress counts add up: every protocol (or missing one) is counted once in the total,
  once in its unit, once in its contest and once in its cell;
- for any votes at the stations, the country's JSON sums the accepted protocols, its shares
  add up to 100.00, its leader has the most votes, and its outcome is the seat engine's on
  the same figures.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from counting_results_helpers import import_definition
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from public_world import accept, balanced, named_world

import factories as f
from shailoo.counting.results.aggregation import Progress
from shailoo.counting.results.models import ProtocolVersion
from shailoo.counting.results.protocol import BASE_LINES
from shailoo.counting.results.public_station import changes, line_values
from shailoo.counting.seats import president_first_round
from shailoo.counting.seats.law import president_rules
from shailoo.law.loader import load_edition
from strategies import vote_counts, vote_maps

OPTIONS = "abcd"
line_maps = st.fixed_dictionaries({name: vote_counts(5000) for name in BASE_LINES})


def version(lines: dict[str, int], votes: dict[str, int]) -> ProtocolVersion:
    return ProtocolVersion(lines=lines, votes=votes)


@given(line_maps, line_maps, vote_maps(OPTIONS, min_size=1), vote_maps(OPTIONS, min_size=1))
def test_what_changed_is_exactly_the_difference(
    old_lines: dict[str, int],
    new_lines: dict[str, int],
    old_votes: dict[str, int],
    new_votes: dict[str, int],
) -> None:
    before, after = version(old_lines, old_votes), version(new_lines, new_votes)
    listed = changes(before, after)
    old, new = line_values(before), line_values(after)
    assert all(c["from"] != c["to"] for c in listed)
    assert [c["line"] for c in listed] == list(dict.fromkeys(c["line"] for c in listed))
    patched = dict(old)
    for change in listed:
        if change["to"] is None:
            patched.pop(change["line"])
        else:
            patched[change["line"]] = change["to"]
    assert patched == new
    assert changes(None, after) == [] and changes(after, after) == []


events = st.lists(
    st.tuples(
        st.sampled_from(["pres", "list", "d1"]),
        st.sampled_from(["KG-C", "KG-N", "KG-GB"]),
        st.sampled_from(["accepted", "reported", "disputed", "missing"]),
    ),
    max_size=60,
)


@given(events)
def test_progress_counts_every_protocol_once_at_every_level(
    seen: list[tuple[str, str, str]],
) -> None:
    found = Progress("region")
    for contest_id, unit, status in seen:
        found.count(contest_id, unit, status)
    assert found.total.expected == len(seen)
    for status in ("accepted", "reported", "disputed", "missing"):
        total = getattr(found.total, status)
        assert total == sum(1 for *_, s in seen if s == status)
        for table in (found.units, found.contests, found.cells):
            assert sum(getattr(c, status) for c in table.values()) == total
    for (contest_id, unit), cell in found.cells.items():
        assert cell.expected == sum(1 for c, u, _ in seen if (c, u) == (contest_id, unit))
        assert contest_id in found.expected_in(unit)
    assert found.cell("none", "KG-C").expected == 0


PRESIDENT_VOTES = st.fixed_dictionaries({o: vote_counts(2000) for o in "abc"})
_serial = itertools.count(1)


@pytest.mark.django_db
@settings(
    max_examples=8,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(PRESIDENT_VOTES, min_size=3, max_size=3))
def test_the_country_sums_the_accepted_protocols_and_agrees_with_the_seat_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, votes: list[Any]
) -> None:
    django_cache.clear()
    base = _world(monkeypatch, tmp_path_factory)
    world = {**base, "election": f.election("kg-2025", code=f"prop-{next(_serial)}")}
    import_definition(world)
    for station, counted in zip(world["stations"], votes, strict=True):
        lines = balanced(counted, voters=sum(counted.values()) + 1000)
        accept(world, station, votes=counted, lines=lines)
    code = world["election"].code
    data = Client().get(reverse("results:election_json", args=[code])).json()
    (contest,) = data["contests"]
    total = {o: sum(v[o] for v in votes) for o in "abc"}
    assert {o["option"]: o["votes"] for o in contest["options"]} == total
    shares = [Decimal(o["share_percent"]) for o in contest["options"]]
    assert sum(shares) == (Decimal("100.00") if sum(total.values()) else Decimal("0.00"))
    if sum(total.values()):
        assert total[contest["leader"]["option"]] == max(total.values())
    outcome = contest["outcome"]
    if not sum(total.values()):
        assert outcome["status"] == "no_votes" and outcome["winners"] == []
        return
    engine = president_first_round(
        {"a": total["a"], "b": total["b"]},
        president_rules(load_edition("kg-2025")),
        against_all=total["c"],
        invalid=30,
        order=["a", "b"],
    )
    assert outcome["status"] == engine.status
    assert outcome["winners"] == ([engine.winner] if engine.winner else [])
    assert outcome["runoff"] == list(engine.runoff)
    assert outcome["final"] is True


_cached: dict[int, dict[str, Any]] = {}


def _world(monkeypatch: pytest.MonkeyPatch, paths: pytest.TempPathFactory) -> dict[str, Any]:
    """One country for every example of a run (the examples share the test's database
    transaction and fixtures; each votes in an election of its own)."""
    world = _cached.get(id(monkeypatch))
    if world is None or not type(world["election"]).objects.filter(pk=world["election"].pk):
        world = _cached[id(monkeypatch)] = named_world(
            monkeypatch, paths.mktemp("keys"), definition=False
        )
    return world
