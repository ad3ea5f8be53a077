"""The seat hemicycle and the schematic cartogram: exactly the seats given, in wedges left to
right, no two dots on each other; every region's tile exactly once, none on another, the
Kyrgyz regions where the map puts them and any other code after them, never dropped."""

from __future__ import annotations

import itertools
import math
from xml.etree.ElementTree import Element

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_charts_bars_lines import SVG, labels, parse

from shailoo.common.charts import Seats, Tile, cartogram, hemicycle
from shailoo.common.charts import svg as svg_kit
from shailoo.common.charts.cartogram import shade_classes
from shailoo.common.charts.hemicycle import SCALE, TOP, WIDTH
from shailoo.common.charts.layouts import (
    KG_GRID,
    MAX_SEATS,
    hemicycle_rows,
    place_tiles,
    seat_spots,
)
from shailoo.synth.places import ABROAD, REGIONS

# -- hemicycle -----------------------------------------------------------------------------------


def seats_of(root: Element) -> list[list[tuple[float, float, float]]]:
    """Each party's dots as (cx, cy, r), in the order drawn."""
    return [
        [
            (float(c.get("cx") or 0), float(c.get("cy") or 0), float(c.get("r") or 0))
            for c in g.iter(f"{SVG}circle")
        ]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "party"
    ]


@settings(max_examples=60)
@given(
    st.lists(st.builds(Seats, labels, st.integers(0, 120)), max_size=9).filter(
        lambda p: sum(s.seats for s in p) <= 500
    )
)
def test_the_hemicycle_draws_every_seat_once_in_wedges(parties: list[Seats]) -> None:
    chart = hemicycle(parties, title="Jogorku Kenesh", seats_header="Seats")
    root = parse(chart)
    drawn = seats_of(root)
    assert [len(d) for d in drawn] == [p.seats for p in parties if p.seats]
    assert len([c for c in root.iter(f"{SVG}circle") if c.get("class") == "seat"]) == sum(
        p.seats for p in parties
    )
    assert chart.table.rows == tuple((p.label, str(p.seats)) for p in parties)
    # wedges: every seat of a party is at an angle (from the centre) left of the next's seats
    if drawn:
        _, dot = seat_spots(sum(p.seats for p in parties))
        centre_y = TOP + SCALE + dot * SCALE
        angles = [
            [math.atan2(max(0.0, centre_y - cy), cx - WIDTH / 2) for cx, cy, _ in party]
            for party in drawn
        ]
        for left, right in itertools.pairwise(angles):
            assert min(left) >= max(right) - 1e-3


@pytest.mark.parametrize("total", [1, 2, 3, 5, 7, 12, 40, 90, 120, 151, 225, 300, 450, 500])
def test_seats_never_overlap_and_fill_the_half_ring(total: int) -> None:
    spots, radius = seat_spots(total)
    assert len(spots) == total == sum(hemicycle_rows(total))
    points = [(s.x, s.y) for s in spots]
    assert len(set(points)) == total
    for (ax, ay), (bx, by) in itertools.combinations(points, 2):
        assert math.hypot(ax - bx, ay - by) >= 2 * radius - 1e-9
    for s in spots:
        assert 0.4 - 1e-9 <= math.hypot(s.x, s.y) <= 1 + 1e-9 and s.y >= -1e-9
    angles = [s.angle for s in spots]
    assert angles == sorted(angles, reverse=True), "left to right"
    rows = hemicycle_rows(total)
    assert rows == sorted(rows), "outer rows hold more seats"


def test_the_jogorku_kenesh_has_its_majority_line_and_a_legend() -> None:
    parties = [
        Seats("Мекенчил", 18, "#c00000"),
        Seats("Ата-Журт", 16),
        Seats("Ишеним", 15),
        Seats("Алга", 0),
    ]
    chart = hemicycle(parties, title="Seats", seats_header="Seats", majority_label="Majority: 25")
    root = parse(chart)
    majority = [m for m in root.iter(f"{SVG}line") if m.get("class") == "majority"]
    assert len(majority) == 1 and majority[0].get("x1") == majority[0].get("x2") == "320"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Majority: 25" in texts and "49" in texts
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert ["".join(g.find(f"{SVG}text").itertext()) for g in legend] == [
        "Мекенчил — 18",
        "Ата-Журт — 16",
        "Ишеним — 15",
        "Алга — 0",
    ]
    assert legend[0].find(f"{SVG}rect").get("fill") == "#c00000"
    assert seats_of(root)[0][0][2] > 0


def test_the_default_majority_is_more_than_half() -> None:
    root = parse(hemicycle([Seats("a", 45), Seats("b", 45)], title="t", seats_header="s"))
    assert "46" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_no_seats_one_seat_and_too_many() -> None:
    parse(hemicycle([], title="t", seats_header="s"))
    assert seats_of(parse(hemicycle([Seats("a", 0)], title="t", seats_header="s"))) == []
    assert [
        len(p) for p in seats_of(parse(hemicycle([Seats("a", 1)], title="t", seats_header="s")))
    ] == [1]
    with pytest.raises(ValueError):
        hemicycle([Seats("a", MAX_SEATS), Seats("b", 1)], title="t", seats_header="s")
    with pytest.raises(ValueError):
        hemicycle([Seats("a", -1)], title="t", seats_header="s")
    with pytest.raises(ValueError, match="refused colour"):
        hemicycle([Seats("a", 1, 'red" onload="x')], title="t", seats_header="s")


