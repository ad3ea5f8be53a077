"""The ``candidates`` section of the law editions: the figures users rely on, and exact errors.

Broken files are checked the way an official checks them, with ``shailoo law check FILE`` on
a copy of a packaged edition: each problem must name the key path and the line it is on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from shailoo.law.cli import app
from shailoo.law.loader import LawError, load_edition, parse_edition
from shailoo.law.schema import (
    Candidates,
    LawModel,
    NominationRules,
    OfficeRules,
    Offices,
    ParticipantRules,
    PartyListRules,
    SignatureRules,
)

ROOT = Path(__file__).resolve().parents[2]
EDITIONS_DIR = ROOT / "src" / "shailoo" / "law" / "editions"
EDITIONS = ["kg-2020", "kg-2021", "kg-2025"]
TEXT = {name: (EDITIONS_DIR / f"{name}.yaml").read_text(encoding="utf-8") for name in EDITIONS}


def office(edition_id: str, name: str) -> OfficeRules:
    rules = getattr(load_edition(edition_id).candidates.offices, name)
    assert rules is not None, f"{edition_id} has no {name}"
    return rules


# -- what every edition carries ----------------------------------------------------------


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_every_edition_carries_the_section_fully_cited(edition_id: str) -> None:
    law = load_edition(edition_id)
    params = [(path, p) for path, p in law.parameters() if path.startswith("candidates.")]
    assert len(params) > 40
    known = {source.id for source in law.meta.sources}
    for path, param in params:
        assert param.cite.strip() and param.source in known, path
        # A value the sources do not confirm says why: never a silent guess.
        assert not param.unconfirmed or param.note.strip(), f"{path} is unconfirmed without a note"
    assert law.candidates.participants.domestic_observer_must_be_voter.value is True
    assert law.candidates.participants.international_observers_accredited.value is True
    assert law.candidates.offices.president is not None
    assert law.candidates.offices.jk_deputy is not None


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_president_is_35_with_15_years_in_total(edition_id: str) -> None:
    president = office(edition_id, "president")
    assert president.min_age.value == 35
    assert president.citizenship.value == "KG"
    assert (president.residence_years.value, president.residence_counting.value) == (15, "total")
    assert president.max_absence_days_per_year is None
    assert president.state_language_required.value is True
    assert president.signatures_min is not None and president.signatures_min.value == 30_000
    assert president.deposit_som is not None and president.deposit_som.value == 1_000_000


def test_the_2010_constitution_had_an_age_ceiling_and_one_term() -> None:
    president = office("kg-2020", "president")
    assert president.max_age is not None and president.max_age.value == 70
    assert president.max_age.citation.startswith(
        "Art. 62(1), Constitution of the Kyrgyz Republic (adopted by referendum on 27 June 2010"
    )
    assert president.max_age.citation_in("ru").startswith("ч. 1 ст. 62, Конституция ")
    assert not president.max_age.unconfirmed
    assert president.max_terms is not None and president.max_terms.value == 1
    assert president.deposit_refund_share is not None
    assert (
        president.deposit_refund_share.value == 0.01 and president.deposit_refund_share.unconfirmed
    )


@pytest.mark.parametrize("edition_id", ["kg-2021", "kg-2025"])
def test_no_age_ceiling_and_two_terms_since_2021(edition_id: str) -> None:
    president = office(edition_id, "president")
    assert president.max_age is None
    assert president.max_terms is not None and president.max_terms.value == 2
    assert president.min_age.citation.startswith("Art. 68, Constitution of the Kyrgyz Republic")


def test_a_deputy_in_2020_was_21_with_no_residence_period() -> None:
    deputy = office("kg-2020", "jk_deputy")
    assert deputy.min_age.value == 21 and deputy.min_age.cite == "Art. 70(2)"
    assert deputy.min_age.source == "constitution-2010"
    assert deputy.residence_years.value == 0 and deputy.residence_years.unconfirmed
    assert deputy.min_education.value == "none"
    assert deputy.criminal_record_bars.value == "unexpunged"
    assert deputy.deposit_som is None  # the party paid for its list


@pytest.mark.parametrize("edition_id", ["kg-2021", "kg-2025"])
def test_a_deputy_since_2021_is_25_resident_for_the_last_5_years(edition_id: str) -> None:
    deputy = office(edition_id, "jk_deputy")
    assert deputy.min_age.value == 25 and deputy.min_age.cite == "Art. 59"
    assert (deputy.residence_years.value, deputy.residence_counting.value) == (5, "last_years")
    absence = deputy.max_absence_days_per_year
    assert absence is not None and absence.value == 183 and absence.unconfirmed
    assert deputy.min_education.value == "higher"
    assert deputy.max_age is None and deputy.max_terms is None


def test_an_expunged_record_bars_a_deputy_only_since_2025() -> None:
    assert office("kg-2021", "jk_deputy").criminal_record_bars.value == "unexpunged"
    bar_2025 = office("kg-2025", "jk_deputy").criminal_record_bars
    assert bar_2025.value == "any" and not bar_2025.unconfirmed


def test_deposits_per_candidate_and_per_party() -> None:
    lists_2020 = load_edition("kg-2020").candidates.party_lists
    assert lists_2020 is not None and lists_2020.deposit_som is not None
    assert lists_2020.deposit_som.value == 5_000_000 and lists_2020.deposit_refund_share is None
    lists_2021 = load_edition("kg-2021").candidates.party_lists
    assert lists_2021 is not None and lists_2021.deposit_som is not None
    assert lists_2021.deposit_som.value == 1_000_000
    assert lists_2021.deposit_refund_share is not None
    assert lists_2021.deposit_refund_share.value == 0.05
    district_2021 = office("kg-2021", "jk_deputy").deposit_som
    assert district_2021 is not None and district_2021.value == 100_000
    deputy_2025 = office("kg-2025", "jk_deputy")
    assert deputy_2025.deposit_som is not None and deputy_2025.deposit_som.value == 300_000
    assert deputy_2025.deposit_refund_share is None  # non-refundable


def test_the_2021_list_quotas() -> None:
    lists = load_edition("kg-2021").candidates.party_lists
    assert lists is not None
    assert lists.max_length is not None and lists.max_length.value == 54
    assert lists.max_one_sex_share is not None and lists.max_one_sex_share.value == 0.7
    assert lists.min_minority_share is not None and lists.min_minority_share.value == 0.15
    assert lists.min_young_share is not None and lists.min_young_share.value == 0.15
    assert lists.young_under_age is not None and lists.young_under_age.value == 35
    assert lists.min_with_disabilities is not None and lists.min_with_disabilities.value == 2
    gap = lists.max_sex_gap_positions
    assert gap is not None and gap.value == 3 and gap.unconfirmed
    assert "2011" in gap.note


@pytest.mark.parametrize("edition_id", ["kg-2020", "kg-2021"])
def test_local_deputies_are_left_to_the_local_edition(edition_id: str) -> None:
    assert load_edition(edition_id).candidates.offices.local_deputy is None
    paths = dict(load_edition(edition_id).parameters())
    assert "candidates.offices.president.residence_counting" in paths
    assert not any(path.startswith("candidates.offices.local_deputy.") for path in paths)


def test_local_deputies_in_2025() -> None:
    local = office("kg-2025", "local_deputy")
    assert (local.min_age.value, local.min_education.value) == (21, "secondary")
    assert local.deposit_som is not None and local.deposit_som.value == 0


# -- broken copies, checked with ``shailoo law check`` ------------------------------------


def edit(text: str, old: str, new: str) -> str:
    """Replace ``old`` once inside the candidates section (it must occur there exactly once)."""
    start = text.index("\ncandidates:\n")
    head, section = text[:start], text[start:]
    assert section.count(old) == 1, f"{old!r} must occur exactly once in candidates"
    return head + section.replace(old, new)


def line_of(text: str, needle: str, after: str = "candidates:") -> int:
    """The line that is ``needle`` (indentation aside), the only one below the line ``after``."""
    lines = [line.strip() for line in text.splitlines()]
    first = lines.index(after.strip()) + 1
    hits = [n for n, line in enumerate(lines[first - 1 :], first) if line == needle.strip()]
    assert len(hits) == 1, f"{needle!r} on lines {hits}"
    return hits[0]


def check(text: str, tmp_path: Path, edition_id: str) -> tuple[Path, list[str]]:
    path = tmp_path / f"{edition_id}.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    return path, result.output.splitlines()


def test_an_upper_age_below_the_lower(tmp_path: Path) -> None:
    text = edit(
        TEXT["kg-2020"],
        "      max_age:\n        value: 70\n",
        "      max_age:\n        value: 30\n",
    )
    path, lines = check(text, tmp_path, "kg-2020")
    assert lines == [
        f"{path}:{line_of(text, 'value: 30')}: candidates.offices.president.max_age.value: "
        "must not be below min_age"
    ]


def test_last_years_counting_without_the_absence_limit(tmp_path: Path) -> None:
    text = TEXT["kg-2021"]
    start = text.index("      max_absence_days_per_year:\n")
    end = text.index("      state_language_required:\n", start)
    text = text[:start] + text[end:]
    path, lines = check(text, tmp_path, "kg-2021")
    jk_line = next(n for n, line in enumerate(text.splitlines(), 1) if line == "    jk_deputy:")
    assert lines == [
        f"{path}:{jk_line}: candidates.offices.jk_deputy.max_absence_days_per_year: "
        "required when residence_counting is last_years"
    ]


def test_an_absence_limit_with_total_counting(tmp_path: Path) -> None:
    text = edit(TEXT["kg-2021"], "        value: last_years\n", "        value: total\n")
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'max_absence_days_per_year:')}: "
        "candidates.offices.jk_deputy.max_absence_days_per_year: "
        "only allowed when residence_counting is last_years"
    ]


def test_more_signatures_required_than_allowed(tmp_path: Path) -> None:
    text = edit(TEXT["kg-2021"], "        value: 60000\n", "        value: 20000\n")
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'value: 20000')}: "
        "candidates.offices.president.signatures_max.value: must not be below signatures_min"
    ]


def test_an_unknown_office(tmp_path: Path) -> None:
    text = edit(TEXT["kg-2021"], "    jk_deputy:\n", "    mp:\n")
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'mp:')}: candidates.offices.mp: "
        "unknown key (not part of this schema; check the spelling)"
    ]


def test_an_unknown_participant_role(tmp_path: Path) -> None:
    text = TEXT["kg-2021"]
    start = text.index("    stateless_barred:\n")
    text = text[:start] + text[start:].replace("        - trusted_person\n", "        - proxy\n", 1)
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, '- proxy')}: candidates.participants.stateless_barred.value.2: "
        "Input should be 'candidate_representative', 'authorised_representative', "
        "'trusted_person', 'party_representative', 'domestic_observer', "
        "'international_observer' or 'media', got text 'proxy'"
    ]


def test_a_share_above_one(tmp_path: Path) -> None:
    text = edit(
        TEXT["kg-2021"],
        "    min_minority_share:\n      value: 0.15\n",
        "    min_minority_share:\n      value: 15\n",
    )
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'value: 15', after='party_lists:')}: "
        "candidates.party_lists.min_minority_share.value: "
        "Input should be less than or equal to 1 (got 15)"
    ]


def test_an_age_written_as_text(tmp_path: Path) -> None:
    quoted = "value: '35'"
    text = edit(
        TEXT["kg-2025"],
        "      min_age:\n        value: 35\n",
        f"      min_age:\n        {quoted}\n",
    )
    path, lines = check(text, tmp_path, "kg-2025")
    assert lines == [
        f"{path}:{line_of(text, quoted)}: candidates.offices.president.min_age.value: "
        "Input should be a valid integer, got text '35'"
    ]


def test_a_refund_without_a_deposit(tmp_path: Path) -> None:
    text = TEXT["kg-2021"]
    start = text.index("    deposit_som:\n      value: 1000000\n")
    end = text.index("    deposit_refund_share:\n", start)
    text = text[:start] + text[end:]
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'party_lists:')}: candidates.party_lists.deposit_som: "
        "required when deposit_refund_share is given"
    ]


def test_a_one_sex_limit_no_list_can_meet(tmp_path: Path) -> None:
    text = edit(
        TEXT["kg-2021"],
        "    max_one_sex_share:\n      value: 0.7\n",
        "    max_one_sex_share:\n      value: 0.3\n",
    )
    path, lines = check(text, tmp_path, "kg-2021")
    assert lines == [
        f"{path}:{line_of(text, 'value: 0.3')}: candidates.party_lists.max_one_sex_share.value: "
        "no list can keep each sex under half; write at least 0.5"
    ]


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    text = edit(TEXT["kg-2021"], "    jk_deputy:\n", "    mp:\n")
    text = edit(
        text,
        "    min_minority_share:\n      value: 0.15\n",
        "    min_minority_share:\n      value: 15\n",
    )
    _, lines = check(text, tmp_path, "kg-2021")
    assert [line.split(": ")[1] for line in lines] == [
        "candidates.offices.mp",
        "candidates.party_lists.min_minority_share.value",
    ]


# -- the age window, for any pair ------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(min_age=st.integers(1, 120), max_age=st.integers(1, 120))
def test_an_age_window_is_accepted_exactly_when_it_is_not_empty(min_age: int, max_age: int) -> None:
    text = edit(
        TEXT["kg-2020"],
        "      min_age:\n        value: 35\n",
        f"      min_age:\n        value: {min_age}\n",
    )
    text = edit(
        text, "      max_age:\n        value: 70\n", f"      max_age:\n        value: {max_age}\n"
    )
    if max_age >= min_age:
        president = parse_edition(text, "kg-2020.yaml").candidates.offices.president
        assert president is not None and president.max_age is not None
        assert (president.min_age.value, president.max_age.value) == (min_age, max_age)
    else:
        with pytest.raises(LawError) as caught:
            parse_edition(text, "kg-2020.yaml")
        (problem,) = caught.value.problems
        assert problem.where == "candidates.offices.president.max_age.value"


def test_the_section_is_required(tmp_path: Path) -> None:
    text = TEXT["kg-2021"]
    text = text[: text.index("\ncandidates:\n")] + text[text.index("\nincidents:\n") :]
    path, lines = check(text, tmp_path, "kg-2021")
    root = text.splitlines().index("meta:") + 1  # a missing section points at the top
    assert lines == [f"{path}:{root}: candidates: required key is missing"]


@pytest.mark.parametrize(
    "model",
    [
        Candidates,
        Offices,
        OfficeRules,
        SignatureRules,
        PartyListRules,
        ParticipantRules,
        NominationRules,
    ],
)
def test_every_key_is_in_the_reference(model: type[LawModel]) -> None:
    reference = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    part = reference[reference.index("## `candidates`") : reference.index("## How the eligibility")]
    missing = [key for key in model.model_fields if f"`{key}`" not in part]
    assert not missing, f"docs/law.md does not document {missing}"
