"""The chain picture: well-formed, self-contained SVG whose every name is escaped."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from shailoo.common.safe_xml import local_name, parse_xml
from shailoo.finance.ownership import Chain, ChainStep, Holding, Node, OwnershipGraph
from shailoo.finance.ownership.picture import chain_svg

DAY = date(2025, 10, 20)


def printing_house() -> OwnershipGraph:
    return OwnershipGraph(
        [
            Node("f", "entity", "Foreign Ltd", "DE"),
            Node("h", "entity", "Holding LLC", "KG"),
            Node("p", "entity", "Printing House LLC", "KG"),
            Node("c", "person", "Citizen", "KG"),
        ],
        [
            Holding("f", "h", 1.0),
            Holding("h", "p", 0.8),
            Holding("c", "p", 0.2),
        ],
    )


def texts(svg: str) -> list[str]:
    root = parse_xml(svg.encode("utf-8"), "chain.svg")
    return ["".join(el.itertext()) for el in root.iter() if local_name(el.tag) == "text"]


def test_an_assessment_is_drawn_with_its_boxes_shares_and_product() -> None:
    found = printing_house().assess("p", DAY, 0.0, 0.5)
    assert found is not None
    svg = chain_svg(found)
    root = parse_xml(svg.encode("utf-8"), "chain.svg")
    assert local_name(root.tag) == "svg"
    shown = texts(svg)
    assert shown[0].startswith("foreign share: direct 0%, through chains 80%")
    assert shown[1:7] == ["Foreign Ltd", "DE", "100%", "Holding LLC", "KG", "80%"]
    assert "= 80%" in shown
    rects = [el for el in root.iter() if local_name(el.tag) == "rect"]
    assert rects[0].get("stroke") != rects[1].get("stroke")  # foreign drawn apart from local


def test_no_chain_still_gives_a_picture() -> None:
    assert texts(chain_svg([])) == ["no chain of foreign ownership"]


HOSTILE = [
    "<script>alert(1)</script>",
    "A & B \"Ltd\" 'x'",
    "]]><x/>",
    "name\x00with\x1bcontrols\ufffe",
    'xlink:href="http://evil.example/"',
]


#: Characters XML 1.0 cannot carry at all (its ``Char`` production), and DEL.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@given(st.lists(st.sampled_from(HOSTILE) | st.text(max_size=40), min_size=1, max_size=4))
def test_hostile_names_are_text_never_markup(names: list[str]) -> None:
    steps = [ChainStep(f"n{i}", name, "RU", 0.5) for i, name in enumerate(names)]
    steps.append(ChainStep("x", "Donor", "KG", None))
    svg = chain_svg([Chain(tuple(steps), 0.5 ** len(names))], title=names[0])
    root = parse_xml(svg.encode("utf-8"), "chain.svg")
    tags = {local_name(el.tag) for el in root.iter()}
    assert tags <= {"svg", "title", "defs", "marker", "path", "g", "rect", "text", "line"}
    for el in root.iter():
        assert not any("href" in attribute for attribute in el.attrib)
    boxes = [el for el in root.iter() if local_name(el.tag) == "g"]
    shown = ["".join(next(iter(box)).itertext()) for box in boxes]
    expected = [f"{NOT_XML.sub('', name or f'n{i}')} (RU)" for i, name in enumerate(names)]
    assert shown == [*expected, "Donor (KG)"]
