"""The synthetic election definition: shaped like each law edition, deterministic by seed."""

from __future__ import annotations

import datetime
import json

import pytest

from shailoo.counting.definition import ElectionDefinition, dump_definition, parse_definition
from shailoo.synth.definition import ElectionKind, make_definition
from shailoo.synth.geography import generate_geography

DAY = datetime.date(2025, 11, 30)


def _stations(count: int = 120, seed: int = 3) -> list[tuple[str, str, str]]:
    geography = generate_geography(seed, count)
    return [(str(s.number), s.region.code, s.tec.code) for s in geography.stations]


def _make(
    stations: list[tuple[str, str, str]],
    *,
    seed: int = 1,
    law_edition: str = "kg-2025",
    election: ElectionKind = "parliament",
) -> ElectionDefinition:
    return make_definition(
        stations,
        seed=seed,
        law_edition=law_edition,
        election_date=DAY,
        election_id="jk",
        election=election,
    )


def test_kg_2025_thirty_three_seat_districts_one_mark() -> None:
    stations = _stations()
    d = make_definition(stations, seed=1, election_date=DAY, election_id="jk-2025")
    assert len(d.contests) == 30 and len(d.ballot_styles) == 30
    for contest in d.contests:
        assert contest.kind == "district" and contest.seats == 3 and contest.votes_allowed == 1
        candidates = [o for o in contest.options if o.kind == "candidate"]
        assert 8 <= len(candidates) <= 15
        assert [o.kind for o in contest.options].count("against_all") == 1
        assert len({o.name.ky for o in candidates}) == len(candidates)
        # both sexes stand where three seats carry a gender rule (feminine names end so)
        assert any(o.name.ky.split()[0].endswith("а") for o in candidates)
    home = {n for n, region, _ in stations if region != "ABROAD"}
    abroad = {n for n, region, _ in stations if region == "ABROAD"}
    covered = [n for s in d.ballot_styles for n in s.stations if n in home]
    assert sorted(covered) == sorted(home)  # every home station in exactly one district
    assert all(abroad <= set(s.stations) for s in d.ballot_styles)
    for style in d.ballot_styles:  # a district never straddles a region
        assert len({r for n, r, _ in stations if n in style.stations and n in home}) <= 1


def test_kg_2021_list_and_single_member_districts() -> None:
    d = _make(_stations(), law_edition="kg-2021")
    contests = {c.id: c for c in d.contests}
    assert contests["list"].kind == "party_list" and contests["list"].seats == 54
    parties = [o for o in contests["list"].options if o.kind == "party"]
    assert len(parties) >= 18 and all(len(p.list_candidates) >= 37 for p in parties)
    assert len({p.name.ru for p in parties}) == len(parties)
    districts = [c for c in contests.values() if c.kind == "district"]
    assert len(districts) == 36 and all(c.seats == 1 for c in districts)
    list_style = d.style("list")
    assert len(list_style.stations) == 120  # everyone gets the party-list sheet


def test_presidential_and_kg_2020_variants() -> None:
    president = _make(_stations(), election="president")
    (contest,) = president.contests
    assert contest.kind == "president" and contest.seats == 1
    assert 4 <= sum(o.kind == "candidate" for o in contest.options) <= 10
    kg2020 = _make(_stations(), law_edition="kg-2020")
    (contest,) = kg2020.contests
    assert contest.kind == "party_list" and contest.seats == 120


def test_deterministic_by_seed_and_valid_under_the_contract() -> None:
    stations = _stations()
    one = dump_definition(_make(stations, seed=9))
    assert one == dump_definition(_make(stations, seed=9))
    assert one != dump_definition(_make(stations, seed=10))
    parse_definition(json.loads(one))
    assert "Баарына каршы" in one and "Против всех" in one


def test_few_stations_leave_districts_on_paper_only() -> None:
    stations = [("1001", "KG-Y", "T1"), ("1002", "KG-Y", "T1"), ("7001", "KG-C", "T9")]
    d = _make(stations)
    with_stations = [s for s in d.ballot_styles if s.stations]
    assert len(d.contests) == 30 and len(with_stations) == 3


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="law edition 'kg-1995' cannot be used"):
        _make(_stations(), law_edition="kg-1995")
    with pytest.raises(ValueError, match="listed twice"):
        _make([("1", "KG-Y", "T"), ("1", "KG-Y", "T")])
