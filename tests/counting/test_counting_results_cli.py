"""``shailoo results export``: CSV, NIST SP 1500-100 and SP 1500-103, and bad options."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from counting_results_helpers import (
    enter,
    import_definition,
    lines,
    schema_errors,
    setup_world,
)
from typer.testing import CliRunner

from shailoo.cli import app
from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest
from shailoo.counting.results import decisions, services

pytestmark = pytest.mark.django_db

ERR = "NIST_V2_election_results_reporting.json"
CVR = "NIST_V0_cast_vote_records.json"


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    return setup_world(monkeypatch, tmp_path)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["results", "export", *args])


def publish(world: dict[str, Any]) -> None:
    s1, s2, s3 = world["stations"]
    for station in (s1, s2):
        decisions.accept_protocol(enter(world, station).protocol, "cli")
    enter(world, s3, lines=lines(ballots_unused=1))  # blocked, reported only


def test_csv_has_one_row_per_line_of_accepted_protocols(
    world: dict[str, Any], tmp_path: Path
) -> None:
    publish(world)
    out = tmp_path / "results.csv"
    result = run("--election", "parl-2027", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == [
        "election", "contest", "region", "tec", "station", "status", "version",
        "line", "option", "value", "content_sha256",
    ]  # fmt: skip
    assert len(rows) == 2 * (7 + 1 + 3)
    assert {r["station"] for r in rows} == {"101", "102"}
    votes = [
        (r["option"], r["value"]) for r in rows if r["station"] == "101" and r["line"] == "votes"
    ]
    assert votes == [("a", "300"), ("b", "200"), ("c", "50")]
    assert "rows" in result.output and not out.with_name("results.csv.tmp").exists()
    result = run(
        "--election", "parl-2027", "--format", "csv", "--out", str(out), "--include-unaccepted"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["status"] for r in rows if r["station"] == "201"} == {"reported"}


def test_nist_results_report_validates_against_the_official_schema(
    world: dict[str, Any], tmp_path: Path
) -> None:
    import_definition(world)
    publish(world)
    out = tmp_path / "err.json"
    result = run("--election", "parl-2027", "--format", "nist-err", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert schema_errors(ERR, report) == []
    assert report["Status"] == "unofficial-partial"  # station 201 is not accepted
    (contest,) = report["Election"][0]["Contest"]
    text = json.dumps(contest)
    assert '"Count": 600' in text  # a: 300 at each of two stations, at the country level


def _sheet(serial: str, fills: list[tuple[str, float]]) -> SheetRead:
    limits = Thresholds()
    contest = classify_contest("pres", fills, 1, limits, against_all="c")
    return SheetRead(
        source=f"{serial}.png",
        status=SheetStatus.READABLE,
        thresholds=limits,
        election_id="parl-2027",
        style_id="s1",
        station="101",
        serial=serial,
        contests=(contest,),
    )


def test_nist_cast_vote_records_validate_and_carry_decisions(
    world: dict[str, Any], tmp_path: Path
) -> None:
    from shailoo.counting import services as counting
    from shailoo.counting.models import ScannedSheet

    import_definition(world)
    reads = [
        _sheet("0001", [("a", 0.8), ("b", 0.0), ("c", 0.0)]),
        _sheet("0002", [("a", 0.0), ("b", 0.2), ("c", 0.0)]),  # marginal: a person decides
    ]
    counting.record_scan(world["election"], world["stations"][0], reads, None, "cli")
    pending = ScannedSheet.objects.get(serial="0002")
    counting.decide(
        pending, decision="vote", reason="a clear tick", user="cli", contest_code="pres",
        option_codes=["b"],
    )  # fmt: skip
    out = tmp_path / "cvr.json"
    result = run("--election", "parl-2027", "--format", "nist-cvr", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert schema_errors(CVR, report) == []
    first, second = report["CVR"]
    assert len(first["CVRSnapshot"]) == 1 and len(second["CVRSnapshot"]) == 2
    assert second["CurrentSnapshotId"].endswith("interpreted")
    decided = second["CVRSnapshot"][1]["CVRContest"][0]["CVRContestSelection"]
    allocable = [s["SelectionPosition"][0]["IsAllocable"] for s in decided]
    assert allocable == ["no", "yes", "no"]
    # the scanner's tally feeds the automatic count the protocol is compared with
    services.enter_protocol(
        world["election"],
        world["stations"][0],
        "pres",
        lines(ballots_issued=17, ballots_unused=978, ballots_found=12, ballots_invalid=10),
        {"a": 1, "b": 1, "c": 0},
        "cli",
    )
    protocol = world["election"].protocols.get()
    assert protocol.automatic == {"a": 1, "b": 1, "c": 0} and protocol.acceptable


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--election", "nope", "--format", "csv"], "--election: "),
        (["--election", "nope", "--format", "csv"], "parl-2027 (shailoo elections list)"),
        (["--election", "parl-2027", "--format", "xml"], "Invalid value for '--format'"),
        (["--election", "parl-2027"], "Missing option '--format'"),
        (["--election", "parl-2027", "--format", "nist-err"], "no election definition"),
        (["--election", "parl-2027", "--format", "nist-cvr"], "no election definition"),
        (
            ["--election", "parl-2027", "--format", "nist-err", "--include-unaccepted"],
            "--include-unaccepted applies to --format csv only",
        ),
    ],
)
def test_bad_options_are_refused_with_a_reason(
    world: dict[str, Any], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x.out"
    result = run(*args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not out.exists() and not out.with_name("x.out.tmp").exists()


def test_export_defaults_to_the_current_election(world: dict[str, Any], tmp_path: Path) -> None:
    from shailoo.elections.models import Election

    publish(world)
    named, default = tmp_path / "named.csv", tmp_path / "default.csv"
    assert run("--election", "parl-2027", "--format", "csv", "--out", str(named)).exit_code == 0
    result = run("--format", "csv", "--out", str(default))
    assert result.exit_code == 0, result.output
    assert default.read_bytes() == named.read_bytes()

    Election.objects.update(is_current=False)  # no current election: say how to set one
    result = run("--format", "csv", "--out", str(tmp_path / "none.csv"))
    assert result.exit_code == 2 and "shailoo elections set-current" in result.output
    assert not (tmp_path / "none.csv").exists()


def test_bad_output_paths_are_refused(world: dict[str, Any], tmp_path: Path) -> None:
    result = run("--election", "parl-2027", "--format", "csv", "--out", str(tmp_path / "no/x.csv"))
    assert result.exit_code == 2 and "no such folder" in result.output
    result = run("--election", "parl-2027", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 2


def test_protocols_that_do_not_fit_the_definition_are_a_located_error(
    world: dict[str, Any], tmp_path: Path
) -> None:
    version = enter(world, world["stations"][0], contest="mayor")  # before any definition
    decisions.accept_protocol(version.protocol, "cli")
    import_definition(world)
    out = tmp_path / "err.json"
    result = run("--election", "parl-2027", "--format", "nist-err", "--out", str(out))
    assert result.exit_code == 2
    assert "do not fit the definition" in result.output and "mayor" in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["nist-err", "nist-cvr"])
def test_an_export_the_schema_refuses_is_not_written(
    world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Each NIST export is checked against the shipped schema as it is written."""
    from shailoo.counting.formats import nist_cvr, nist_err

    module, name = (
        (nist_err, "build_results_report") if fmt == "nist-err" else (nist_cvr, "build_cvr_report")
    )
    build = getattr(module, name)

    def corrupted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        report = build(*args, **kwargs)
        del report["GeneratedDate"]
        report["GpUnit"][0]["@type"] = "Unit"
        return report

    monkeypatch.setattr(module, name, corrupted)
    import_definition(world)
    publish(world)
    out = tmp_path / "export.json"
    out.write_text("the previous export\n", encoding="utf-8")
    result = run("--election", "parl-2027", "--format", fmt, "--out", str(out))
    assert result.exit_code == 2, result.output
    text = "".join(result.output.split())  # rich wraps long lines
    assert f"parl-2027:refused,{out}notwritten" in text
    assert "$:'GeneratedDate'isarequiredproperty" in text
    assert "$.GpUnit[0]['@type']:'Unit'isnotoneof" in text
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert not out.with_name("export.json.tmp").exists()


def test_csv_neutralises_text_a_spreadsheet_would_run_and_keeps_numbers(
    world: dict[str, Any], tmp_path: Path
) -> None:
    tec = world["tecs"][0]
    tec.code = "=1+2"  # a code that reached the database some other way than the import
    tec.save()
    publish(world)
    out = tmp_path / "results.csv"
    assert run("--election", "parl-2027", "--format", "csv", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert ',"\'=1+2",' in text and ",=1+2," not in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["tec"] for r in rows} == {"'=1+2"}
    assert all(r["value"].isdigit() for r in rows)  # counts stay plain numbers
