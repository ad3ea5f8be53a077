"""``shailoo ballots``: render, synth, scan, and located errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from counting_nist_sample import schema_errors
from typer.testing import CliRunner

from shailoo.cli import app as shailoo_app
from shailoo.counting.ballots.cli import app
from shailoo.counting.definition import dump_definition
from shailoo.counting.formats.nist_cvr import read_cvr_report
from shailoo.synth.ballot_definitions import make_ballot_definition

DEFINITION = make_ballot_definition(seed=8, district_candidates=6, parties=6, local_parties=5)
runner = CliRunner()


@pytest.fixture()
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "definition.json"
    path.write_text(dump_definition(DEFINITION), encoding="utf-8")
    return path


def test_render_writes_one_pdf_per_style(definition_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    result = runner.invoke(
        app,
        [
            "render",
            "--definition",
            str(definition_file),
            "--station",
            "1001",
            "--out",
            str(out),
            "--sheets",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.pdf"))) == len(DEFINITION.ballot_styles)


def test_synth_then_scan_writes_cast_vote_records(definition_file: Path, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    result = runner.invoke(
        shailoo_app,  # ``shailoo synth ballots`` (also ``shailoo ballots synth``)
        [
            "synth",
            "ballots",
            "--definition",
            str(definition_file),
            "--station",
            "1001",
            "--out",
            str(scans),
            "--sheets",
            "3",
            "--seed",
            "4",
            "--dpi",
            "150",
        ],
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((scans / "truth.json").read_text(encoding="utf-8"))
    assert len(truth) == 3 and all(t["ovals"] for t in truth)
    (scans / "broken.png").write_bytes(b"\x89PNG not really")
    cvr = tmp_path / "cvr.json"
    result = runner.invoke(
        app,
        [
            "scan",
            str(scans),
            "--definition",
            str(definition_file),
            "--station",
            "1001",
            "--out",
            str(cvr),
            "--thresholds",
            "0.1,0.35",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "truth.json: skipped, not an image file" in result.output
    assert "sheets=4" in result.output and "image-unreadable=1" in result.output
    report = json.loads(cvr.read_text(encoding="utf-8"))
    assert report["@type"] == "CVR.CastVoteRecordReport"
    assert schema_errors("NIST_V0_cast_vote_records.json", report) == []
    sheets = read_cvr_report(report, DEFINITION)
    assert len(sheets) == 4
    assert {s.thresholds.definite for s in sheets} == {0.35}
    by_source = {s.source: s for s in sheets}
    for t in truth:
        assert by_source[t["file"]].serial == t["serial"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "missing-dir", "--out", "x.json"], "no such folder"),
        (["scan", ".", "--out", "x.json", "--thresholds", "0.5,0.2"], "--thresholds"),
        (["render", "--out", "o", "--station", "9999"], "--station 9999"),
    ],
)
def test_bad_input_is_located(
    definition_file: Path, args: list[str], message: str, tmp_path: Path
) -> None:
    args = [*args, "--definition", str(definition_file)]
    if "--station" not in args:
        args += ["--station", "1001"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_bad_definition_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    data = json.loads(dump_definition(DEFINITION))
    data["contests"][1]["options"][0]["id"] = ""
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(
        app, ["render", "--definition", str(bad), "--station", "1001", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "contests.1.options.0.id" in result.output


def test_scan_of_a_folder_without_images(definition_file: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    result = runner.invoke(
        app,
        [
            "scan",
            str(tmp_path),
            "--definition",
            str(definition_file),
            "--station",
            "1001",
            "--out",
            str(tmp_path / "c.json"),
        ],
    )
    assert result.exit_code == 2 and "no image files" in result.output


@pytest.mark.django_db
def test_render_without_a_file_uses_the_current_elections_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    import factories
    import shailoo.common.cli
    from shailoo.counting import services
    from shailoo.synth.definition import make_definition

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)  # the test database is set up
    out = tmp_path / "pdf"
    result = runner.invoke(app, ["render", "--station", "3001", "--out", str(out)])
    assert result.exit_code == 2 and "shailoo elections create" in result.output

    region = factories.region("KG-N")
    district, tec = factories.district(region), factories.tec(region)
    stations = [factories.station(3000 + i, district_=district, tec_=tec) for i in (1, 2)]
    election = factories.election("kg-2025", code="jk-2027")
    other = factories.election("kg-2025", code="jk-2028", is_current=False)
    result = runner.invoke(app, ["render", "--station", "3001", "--out", str(out)])
    assert result.exit_code == 2 and "elections load-definition" in result.output

    definition = make_definition(
        [(str(s.number), region.code, tec.code) for s in stations],
        seed=3,
        law_edition="kg-2025",
        election_date=datetime.date(2027, 3, 14),
        election_id="jk-2027",
    )
    services.import_definition(election, definition, "cli")
    result = runner.invoke(app, ["render", "--station", "3001", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.pdf"))) == len(definition.styles_for_station("3001"))
    result = runner.invoke(app, ["render", "--station", "9999", "--out", str(out)])
    assert result.exit_code == 2 and "--station 9999" in result.output

    named = tmp_path / "named"  # --election names another election: its definition, if any
    args = ["render", "--station", "3001", "--out", str(named)]
    result = runner.invoke(shailoo_app, ["ballots", *args, "--election", "jk-2027"])
    assert result.exit_code == 0 and len(list(named.glob("*.pdf"))) == len(list(out.glob("*.pdf")))
    result = runner.invoke(shailoo_app, ["ballots", *args, "--election", other.code])
    assert result.exit_code == 2 and f"--election {other.code}" in result.output
    result = runner.invoke(shailoo_app, ["ballots", *args, "--election", "nope"])
    assert result.exit_code == 2 and "--election: " in result.output
    result = runner.invoke(
        shailoo_app,
        ["ballots", *args, "--election", "jk-2027", "--definition", str(named / "d.json")],
    )
    assert result.exit_code == 2 and "not both" in result.output


def test_scan_refuses_cast_vote_records_the_schema_refuses(
    definition_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report is checked against the shipped NIST schema before it is written."""
    from shailoo.counting.formats import nist_cvr

    build = nist_cvr.build_cvr_report

    def corrupted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        report = build(*args, **kwargs)
        report["CVR"][0]["CVRSnapshot"][0]["@type"] = "CVR.Snapshot"
        return report

    monkeypatch.setattr(nist_cvr, "build_cvr_report", corrupted)
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "broken.png").write_bytes(b"\x89PNG not really")  # an unreadable sheet
    out = tmp_path / "cvr.json"
    args = ["scan", str(scans), "--definition", str(definition_file), "--station", "1001"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    text = "".join(result.output.split())  # rich wraps long lines
    assert "refused,notwritten" in text and "NISTSP1500-103" in text
    assert "$.CVR[0].CVRSnapshot[0]['@type']:'CVR.Snapshot'isnotoneof" in text
    assert not out.exists() and not out.with_name("cvr.json.tmp").exists()
