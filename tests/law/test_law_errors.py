"""Broken edition files: every problem names the exact key path and the line it is on."""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.common.problems import Problem
from shailoo.law.loader import LawError, format_problem, load_edition, parse_edition

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
GOOD = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")


#: The sections the edits below look in: the candidates section (last in the file) repeats
#: many of the texts they look for.
_CANDIDATES = "\ncandidates:\n"


def edit(old: str, new: str, text: str = GOOD) -> str:
    """``text`` with ``old`` replaced, ``old`` occurring once before the candidates section."""
    head, sep, tail = text.partition(_CANDIDATES)
    assert head.count(old) == 1, f"{old!r} must occur exactly once"
    return head.replace(old, new) + sep + tail


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line before the candidates section that contains ``needle``."""
    head = text.partition(_CANDIDATES)[0]
    hits = [n for n, line in enumerate(head.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} on lines {hits}"
    return hits[0]


def problems(text: str, tmp_path: Path, name: str = "kg-2025") -> tuple[Problem, ...]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LawError) as caught:
        load_edition(path)
    assert caught.value.source == str(path)
    return caught.value.problems


def only(found: tuple[Problem, ...]) -> Problem:
    assert len(found) == 1, found
    return found[0]


def test_the_unbroken_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "kg-2025.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_edition(path).voters.min_age.value == 18


def test_negative_age(tmp_path: Path) -> None:
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: -1\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "voters.min_age.value"
    assert problem.line == line_of(text, "value: -1")
    assert "greater than 0" in problem.why


def test_wrong_type_is_not_coerced(tmp_path: Path) -> None:
    text = edit("    value: 70\n", "    value: '70'\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "calendar.preliminary_list_days_before.value"
    assert problem.line == line_of(text, "value: '70'")
    assert "integer" in problem.why and "'70'" in problem.why


def test_a_yes_no_value_is_not_an_age(tmp_path: Path) -> None:
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: true\n")
    assert only(problems(text, tmp_path)).where == "voters.min_age.value"


def test_missing_key_points_at_its_parent(tmp_path: Path) -> None:
    text = edit(
        "  correction_answer_days:\n    value: 7\n    cite: Art. 15\n",
        "  correction_answer_days:\n    value: 7\n",
    )
    problem = only(problems(text, tmp_path))
    assert problem.where == "calendar.correction_answer_days.cite"
    assert problem.line == line_of(text, "correction_answer_days:")
    assert problem.why == "required key is missing"


def test_missing_parameter(tmp_path: Path) -> None:
    text = edit(
        "  correction_answer_days:\n    value: 7\n    cite: Art. 15\n    source: law-68\n", ""
    )
    problem = only(problems(text, tmp_path))
    assert problem.where == "calendar.correction_answer_days"
    assert problem.line == line_of(text, "calendar:")


def test_citation_missing_or_blank(tmp_path: Path) -> None:
    text = edit("    value: KG\n    cite: Art. 2(4)\n", "    value: KG\n    cite: '  '\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "voters.citizenship.cite"
    assert problem.line == line_of(text, "cite: '  '")
    assert "blank" in problem.why


def test_extra_key(tmp_path: Path) -> None:
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: 18\n    vlaue: 19\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "voters.min_age.vlaue"
    assert problem.line == line_of(text, "vlaue")
    assert "unknown key" in problem.why


def test_extra_section(tmp_path: Path) -> None:
    text = "unknown_section:\n  president_min_age: 35\n" + GOOD
    problem = only(problems(text, tmp_path))
    assert (problem.where, problem.line) == ("unknown_section", 1)


def test_impossible_date(tmp_path: Path) -> None:
    text = edit("in_force_from: 2025-06-01", "in_force_from: 2025-02-30")
    problem = only(problems(text, tmp_path))
    assert problem.where == "meta.in_force_from"
    assert problem.line == line_of(text, "2025-02-30")
    assert "not a valid date" in problem.why and "2025-02-30" in problem.why


def test_quoted_date_is_text_not_a_date(tmp_path: Path) -> None:
    text = edit("in_force_from: 2025-06-01", "in_force_from: '2025-06-01'")
    problem = only(problems(text, tmp_path))
    assert problem.where == "meta.in_force_from"
    assert "not a valid date" in problem.why


def test_unknown_enum_value(tmp_path: Path) -> None:
    text = edit("value: registered_address_with_remote", "value: anywhere")
    problem = only(problems(text, tmp_path))
    assert problem.where == "polling.voting_place_mode.value"
    assert problem.line == line_of(text, "value: anywhere")


def test_country_code_in_lower_case(tmp_path: Path) -> None:
    text = edit("  country: KG", "  country: kg")
    problem = only(problems(text, tmp_path))
    assert problem.where == "meta.country"
    assert "ISO 3166-1" in problem.why


def test_several_problems_are_all_reported_in_line_order(tmp_path: Path) -> None:
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: 0\n")
    text = edit("    value: 7\n", "    value: seven\n", text)
    found = problems(text, tmp_path)
    assert [p.where for p in found] == [
        "voters.min_age.value",
        "calendar.correction_answer_days.value",
    ]
    assert [p.line for p in found] == [line_of(text, "value: 0"), line_of(text, "value: seven")]


def test_duplicate_key(tmp_path: Path) -> None:
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: 18\n    value: 21\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "voters.min_age.value"
    assert problem.line == line_of(text, "value: 21")
    assert "twice" in problem.why


def test_unknown_source(tmp_path: Path) -> None:
    text = edit("    source: cec-practice\n", "    source: cec-practise\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "polling.max_registered_per_dwelling.source"
    assert problem.line == line_of(text, "cec-practise")
    assert "cec-practice" in problem.why


def test_meta_id_must_match_the_file_name(tmp_path: Path) -> None:
    problem = only(problems(GOOD, tmp_path, name="kg-2026"))
    assert problem.where == "meta.id"
    assert problem.line == line_of(GOOD, "id: kg-2025")


def test_supersedes_an_edition_that_does_not_exist(tmp_path: Path) -> None:
    text = edit("supersedes: kg-2021", "supersedes: kg-2019")
    problem = only(problems(text, tmp_path))
    assert (problem.where, problem.line) == ("meta.supersedes", line_of(text, "kg-2019"))


def test_remote_voting_key_must_match_the_mode(tmp_path: Path) -> None:
    text = edit("value: registered_address_with_remote", "value: registered_address")
    problem = only(problems(text, tmp_path))
    assert problem.where == "polling.remote_voting_outside_own_district_only"
    assert problem.line == line_of(text, "remote_voting_outside_own_district_only")
    assert "only allowed" in problem.why


def test_corrections_cannot_close_before_the_list_is_posted(tmp_path: Path) -> None:
    text = edit("    value: 70\n", "    value: 10\n")
    problem = only(problems(text, tmp_path))
    assert problem.where == "calendar.correction_deadline_days_before.value"
    assert "posted 10 days before" in problem.why


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    text = edit("  country: KG", "  country: [KG")
    problem = only(problems(text, tmp_path))
    assert problem.where == ""
    assert problem.line is not None and problem.line >= line_of(text, "[KG")
    assert problem.why.startswith("YAML syntax")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n", "just text\n"])
def test_not_an_edition_at_all(text: str, tmp_path: Path) -> None:
    problem = only(problems(text, tmp_path))
    assert problem.where == ""


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LawError) as caught:
        load_edition(tmp_path / "missing.yaml")
    assert "cannot read" in only(caught.value.problems).why


def test_problem_format_and_error_message(tmp_path: Path) -> None:
    problem = Problem("voters.min_age.value", "too small", 41, "x.yaml")
    assert format_problem(problem) == "x.yaml:41: voters.min_age.value: too small"
    assert format_problem(Problem("", "empty", source="x.yaml")) == "x.yaml: <file>: empty"
    with pytest.raises(LawError, match=r"^<text>:\d+: voters.min_age.value: "):
        parse_edition(edit("  min_age:\n    value: 18\n", "  min_age:\n    value: -5\n"))


def _laughs(levels: int) -> str:
    """The "billion laughs": nine aliases of the level below on each level."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [6, 9, 12])
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, levels: int) -> None:
    """Once: six levels took 1.3 s and 179 MB, nine ran for minutes until killed."""
    import time
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    found = problems(_laughs(levels), tmp_path)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5_000_000, (elapsed, peak)
    problem = only(found)
    assert (problem.line, problem.why) == (2, "alias *a0 refused: this file may not use aliases")


def test_the_editions_use_no_aliases_and_yaml_bombs_of_other_kinds_are_refused(
    tmp_path: Path,
) -> None:
    for name in ("kg-2020", "kg-2021", "kg-2025"):
        assert "*" not in (EDITIONS_DIR / f"{name}.yaml").read_text().replace("**", "")
    deep = problems("meta: " + "[" * 50_000 + "]" * 50_000 + "\n", tmp_path)
    assert only(deep).why == "nested deeper than 64 levels"
    text = edit("  min_age:\n    value: 18\n", "  min_age:\n    value: " + "9" * 5000 + "\n")
    huge = only(problems(text, tmp_path))
    assert huge.why == "an integer of 5000 digits (at most 20)"
    assert huge.line == line_of(text, "9" * 5000)
    nan = only(problems(edit("    value: 70\n", "    value: .nan\n"), tmp_path))
    assert nan.why == ".nan is not a finite number"
    path = tmp_path / "kg-2025.yaml"
    path.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    with pytest.raises(LawError, match="larger than 1048576 bytes"):
        load_edition(path)
