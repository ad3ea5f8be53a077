"""The schema itself: citations, localisation of article references, room for new sections."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import PositiveInt, ValidationError

from shailoo.common.problems import Problem
from shailoo.law.loader import load_edition
from shailoo.law.schema import Cited, Edition, LawModel, localize_cite

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"


@pytest.mark.parametrize(
    ("cite", "ru", "ky"),
    [
        ("Art. 2(4)", "ч. 4 ст. 2", "2-берененин 4-бөлүгү"),
        ("Art. 14(3–4)", "ч. 3–4 ст. 14", "14-берененин 3–4-бөлүктөрү"),
        ("Art. 15", "ст. 15", "15-берене"),
        ("Arts. 67–68", "ст. 67–68", "67–68-беренелер"),
        ("alert threshold", "alert threshold", "alert threshold"),
    ],
)
def test_article_references_in_russian_and_kyrgyz(cite: str, ru: str, ky: str) -> None:
    assert localize_cite(cite, "en") == cite
    assert localize_cite(cite, "ru") == ru
    assert localize_cite(cite, "ky") == ky


def test_a_parameter_outside_an_edition_cites_its_source_id() -> None:
    param = Cited[int](value=18, cite="Art. 2(4)", source="constitution-2021")
    assert param.citation == "Art. 2(4), constitution-2021"
    assert param.note == "" and param.unconfirmed is False


def test_a_parameter_is_strict_and_closed() -> None:
    with pytest.raises(ValidationError):
        Cited[int].model_validate({"value": "18", "cite": "Art. 2(4)", "source": "law-68"})
    with pytest.raises(ValidationError):
        Cited[int].model_validate({"value": 1, "cite": "Art. 1", "source": "x", "page": 3})
    param = Cited[int](value=18, cite="Art. 2(4)", source="law-68")
    with pytest.raises(ValidationError):
        param.value = 16


def test_copying_a_parameter_with_a_new_cite_renders_the_new_cite() -> None:
    age = load_edition("kg-2025").voters.min_age
    assert age.citation_in("ru").startswith("ч. 4 ст. 2, ")
    moved = age.model_copy(update={"cite": "Art. 9"})
    assert moved.citation_in("ru").startswith("ст. 9, Конституция")


class Candidates(LawModel):
    president_min_age: Cited[PositiveInt]

    def consistency(self) -> list[Problem]:
        if self.president_min_age.value < 18:
            return [Problem("president_min_age.value", "below the voting age")]
        return []


class EditionWithCandidates(Edition):
    candidates: Candidates


def test_a_new_section_is_just_a_new_field() -> None:
    data = yaml.safe_load((EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8"))
    data["candidates"] = {
        "president_min_age": {"value": 35, "cite": "Art. 68", "source": "constitution-2021"}
    }
    law = EditionWithCandidates.model_validate(data)
    paths = dict(law.parameters())
    assert paths["candidates.president_min_age"].citation.startswith("Art. 68, Constitution")
    assert law.problems() == []

    data["candidates"]["president_min_age"].update(value=16, source="nowhere")
    broken = EditionWithCandidates.model_validate(data)
    assert [path for path, _ in broken.problems()] == [
        "candidates.president_min_age.source",
        "candidates.president_min_age.value",
    ]
