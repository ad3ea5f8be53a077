"""The ballot reader on real rasterised ballots, one distortion at a time; never a misread."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.counting.definition import BallotStyle
from shailoo.counting.omr import locate_contest, read_image_file, read_sheet
from shailoo.counting.reads import ContestOutcome, Reason, SheetRead, SheetStatus, Thresholds
from shailoo.synth import ballots as sb
from shailoo.synth.ballot_definitions import make_ballot_definition

DEFINITION = make_ballot_definition(seed=3, district_candidates=8, parties=8, local_parties=6)
STATION = "1001"
DPI = 150
LIMITS = Thresholds()
PLAIN = sb.Distortion()


def _plan(
    marks: list[sb.MarkSpec],
    distortion: sb.Distortion = PLAIN,
    style: str = "combined",
    serial: str = "000001",
) -> sb.SheetPlan:
    return sb.SheetPlan(style, serial, tuple(marks), (), distortion, seed=11)


def _read(plan: sb.SheetPlan, station: str = STATION) -> SheetRead:
    image = sb.render_plan(DEFINITION, station, plan, DPI, exact_pdf=True)
    return read_sheet(image, DEFINITION, STATION, LIMITS, source="test")


def test_colour_image_is_read_as_grey() -> None:
    image = sb.render_plan(DEFINITION, STATION, _plan(VOTES), DPI)
    colour = np.dstack([image, image, image])
    _assert_votes(read_sheet(colour, DEFINITION, STATION, LIMITS))


def _mark(contest: str, option: str, kind: sb.MarkKind = "fill") -> sb.MarkSpec:
    return sb.random_mark(random.Random(f"{contest}{option}{kind}"), contest, option, kind)


VOTES = [
    _mark("jk-list", "party02"),
    _mark("jk-d07", "c05", "tick"),
    _mark("local-council", "against-all", "cross"),
]


def _votes(read: SheetRead) -> dict[str, tuple[str, ...]]:
    return {c.contest_id: c.votes for c in read.contests}


def _assert_votes(read: SheetRead) -> None:
    assert read.status is SheetStatus.READABLE, read.reasons
    assert not read.needs_adjudication
    assert _votes(read) == {
        "jk-list": ("party02",),
        "jk-d07": ("c05",),
        "local-council": ("against-all",),
    }


def test_clean_sheet_reads_fills_ticks_and_crosses() -> None:
    read = _read(_plan(VOTES))
    _assert_votes(read)
    assert read.serial == "000001" and read.style_id == "combined" and read.station == STATION
    assert read.thresholds == LIMITS
    blank = [s.fill for c in read.contests for s in c.selections if not s.marked]
    assert max(blank) < 0.02


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_each_orientation_with_skew_and_scale(orientation: int) -> None:
    skew = 4.8 if orientation in (0, 180) else -4.8
    scale = 1.03 if orientation in (0, 90) else 0.97
    read = _read(_plan(VOTES, sb.Distortion(orientation=orientation, skew=skew, scale=scale)))
    _assert_votes(read)
    assert read.geometry["orientation"] == orientation


@pytest.mark.parametrize(
    "distortion",
    [
        sb.Distortion(noise=0.05),
        sb.Distortion(blur=1.3),
        sb.Distortion(light=0.35),
        sb.Distortion(folds=2),
        sb.Distortion(stray=4),
        sb.Distortion(fmt="jpeg", jpeg_quality=70),
        sb.Distortion(backing=0.1, skew=-3.0, missing_corner="bottom-left"),
    ],
    ids=["noise", "blur", "light", "folds", "stray", "jpeg", "dark-lid-torn"],
)
def test_each_distortion(distortion: sb.Distortion) -> None:
    plan = _plan(VOTES, distortion)
    image = sb.render_plan(DEFINITION, STATION, plan, DPI)
    if distortion.fmt == "jpeg":
        import cv2

        data = sb.encode_image(image, "jpeg", distortion.jpeg_quality)
        image = np.asarray(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE))
    _assert_votes(read_sheet(image, DEFINITION, STATION, LIMITS))


def test_pencil_marks_are_read() -> None:
    marks = [
        _mark("jk-list", "party02", "pencil-fill"),
        _mark("jk-d07", "c05", "pencil-tick"),
        _mark("local-council", "against-all", "fill"),
    ]
    _assert_votes(_read(_plan(marks, sb.Distortion(noise=0.03, blur=0.8))))


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_one_lost_corner_mark_is_inferred(corner: sb.Corner) -> None:
    read = _read(_plan(VOTES, sb.Distortion(missing_corner=corner, orientation=90, skew=2.0)))
    _assert_votes(read)
    assert read.geometry["corners_inferred"] == 1


def test_two_lost_corners_go_to_adjudication() -> None:
    read = _read(_plan(VOTES, sb.Distortion(missing_corner="top-left", missing_corners=2)))
    assert read.status is SheetStatus.UNREADABLE
    assert read.reasons == (Reason.TIMING_MARK_MISSING,)
    assert read.needs_adjudication and not read.contests


def test_unreadable_qr_goes_to_adjudication() -> None:
    read = _read(_plan(VOTES, sb.Distortion(qr_damaged=True)))
    assert read.status is SheetStatus.UNREADABLE
    assert read.reasons == (Reason.QR_UNREADABLE,)
    assert read.needs_adjudication


def test_blank_page_has_no_frame() -> None:
    read = read_sheet(np.full((1200, 850), 240, np.uint8), DEFINITION, STATION, LIMITS)
    assert read.reasons == (Reason.TIMING_MARKS_NOT_FOUND,)


def test_sheet_of_another_station_style_or_election() -> None:
    other_station = read_sheet(
        sb.render_plan(DEFINITION, "1002", _plan(VOTES), DPI), DEFINITION, STATION, LIMITS
    )
    assert other_station.status is SheetStatus.WRONG_STATION
    assert other_station.reasons == (Reason.WRONG_STATION,) and other_station.station == "1002"
    image = sb.render_plan(DEFINITION, STATION, _plan(VOTES), DPI)
    narrowed = DEFINITION.model_copy(
        update={
            "ballot_styles": tuple(
                BallotStyle(id=s.id, contests=s.contests, stations=("1002",))
                if s.id == "combined"
                else s
                for s in DEFINITION.ballot_styles
            )
        }
    )
    wrong_style = read_sheet(image, narrowed, STATION, LIMITS)
    assert wrong_style.status is SheetStatus.WRONG_STYLE
    assert wrong_style.reasons == (Reason.WRONG_STYLE,)
    foreign = read_sheet(image, make_ballot_definition(seed=4), STATION, LIMITS)
    assert foreign.reasons == (Reason.QR_FOREIGN,) and foreign.status is SheetStatus.UNREADABLE


@pytest.mark.parametrize("kind", ["speck", "stroke"])
def test_marginal_mark_goes_to_adjudication(kind: sb.MarkKind) -> None:
    marks = [*VOTES, _mark("jk-list", "party05", kind)]
    read = _read(_plan(marks))
    outcomes = {c.contest_id: c.outcome for c in read.contests}
    assert outcomes["jk-list"] is ContestOutcome.MARGINAL
    assert read.reasons == (Reason.MARGINAL_MARK,) and read.needs_adjudication
    (selection,) = [s for c in read.contests for s in c.selections if s.option_id == "party05"]
    assert selection.marked is None and LIMITS.marginal <= selection.fill < LIMITS.definite


def test_overvote_and_blank_contests() -> None:
    marks = [
        _mark("jk-list", "party01"),
        _mark("jk-list", "party03", "cross"),
        _mark("jk-d07", "c02"),
        _mark("jk-d07", "against-all", "tick"),
    ]
    read = _read(_plan(marks, sb.Distortion(orientation=180)))
    outcomes = {c.contest_id: c.outcome for c in read.contests}
    assert outcomes == {
        "jk-list": ContestOutcome.OVERVOTE,
        "jk-d07": ContestOutcome.OVERVOTE,
        "local-council": ContestOutcome.UNDERVOTE,
    }
    assert not read.needs_adjudication and all(not c.votes for c in read.contests)


def test_locate_contest_boxes_its_ovals() -> None:
    plan = _plan(VOTES, sb.Distortion(orientation=270, skew=3.0))
    image = sb.render_plan(DEFINITION, STATION, plan, DPI)
    read = read_sheet(image, DEFINITION, STATION, LIMITS)
    x, y, w, h = locate_contest(image, DEFINITION, read, "jk-d07")
    assert x >= 0 and y >= 0 and x + w <= image.shape[1] and y + h <= image.shape[0]
    # Turned a quarter, the contest's column is wide along x and short along y.
    assert w > h
    again = locate_contest(
        image,
        DEFINITION,
        SheetRead(read.source, read.status, LIMITS, style_id="combined"),
        "jk-d07",
    )
    assert all(abs(a - b) <= 3 for a, b in zip(again, (x, y, w, h), strict=True))


def test_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_text("not an image")
    read = read_image_file(path, DEFINITION, STATION, LIMITS)
    assert read.reasons == (Reason.IMAGE_UNREADABLE,) and read.source == "scan.png"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.sampled_from(["standard", "hard"]))
def test_random_sheets_are_never_misread(seed: int, setting: sb.Setting) -> None:
    rng = random.Random(seed)
    plan = sb.random_plan(DEFINITION, "combined", "000009", rng, setting)
    read = _read(plan)
    if read.status is not SheetStatus.READABLE:
        return  # sent to a human: not a misread
    truth = {c.contest_id: c for c in plan.contests}
    for contest in read.contests:
        if contest.outcome is ContestOutcome.MARGINAL:
            continue
        expected = truth[contest.contest_id]
        assert contest.outcome.value == expected.outcome, (contest, expected, plan.distortion)
        assert contest.votes == expected.votes


def test_uneven_feed_stretch_on_a_long_ballot() -> None:
    from shailoo.counting.definition import Contest, LocalText, Option

    options = tuple(
        Option(id=f"o{i}", kind="candidate", name=LocalText(ky=f"Талапкер {i}", ru=f"Кандидат {i}"))
        for i in range(22)
    )
    contest = Contest(
        id="k0", kind="local_district", title=LocalText(ky="Кеңеш", ru="Кенеш"), options=options
    )
    long = DEFINITION.model_copy(
        update={
            "contests": (contest,),
            "ballot_styles": (BallotStyle(id="long", contests=("k0",), stations=(STATION,)),),
        }
    )
    plan = sb.SheetPlan(
        "long", "000003", (_mark("k0", "o20", "tick"),), (), sb.Distortion(stretch=1.015, skew=2.0)
    )
    image = sb.render_plan(long, STATION, plan, DPI)
    read = read_sheet(image, long, STATION, LIMITS)
    assert read.status is SheetStatus.READABLE, read.reasons
    assert read.geometry["rows"] > 44
    assert [c.votes for c in read.contests] == [("o20",)]


def test_a_qr_code_that_is_not_ours_is_foreign() -> None:
    from shailoo.counting.ballots import layout as lay
    from shailoo.counting.ballots.pdf import qr_modules

    image = sb.printed_page(DEFINITION, "combined", STATION, "000001", DPI)
    modules = np.array(qr_modules("https://example.org/ballot/1001"), dtype=bool)
    s = DPI / 72.0
    x0, y0, x1, _ = lay.sheet_layout(DEFINITION, "combined").qr_box
    n = modules.shape[0]
    step = (x1 - x0) / n
    image[round(y0 * s) : round((y0 + x1 - x0) * s), round(x0 * s) : round(x1 * s)] = 255
    for r, c in zip(*np.nonzero(modules), strict=True):
        top, left = round((y0 + r * step) * s), round((x0 + c * step) * s)
        image[top : round((y0 + (r + 1) * step) * s), left : round((x0 + (c + 1) * step) * s)] = 0
    read = read_sheet(image, DEFINITION, STATION, LIMITS)
    assert read.reasons == (Reason.QR_FOREIGN,) and read.status is SheetStatus.UNREADABLE


def test_synthetic_scans_are_deterministic(tmp_path: Path) -> None:
    first = sb.make_scans(DEFINITION, STATION, tmp_path / "a", 2, seed=5, dpi=DPI, exact_pdf=False)
    again = sb.make_scans(DEFINITION, STATION, tmp_path / "b", 2, seed=5, dpi=DPI, exact_pdf=False)
    assert first == again
    for truth in first:
        assert (tmp_path / "a" / truth.file).read_bytes() == (
            tmp_path / "b" / truth.file
        ).read_bytes()
    assert (tmp_path / "a" / "truth.json").read_text() == (
        tmp_path / "b" / "truth.json"
    ).read_text()