# -- cartogram -----------------------------------------------------------------------------------

codes = st.sampled_from([*KG_GRID, "KG-X", "TEC-1", "X<&>", "kg-c"]) | st.text(
    min_size=1, max_size=8
)
tile_values = st.none() | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def tile_boxes(root: Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each tile's code and rectangle (x, y, width, height), in the order drawn."""
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "tile":
            rect = g.find(f"{SVG}rect")
            assert rect is not None
            x, y, w, h = (float(rect.get(k) or 0) for k in ("x", "y", "width", "height"))
            boxes.append((g.get("data-code") or "", (x, y, w, h)))
    return boxes


@given(st.lists(st.tuples(codes, labels, tile_values), max_size=24, unique_by=lambda t: t[0]))
def test_every_tile_is_placed_once_and_none_overlaps(
    rows: list[tuple[str, str, float | None]],
) -> None:
    tiles = [
        Tile(
            code,
            label,
            value,
            "—" if value is None else f"{value:.1f}",
            href=f"/turnout/?region={i}",
        )
        for i, (code, label, value) in enumerate(rows)
    ]
    chart = cartogram(tiles, title="Turnout", value_header="%", fmt=lambda v: f"{v:.1f}")
    root = parse(chart)
    boxes = tile_boxes(root)
    assert len(boxes) == len(tiles), "every tile drawn, once"
    places = place_tiles([t.code for t in tiles])
    assert len(set(places.values())) == len(tiles)
    for (_, (x, y, _, _)), tile in zip(boxes, tiles, strict=True):
        column, row = places[tile.code]
        assert (x, y) == (8 + column * 122, 8 + row * 76)
    for (_, (ax, ay, aw, ah)), (_, (bx, by, bw, bh)) in itertools.combinations(boxes, 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
    assert len(chart.table.rows) == len(tiles)
    assert chart.table.hrefs == tuple(t.href for t in tiles)
    assert len(list(root.iter(f"{SVG}a"))) == len(tiles)


def test_the_regions_sit_where_the_map_puts_them_and_others_come_after() -> None:
    codes_ = ["KG-O", "Mars", "KG-GB", "ABROAD", "KG-Y", "Venus"]
    places = place_tiles(codes_)
    assert places["KG-O"] == KG_GRID["KG-O"] and places["KG-GB"] == KG_GRID["KG-GB"]
    assert places["ABROAD"] == KG_GRID["ABROAD"]
    below = 1 + max(row for _, row in KG_GRID.values())
    assert places["Mars"] == (0, below) and places["Venus"] == (1, below)
    with pytest.raises(ValueError, match="given twice"):
        place_tiles(["KG-C", "KG-C"])


def test_every_region_of_the_synthetic_country_is_on_the_map() -> None:
    for code in [r.code for r in REGIONS] + [ABROAD.code]:
        assert code in KG_GRID, code
    assert set(KG_GRID) == {
        "KG-B",
        "KG-C",
        "KG-GB",
        "KG-GO",
        "KG-J",
        "KG-N",
        "KG-O",
        "KG-T",
        "KG-Y",
        "ABROAD",
    }
    columns = {place for place in KG_GRID.values()}
    assert len(columns) == len(KG_GRID), "two regions on one square"
    # rough geography: Talas west of Issyk-Kul, Batken south of Talas and west of Osh
    assert KG_GRID["KG-T"][0] < KG_GRID["KG-Y"][0] and KG_GRID["KG-B"][1] > KG_GRID["KG-T"][1]
    assert KG_GRID["KG-B"][0] < KG_GRID["KG-O"][0]


def test_shades_rise_with_the_value_and_the_text_on_each_reads() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0, None]
    assert shade_classes(values, 5) == [0, 1, 2, 3, 4, None]
    assert shade_classes([7.0, 7.0], 5) == [2, 2]
    assert shade_classes([None], 5) == [None]
    chart = cartogram(
        [
            Tile(c, c, v, "x")
            for c, v in zip(["KG-B", "KG-C", "KG-GB", "KG-J", "KG-N", "KG-T"], values, strict=True)
        ],
        title="t",
        value_header="v",
        fmt=lambda v: f"{v:.0f}",
        no_data_label="No figure",
    )
    root = parse(chart)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "tile":
            fill = g.find(f"{SVG}rect").get("fill")
            for text in g.iter(f"{SVG}text"):
                assert svg_kit.contrast_ratio(text.get("fill") or "", fill or "") >= 4.5
    legend = [
        "".join(g.find(f"{SVG}text").itertext())
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend"
    ]
    assert legend == ["10 – 18", "18 – 26", "26 – 34", "34 – 42", "42 – 50", "No figure"]


def test_an_empty_map_and_a_map_of_one() -> None:
    empty = cartogram([], title="t", value_header="v", fmt=str)
    parse(empty)
    assert empty.table.rows == ()
    one = parse(
        cartogram([Tile("KG-N", "Нарын", 61.5, "61,5 %")], title="t", value_header="v", fmt=str)
    )
    assert [code for code, _ in tile_boxes(one)] == ["KG-N"]
