"""Who is elected, in public: party-list seats, district winners, a run-off, many contests.

The figures are worked by hand from the law editions' rules: kg-2021's party lists (54
seats, Hare quota and largest remainders, 5 % nationally and 0.5 % in every region of
everyone who took part, at most 27 seats a list), kg-2025's three-seat districts (at most
two winners of one sex; "against all" ahead of the leader means a repeat election) and the
presidency's majority of more than half of everyone who took part.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from public_world import accept, balanced, define, named_world, schema_errors, text, visible

import factories as f
from shailoo.elections.models import Election
from shailoo.law.loader import load_edition
from shailoo.law.schema import localize_cite

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path, definition=False)


def everywhere(world: dict[str, Any], *contests: str) -> list[dict[str, Any]]:
    numbers = [str(s.number) for s in world["stations"]]
    return [{"id": "all", "contests": list(contests), "stations": numbers}]


# -- party lists (kg-2021) ------------------------------------------------------------------

PARTY_VOTES = {
    101: {"p1": 1000, "p2": 700, "p3": 300, "p4": 400, "x": 100},
    102: {"p1": 1000, "p2": 700, "p3": 400, "p4": 400, "x": 0},
    201: {"p1": 1000, "p2": 600, "p3": 300, "p4": 0, "x": 100},
}


def party_list_world(world: dict[str, Any]) -> dict[str, Any]:
    Election.objects.filter(pk=world["election"].pk).update(law_edition="kg-2021")
    world["election"].refresh_from_db()
    parties = [
        {"id": p, "kind": "party", "name": text(f"Party {p}"), "party": text(f"Party {p}")}
        for p in ("p1", "p2", "p3", "p4")
    ]
    against = {"id": "x", "kind": "against_all", "name": text("Against all")}
    contest = {
        "id": "list",
        "kind": "party_list",
        "title": text("Jogorku Kenesh, party lists"),
        "seats": 54,
        "options": [*parties, against],
    }
    define(world, [contest], everywhere(world, "list"))
    for station in world["stations"]:
        votes = PARTY_VOTES[station.number]
        accept(world, station, contest="list", votes=votes, lines=balanced(votes))
    return world


def test_party_list_seats_follow_the_threshold_and_the_quota(world: dict[str, Any]) -> None:
    party_list_world(world)
    code = world["election"].code
    data = Client().get(reverse("results:contest_json", args=[code, "list"])).json()
    assert schema_errors(data) == []
    outcome = data["contest"]["outcome"]
    assert outcome["final"] is True and outcome["status"] == "elected"
    # 7,030 took part (6,800 for lists, 200 against all, 30 invalid): 5 % is 352 votes;
    # p4 has 800 nationally but none in Naryn, where 0.5 % of 2,010 is 11 votes.
    assert outcome["thresholds"]["national"]["required"] == 352
    assert outcome["thresholds"]["national"]["of"] == 7030
    assert outcome["failed"] == {"p4": ["KG-N"]}
    # Hare: 6,000 votes of the lists that passed / 54 seats = 111.11 a seat: 27, 18, 9.
    assert outcome["seats"] == {"p1": 27, "p2": 18, "p3": 9, "p4": 0}
    assert outcome["quota"] == "111.1111"
    assert [o["option"] for o in data["contest"]["options"] if o["winner"]] == ["p1", "p2", "p3"]

    page = Client().get(reverse("results:contest", args=[code, "list"])).content.decode()
    shown = visible(page)
    edition = load_edition("kg-2021")
    system = edition.counting.party_list
    assert system is not None
    article = localize_cite(system.threshold_share.cite, "ru")
    act = system.threshold_share.citation_in("ru").removeprefix(f"{article}, ")
    assert re.search(rf"5\s?% .*\({re.escape(article)}", shown), "the threshold cites the law"
    assert shown.count(act) == 1, "the act is named once, under the explanation"
    assert "111,11" in shown, "the quota, as the reader's locale writes it"
    hemicycle = [s for s in re.findall(r"<svg.*?</svg>", page, re.S) if "<circle" in s]
    assert hemicycle and len(re.findall(r"<circle", hemicycle[0])) >= 54
    national = Client().get(reverse("results:election", args=[code])).content.decode()
    assert 'class="outcome' in national, "the national page explains the seats too"


# -- districts (kg-2025) --------------------------------------------------------------------


def candidate(option: str, sex: str) -> dict[str, Any]:
    return {"id": option, "kind": "candidate", "name": text(option.upper()), "sex": sex}


def district(number: int, sexes: str) -> dict[str, Any]:
    options = [candidate(f"d{number}-c{i}", sex) for i, sex in enumerate(sexes, 1)]
    options.append({"id": f"d{number}-x", "kind": "against_all", "name": text("Against all")})
    return {
        "id": f"d{number}",
        "kind": "district",
        "title": text(f"District {number}"),
        "seats": 3,
        "district": f"D{number}",
        "options": options,
    }


def districts_world(world: dict[str, Any]) -> dict[str, Any]:
    s101, s102, s201 = world["stations"]
    region = world["regions"][1]
    s202 = f.station(202, district_=f.district(region), tec_=world["tecs"][1])
    world["stations"] = (s101, s102, s201, s202)
    contests = [district(1, "MMMF"), district(2, "MFMF"), district(3, "MMFF"), district(4, "MF")]
    styles = [
        {"id": f"s{n}", "contests": [f"d{n}"], "stations": [str(s.number)]}
        for n, s in enumerate((s101, s102, s201, s202), 1)
    ]
    define(world, contests, styles)
    d1 = {"d1-c1": 300, "d1-c2": 250, "d1-c3": 200, "d1-c4": 100, "d1-x": 50}
    d2 = {"d2-c1": 100, "d2-c2": 90, "d2-c3": 80, "d2-c4": 70, "d2-x": 400}
    d3 = {"d3-c1": 100, "d3-c2": 200, "d3-c3": 300, "d3-c4": 50, "d3-x": 0}
    for station, contest, votes in ((s101, "d1", d1), (s102, "d2", d2), (s201, "d3", d3)):
        accept(world, station, contest=contest, votes=votes, lines=balanced(votes))
    return world


def test_many_district_contests_are_listed_each_with_its_own_page(world: dict[str, Any]) -> None:
    districts_world(world)
    code = world["election"].code
    data = Client().get(reverse("results:election_json", args=[code])).json()
    assert schema_errors(data) == []
    assert data["featured"] == [] and data["headline"] is None
    assert [c["contest"] for c in data["contests"]] == ["d1", "d2", "d3", "d4"]
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    assert '<table class="results">' not in page, "no contest shown in full on the country page"
    (listing,) = re.findall(r'<table class="contests">.*?</table>', page, re.S)
    for n in range(1, 5):
        assert f'href="{reverse("results:contest", args=[code, f"d{n}"])}"' in listing
    rows = {r["code"]: r for r in data["units"]["rows"]}
    assert rows["KG-N"]["contest"] is None, "two districts in Naryn: no single leader"
    assert rows["KG-N"]["status"]["missing"] == 1  # d4 at station 202
    # Turnout over the region's accepted protocols, whatever their district: 665 of 5,000.
    assert rows["KG-N"]["turnout_percent"] == "13.30"
    with translation.override("ru"):
        repeat, several = gettext("repeat election"), gettext("several contests")
    d2 = re.search(r"<tr>(?:(?!</tr>).)*District 2 ru.*?</tr>", listing, re.S)
    assert d2 and repeat in d2.group(0)
    assert several in page.split('<table class="units">')[1]


def test_a_district_seats_two_of_one_sex_at_most(world: dict[str, Any]) -> None:
    districts_world(world)
    code = world["election"].code
    data = Client().get(reverse("results:contest_json", args=[code, "d1"])).json()
    outcome = data["contest"]["outcome"]
    assert outcome["status"] == "elected" and outcome["final"] is True
    assert outcome["winners"] == ["d1-c1", "d1-c2", "d1-c4"]
    assert [p["option"] for p in outcome["passed_over"]] == ["d1-c3"]
    assert data["units"]["level"] == "tec", "a district inside one region lists its TECs"
    (row,) = data["units"]["rows"]
    assert row["code"] == "T1" and row["contests"] == ["d1"]
    assert row["status"]["expected"] == 1, "d2, voted in the same TEC, is not counted here"
    page = Client().get(reverse("results:contest", args=[code, "d1"])).content.decode()
    with translation.override("ru"):
        elected = gettext("elected")
    winners = re.findall(r'<tr class="winner">(.*?)</tr>', page, re.S)
    assert len(winners) == 3 and all(elected in row for row in winners)
    assert "D1-C3 ru" not in "".join(winners)


def test_against_all_ahead_of_the_leader_means_a_repeat_election(world: dict[str, Any]) -> None:
    districts_world(world)
    code = world["election"].code
    data = Client().get(reverse("results:contest_json", args=[code, "d2"])).json()
    outcome = data["contest"]["outcome"]
    assert outcome["status"] == "repeat" and outcome["winners"] == []
    page = Client().get(reverse("results:contest", args=[code, "d2"])).content.decode()
    assert '<tr class="winner">' not in page


def test_no_majority_means_a_run_off_between_the_two_leaders(world: dict[str, Any]) -> None:
    from counting_results_helpers import import_definition

    import_definition(world)
    votes = {"a": 250, "b": 200, "c": 100}
    for station in world["stations"]:
        accept(world, station, votes=votes)
    code = world["election"].code
    contest = Client().get(reverse("results:election_json", args=[code])).json()["contests"][0]
    assert contest["outcome"]["status"] == "runoff"
    assert contest["outcome"]["runoff"] == ["a", "b"] and contest["outcome"]["winners"] == []
    assert [o["option"] for o in contest["options"] if o["runoff"]] == ["a", "b"]
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    with translation.override("ru"):
        runoff = gettext("in the run-off")
    assert page.count(runoff) == 2
