"""Bar and line charts: well-formed, self-contained SVG whatever the labels, a table row per
item, bars whose lengths follow the values, lines that break at a missing value.

Labels are drawn from hostile text (markup, quotes, ampersands, control characters): the
chart must stay a single well-formed SVG and say each label as text, never as markup."""

from __future__ import annotations

import itertools
import math
import re
from xml.etree.ElementTree import Element

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.common.charts import Bar, Chart, Series, bar_chart, line_chart
from shailoo.common.charts.lines import runs
from shailoo.common.safe_xml import local_name, parse_xml

SVG = "{http://www.w3.org/2000/svg}"
#: Label text a hostile or careless file may carry: markup, quotes, entities, control
#: characters, right-to-left marks, emoji; anything but lone surrogates.
labels = st.text(
    alphabet=st.sampled_from(list("<>&\"' ;=/\\\x00\x1b\u202e✓")) | st.characters(codec="utf-8"),
    max_size=40,
)
values = st.floats(min_value=-1e9, max_value=1e12, allow_nan=False, allow_infinity=False)
bars = st.builds(Bar, labels, values, labels, st.booleans())


def parse(chart: Chart) -> Element:
    """The chart's SVG as XML (refused if not well-formed), with the page-safety checks every
    chart must pass: an image role labelled by its title and description, no script, no style,
    no link outside the site or http(s), a fixed viewBox and a width that scales."""
    root = parse_xml(chart.svg.encode("utf-8"), "chart")
    assert local_name(root.tag) == "svg"
    links = list(root.iter(f"{SVG}a"))
    # an image, or a group when it holds links (inside an image they would be unreachable)
    assert root.get("role") == ("group" if links else "img") and root.get("width") == "100%"
    for link in links:
        assert "".join(link.itertext()).strip(), "a link says what it links to"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox") or "")
    title, desc = root[0], root[1]
    assert (local_name(title.tag), local_name(desc.tag)) == ("title", "desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    for element in root.iter():
        assert local_name(element.tag) not in {"script", "style", "foreignObject", "image", "use"}
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        href = element.get("href")
        if href is not None:
            assert re.match(r"(/(?!/)|\?|#|https?://)", href)
        for value in element.attrib.values():
            assert "url(" not in value
    return root


def clean(text: str) -> str:
    """``text`` as XML can carry it (what the chart keeps of a label)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]", "", text)


def widths(root: Element) -> list[float]:
    return [
        float(r.get("width") or "nan") for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"
    ]


# -- bars ----------------------------------------------------------------------------------------


@given(st.lists(bars, max_size=25), labels, labels)
def test_any_bars_make_well_formed_svg_and_a_row_each(
    items: list[Bar], title: str, header: str
) -> None:
    chart = bar_chart(items, title=title, value_header=header)
    root = parse(chart)
    assert (root[0].text or "") == clean(title).replace("\r\n", "\n").replace("\r", "\n")
    assert len(chart.table.rows) == len(items)
    assert chart.table.headers[1] == header
    for bar, row in zip(items, chart.table.rows, strict=True):
        assert row == (("✓ " if bar.highlight else "") + bar.label, bar.display)
    assert len(widths(root)) == len(items)


@given(st.lists(values, min_size=1, max_size=30))
def test_bar_lengths_follow_the_values(numbers: list[float]) -> None:
    root = parse(
        bar_chart(
            [Bar(str(i), v, str(v)) for i, v in enumerate(numbers)], title="t", value_header="v"
        )
    )
    drawn = widths(root)
    for i, (v, w) in enumerate(zip(numbers, drawn, strict=True)):
        assert w >= 0
        assert (w > 0) == (v > 0), "a positive value always shows, zero or less never"
        for u, x in zip(numbers[i + 1 :], drawn[i + 1 :], strict=True):
            if v < u:
                assert w <= x
            elif v == u:
                assert w == x
    longest = max(drawn)
    biggest = max(numbers)
    if biggest > 0:
        assert drawn[numbers.index(biggest)] == longest
        # proportional (within rounding to 2 decimals), not merely ordered
        for v, w in zip(numbers, drawn, strict=True):
            if v > 0 and v / biggest * longest >= 1:
                assert w == pytest.approx(v / biggest * longest, abs=0.01)


def test_bars_keep_the_given_order_and_mark_the_winner_by_more_than_colour() -> None:
    chart = bar_chart(
        [
            Bar("Садыр", 60.0, "60 %", highlight=True, href="/results/?region=KG-C"),
            Bar("Адахан", 40.0, "40 %"),
        ],
        title="Votes",
        value_header="Share",
        label_header="Candidate",
    )
    root = parse(chart)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["✓ Садыр", "✓ 60 %"] and texts[2:4] == ["Адахан", "40 %"]
    bold = [t for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert len(bold) == 2
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == "/results/?region=KG-C"
    assert root.get("role") == "group"
    assert chart.table.headers == ("Candidate", "Share")
    assert chart.table.hrefs == ("/results/?region=KG-C", None)
    assert chart.table.entries[0] == ("/results/?region=KG-C", "✓ Садыр", ("60 %",))


def test_markup_in_a_label_stays_text() -> None:
    chart = bar_chart(
        [Bar('<script>alert("x")</script>&amp;', 1.0, "<b>1</b>")], title="<t>", value_header="v"
    )
    root = parse(chart)
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert any("".join(t.itertext()) == "<b>1</b>" for t in root.iter(f"{SVG}text"))


def test_no_bars_all_zeros_and_one_bar() -> None:
    empty = bar_chart([], title="Nothing", value_header="v")
    assert parse(empty) is not None and empty.table.rows == ()
    zeros = parse(bar_chart([Bar("a", 0.0, "0"), Bar("b", 0.0, "0")], title="z", value_header="v"))
    assert widths(zeros) == [0.0, 0.0]
    (one,) = widths(parse(bar_chart([Bar("a", 5.0, "5")], title="o", value_header="v")))
    assert one > 100


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "data:text/html,x", "//evil.example/", " /x", "vbscript:x"]
)
def test_a_link_that_is_no_page_is_refused(href: str) -> None:
    with pytest.raises(ValueError, match="refused link"):
        bar_chart([Bar("a", 1.0, "1", href=href)], title="t", value_header="v")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_value_that_is_no_number_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        bar_chart([Bar("a", value, "?")], title="t", value_header="v")


def test_the_same_chart_renders_the_same_and_two_charts_have_two_ids() -> None:
    one = bar_chart([Bar("a", 1.0, "1")], title="t", value_header="v")
    assert one == bar_chart([Bar("a", 1.0, "1")], title="t", value_header="v")
    other = bar_chart([Bar("a", 2.0, "2")], title="t", value_header="v")
    assert parse(one)[0].get("id") != parse(other)[0].get("id")


# -- lines ---------------------------------------------------------------------------------------

maybe = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def line_data(draw: st.DrawFn) -> tuple[list[str], list[Series]]:
    count = draw(st.integers(0, 14))
    x = draw(st.lists(labels, min_size=count, max_size=count))
    series = draw(
        st.lists(
            st.builds(Series, labels, st.lists(maybe, min_size=count, max_size=count).map(tuple)),
            max_size=5,
        )
    )
    return x, series


def pct(value: float) -> str:
    return f"{value:.1f} %"


@given(line_data(), labels)
def test_any_lines_make_well_formed_svg_and_a_row_per_x_label(
    data: tuple[list[str], list[Series]], title: str
) -> None:
    x, series = data
    chart = line_chart(series, title=title, x_labels=x, value_header="%", fmt=pct)
    root = parse(chart)
    assert len(chart.table.rows) == len(x)
    assert chart.table.headers[1:] == tuple(s.label for s in series)
    for i, row in enumerate(chart.table.rows):
        assert row[0] == x[i]
        assert row[1:] == tuple(
            "—" if s.values[i] is None else pct(s.values[i] or 0.0) for s in series
        )
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    assert len(groups) == len(series)
    for group, s in zip(groups, series, strict=True):
        lines = list(group.iter(f"{SVG}polyline"))
        points = [g for g in group.iter(f"{SVG}g") if g.get("class") == "point"]
        assert len(points) == sum(v is not None for v in s.values), "every known value marked"
        assert len(lines) == sum(len(r) > 1 for r in runs(s.values)), "a gap breaks the line"
        for line in lines:
            assert line.get("stroke-dasharray") is None or re.fullmatch(
                r"[\d ]+", line.get("stroke-dasharray") or ""
            )


@given(st.lists(maybe, max_size=30))
def test_runs_split_the_known_values_at_each_gap(values: list[float | None]) -> None:
    found = runs(values)
    assert [i for run in found for i in run] == [i for i, v in enumerate(values) if v is not None]
    for run in found:
        assert run == list(range(run[0], run[-1] + 1))
    for before, after in itertools.pairwise(found):
        assert any(values[i] is None for i in range(before[-1] + 1, after[0]))


def test_two_series_differ_by_colour_dash_and_marker_and_the_axis_starts_at_zero() -> None:
    chart = line_chart(
        [Series("Country", (5.0, 20.0, 52.3)), Series("Chuy", (4.0, None, 48.0))],
        title="Turnout",
        x_labels=["10:00", "12:00", "20:00"],
        value_header="Turnout",
        fmt=pct,
    )
    root = parse(chart)
    country, chuy = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    (line,) = country.iter(f"{SVG}polyline")
    assert not list(chuy.iter(f"{SVG}polyline")), "4 then a gap then 48: two lone markers"
    assert line.get("stroke") != "#d55e00" and line.get("stroke-dasharray") is None
    assert list(country.iter(f"{SVG}circle")) and list(chuy.iter(f"{SVG}rect"))
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert [g.find(f"{SVG}line").get("stroke-dasharray") for g in legend] == [None, "8 4"]
    ticks = ["".join(t.itertext()) for t in root.find(f"{SVG}g[@class='axes']").iter(f"{SVG}text")]
    assert ticks[:6] == ["0.0 %", "20.0 %", "40.0 %", "60.0 %", "80.0 %", "100.0 %"]
    assert chart.table.rows[1] == ("12:00", "20.0 %", "—")
    assert "Country: 20:00 52.3 %" in (root[1].text or "")


def test_lines_refuse_a_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="2 values for 3 x labels"):
        line_chart(
            [Series("a", (1.0, 2.0))],
            title="t",
            x_labels=["a", "b", "c"],
            value_header="v",
            fmt=pct,
        )


def test_no_series_and_no_hours_still_draw_an_empty_chart() -> None:
    assert parse(line_chart([], title="t", x_labels=[], value_header="v", fmt=pct)) is not None
    chart = line_chart(
        [Series("a", (None, None))], title="t", x_labels=["1", "2"], value_header="v", fmt=pct
    )
    parse(chart)
    assert chart.table.rows == (("1", "—"), ("2", "—"))
