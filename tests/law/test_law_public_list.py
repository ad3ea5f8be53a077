"""``voters.public_list``: what the public may see of a station's voter list online.

Every Kyrgyz edition keeps names off the internet (``paper_only``): Art. 15 posts the
preliminary list at the precinct and lets a voter check themself by PIN, and no source says
names and addresses are published online. Publishing them needs a confirmed provision.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.law.loader import LawError, load_edition, parse_edition
from shailoo.law.schema import LANGS, Voters

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
EDITIONS = ["kg-2020", "kg-2021", "kg-2025"]
GOOD = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
MODES = ("paper_only", "names_only", "full")
_BLOCK = re.compile(r"^  public_list:\n(?:    .*\n)*", re.MULTILINE)


def with_public_list(value: str, *, unconfirmed: bool = False, text: str = GOOD) -> str:
    """``text`` with its ``voters.public_list`` replaced by ``value`` (confirmed or not)."""
    block = f"  public_list:\n    value: {value}\n    cite: Art. 15\n    source: law-68\n"
    if unconfirmed:
        block += "    unconfirmed: true\n    note: to be confirmed\n"
    assert len(_BLOCK.findall(text)) == 1
    return _BLOCK.sub(lambda _: block, text)


def line_of(text: str, needle: str, after: str = "  public_list:\n") -> int:
    """1-based line of the first ``needle`` after ``after``."""
    start = text.index(after)
    return text.count("\n", 0, text.index(needle, start)) + 1


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_every_packaged_edition_keeps_names_on_paper(edition_id: str) -> None:
    rule = load_edition(edition_id).voters.public_list
    assert rule.value == "paper_only"
    assert rule.cite == "Art. 15" and rule.source == "law-68"
    assert rule.unconfirmed and "online" in rule.note
    assert rule.citation.startswith("Art. 15, Constitutional Law No. 68")
    assert rule.citation_in("ru").startswith("ст. 15, Конституционный закон")
    assert rule.citation_in("ky").startswith("15-берене, ")


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_the_rule_sits_beside_the_list_posting_it_explains(edition_id: str) -> None:
    """The page says when the list is posted: both parameters cite the same article."""
    law = load_edition(edition_id)
    assert law.calendar.preliminary_list_days_before.value == 70
    assert law.calendar.preliminary_list_days_before.cite == law.voters.public_list.cite
    assert ("voters.public_list", law.voters.public_list) in list(law.parameters())


@given(mode=st.sampled_from(MODES), unconfirmed=st.booleans())
def test_names_online_need_a_confirmed_provision(mode: str, unconfirmed: bool) -> None:
    text = with_public_list(mode, unconfirmed=unconfirmed)
    if mode == "paper_only" or not unconfirmed:
        assert parse_edition(text, "kg-2025.yaml").voters.public_list.value == mode
        return
    with pytest.raises(LawError) as caught:
        parse_edition(text, "kg-2025.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "voters.public_list.unconfirmed"
    assert problem.line == line_of(text, "unconfirmed: true")
    assert mode in problem.why and "paper_only" in problem.why


@given(
    value=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
        lambda v: v not in MODES and v not in ("true", "false", "yes", "no", "on", "off", "null")
    )
)
def test_an_unknown_value_is_refused_at_its_line(value: str) -> None:
    text = with_public_list(value)
    with pytest.raises(LawError) as caught:
        parse_edition(text, "kg-2025.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "voters.public_list.value"
    assert problem.line == line_of(text, f"value: {value}")
    assert all(mode in problem.why for mode in MODES)


@pytest.mark.parametrize(
    ("bad", "why"),
    [("true", "got yes/no value True"), ("Full", "'full'"), ("[full]", "got a list")],
)
def test_a_value_of_the_wrong_kind_is_refused(bad: str, why: str) -> None:
    text = with_public_list(bad)
    with pytest.raises(LawError) as caught:
        parse_edition(text, "kg-2025.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "voters.public_list.value" and why in problem.why


def test_an_edition_without_the_rule_is_refused() -> None:
    """No silent default: an edition that forgets the rule does not load."""
    text = _BLOCK.sub("", GOOD)
    with pytest.raises(LawError) as caught:
        parse_edition(text, "kg-2025.yaml")
    (problem,) = caught.value.problems
    assert problem.where == "voters.public_list"


def test_the_rule_is_shown_in_three_languages() -> None:
    rule = load_edition("kg-2025").voters.public_list
    texts = {lang: rule.citation_in(lang) for lang in LANGS}
    assert len(set(texts.values())) == 3


def test_the_reference_documents_the_rule_and_its_values() -> None:
    reference = (EDITIONS_DIR.parents[3] / "docs" / "law.md").read_text(encoding="utf-8")
    start = reference.index("## `voters`")
    part = reference[start : reference.index("\n## ", start + 1)]
    missing = [key for key in Voters.model_fields if f"`{key}`" not in part]
    assert not missing, f"docs/law.md does not document {missing}"
    (row,) = [line for line in part.splitlines() if line.startswith("| `public_list`")]
    assert all(f"`{mode}`" in row for mode in MODES)
