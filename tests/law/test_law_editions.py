"""The packaged editions load, say what the agreed API promises, and cite every value."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from shailoo.law.loader import LawError, available_editions, load_edition
from shailoo.law.schema import LANGS

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"


def test_the_three_kyrgyz_editions_are_packaged() -> None:
    assert available_editions() == ["kg-2020", "kg-2021", "kg-2025"]


@pytest.mark.parametrize("edition_id", ["kg-2020", "kg-2021", "kg-2025"])
def test_every_packaged_edition_loads_with_its_own_id(edition_id: str) -> None:
    law = load_edition(edition_id)
    assert law.meta.id == edition_id
    assert law.meta.country == "KG"
    assert isinstance(law.meta.in_force_from, date)


@pytest.mark.parametrize("edition_id", ["kg-2020", "kg-2021", "kg-2025"])
def test_agreed_voter_and_calendar_values(edition_id: str) -> None:
    law = load_edition(edition_id)
    assert law.voters.min_age.value == 18
    assert law.voters.citizenship.value == "KG"
    assert law.voters.biometric_registration_required.value is True
    assert law.voters.incapacity_excludes.value is True
    assert law.voters.confinement_excludes.value is True
    assert law.voters.dual_citizens_may_vote.value is True
    assert law.polling.max_registered_per_dwelling.value == 10
    assert law.calendar.preliminary_list_days_before.value == 70
    assert law.calendar.correction_deadline_days_before.value == 15
    assert law.calendar.correction_answer_days.value == 7


def test_voting_place_mode_follows_the_history_of_the_law() -> None:
    modes = {e: load_edition(e).polling.voting_place_mode.value for e in available_editions()}
    assert modes == {
        "kg-2020": "station_change_on_request",
        "kg-2021": "registered_address",
        "kg-2025": "registered_address_with_remote",
    }
    assert load_edition("kg-2025").polling.remote_voting_outside_own_district_only is not None
    assert load_edition("kg-2021").polling.remote_voting_outside_own_district_only is None


def test_editions_form_a_chain_in_time() -> None:
    laws = [load_edition(e) for e in available_editions()]
    assert laws[0].meta.supersedes is None
    for older, newer in itertools.pairwise(laws):
        assert newer.meta.supersedes == older.meta.id
        assert newer.meta.in_force_from > older.meta.in_force_from


@pytest.mark.parametrize("edition_id", ["kg-2020", "kg-2021", "kg-2025"])
def test_every_parameter_has_a_resolved_citation_and_unconfirmed_ones_say_why(
    edition_id: str,
) -> None:
    law = load_edition(edition_id)
    params = list(law.parameters())
    assert len(params) >= 15
    titles = {s.id: s.title for s in law.meta.sources}
    for path, param in params:
        assert param.citation == f"{param.cite}, {titles[param.source].en}", path
        for lang in LANGS:
            assert param.citation_in(lang).endswith(titles[param.source].get(lang)), path
        if param.unconfirmed:
            assert len(param.note) > 20, f"{path} is unconfirmed but has no note"


def test_voting_age_citation_reads_like_a_reference() -> None:
    law = load_edition("kg-2025")
    assert law.voters.min_age.citation.startswith("Art. 2(4), Constitution of the Kyrgyz Republic")
    assert law.voters.min_age.citation_in("ru").startswith("ч. 4 ст. 2, Конституция")
    assert law.voters.biometric_registration_required.citation_in("ky").startswith(
        "14-берененин 2-бөлүгү, «Кыргыз Республикасынын"
    )


def test_2021_constitution_doubts_are_flagged_not_hidden() -> None:
    assert load_edition("kg-2025").voters.incapacity_excludes.unconfirmed
    assert load_edition("kg-2021").voters.confinement_excludes.unconfirmed
    assert not load_edition("kg-2020").voters.incapacity_excludes.unconfirmed


def test_loading_by_id_is_cached_and_by_path_is_fresh() -> None:
    assert load_edition("kg-2025") is load_edition("kg-2025")
    by_path = load_edition(EDITIONS_DIR / "kg-2025.yaml")
    assert by_path is not load_edition("kg-2025")
    assert by_path == load_edition("kg-2025")
    assert load_edition(str(EDITIONS_DIR / "kg-2021.yaml")).meta.id == "kg-2021"


def test_an_unknown_edition_id_names_the_known_ones() -> None:
    with pytest.raises(LawError) as caught:
        load_edition("kg-1999")
    (problem,) = caught.value.problems
    assert "kg-1999" in problem.why and "kg-2025" in problem.why
