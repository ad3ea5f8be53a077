"""The ballot layout: deterministic, everything on the grid, room kept between parts."""

from __future__ import annotations

import pytest

from shailoo.counting.ballots import layout as lay
from shailoo.counting.definition import BallotStyle, Contest, LocalText, Option
from shailoo.synth.ballot_definitions import make_ballot_definition

DEFINITION = make_ballot_definition(seed=5)


def test_layout_is_deterministic_and_has_one_oval_per_option() -> None:
    for style in DEFINITION.ballot_styles:
        first = lay.sheet_layout(DEFINITION, style.id)
        again = lay.sheet_layout(make_ballot_definition(seed=5), style.id)
        assert first == again
        options = [(c.id, o.id) for c in DEFINITION.style_contests(style.id) for o in c.options]
        assert [(o.contest_id, o.option_id) for o in first.ovals] == options


def test_a4_frame_and_orientation_marks() -> None:
    sheet = lay.sheet_layout(DEFINITION, "combined")
    assert sheet.rows == lay.A4_ROWS
    assert sheet.page_height == pytest.approx(lay.A4_HEIGHT, abs=0.01)
    assert len(sheet.marks) == 2 * sheet.rows + 2 * (lay.COLUMNS - 2)
    left = {m.width for m in sheet.marks if m.edge == "left"}
    right = {m.width for m in sheet.marks if m.edge == "right"}
    assert min(left) >= 2 * max(right)  # orientation is read from whole edges
    corners = {(m.col, m.row) for m in sheet.marks}
    assert {(0, 0), (30, 0), (0, 43), (30, 43)} <= corners


def test_ovals_stay_clear_of_marks_qr_and_each_other() -> None:
    sheet = lay.sheet_layout(DEFINITION, "combined")
    qx0, qy0, qx1, qy1 = sheet.qr_box
    points = [sheet.point(o.col, o.row) for o in sheet.ovals]
    for x, y in points:
        assert sheet.point(1, 1)[0] <= x <= sheet.point(lay.COLUMNS - 2, 1)[0]
        assert sheet.point(1, 1)[1] <= y <= sheet.point(1, sheet.rows - 2)[1]
        assert not (qx0 - 20 < x < qx1 + 20 and qy0 - 20 < y < qy1 + 20)
    for i, (x, y) in enumerate(points):
        for u, v in points[i + 1 :]:
            assert abs(x - u) >= 2 * lay.OVAL_WIDTH or abs(y - v) >= 2 * lay.OVAL_HEIGHT


def test_three_contests_take_three_columns() -> None:
    sheet = lay.sheet_layout(DEFINITION, "combined")
    assert sorted({b.col0 for b in sheet.blocks}) == [1.0, 10.0, 19.0]


def _long_definition(candidates: int) -> tuple[object, str]:
    options = tuple(
        Option(id=f"c{i}", kind="candidate", name=LocalText(ky=f"Талапкер {i}", ru=f"Кандидат {i}"))
        for i in range(candidates)
    )
    contests = tuple(
        Contest(
            id=f"k{j}",
            kind="local_district",
            title=LocalText(ky="Кеңеш", ru="Кенеш"),
            options=options,
        )
        for j in range(3)
    )
    data = DEFINITION.model_copy(
        update={
            "contests": contests,
            "ballot_styles": (BallotStyle(id="long", contests=("k0", "k1", "k2")),),
        }
    )
    return data, "long"


def test_sheet_grows_beyond_a4_by_whole_rows_then_refuses() -> None:
    definition, style = _long_definition(25)
    sheet = lay.sheet_layout(definition, style)  # type: ignore[arg-type]
    assert sheet.rows > lay.A4_ROWS
    assert sheet.page_height == pytest.approx(2 * lay.ORIGIN_Y + (sheet.rows - 1) * lay.UNIT)
    definition, style = _long_definition(60)
    with pytest.raises(lay.LayoutError, match="do not fit"):
        lay.sheet_layout(definition, style)  # type: ignore[arg-type]


def test_unknown_style_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        lay.sheet_layout(DEFINITION, "nope")
