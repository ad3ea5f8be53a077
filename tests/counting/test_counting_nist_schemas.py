"""The official NIST schemas travel in the package, and every NIST export is checked as written.

The schema files are package resources (``shailoo.counting.formats`` / ``schemas/``), read with
importlib.resources; a document the schema refuses is reported by JSON path and never written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from counting_nist_sample import DEFINITION

from shailoo.counting.formats import schemas
from shailoo.counting.formats.nist_cvr import CvrFormatError, build_cvr_report
from shailoo.counting.formats.nist_err import (
    ResultsInputError,
    StationTotals,
    build_results_report,
)
from shailoo.counting.formats.schemas import (
    LocatedError,
    SchemaKind,
    SchemaViolation,
    validate,
    write_json,
)
from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest

WHEN = datetime(2026, 11, 30, 20, 15, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
PACKAGE = files("shailoo.counting.formats") / "schemas"
# As copied from usnistgov (see the README beside the schemas): a changed file fails here.
SHA256 = {
    "NIST_V2_election_results_reporting.json": (
        "55c1c6382bf5ba369ae05d58c3f4bab6b487a2e8c01720ee87209b9a85e5d3db"
    ),
    "NIST_V0_cast_vote_records.json": (
        "f1b037e6303450b451dcf5c7a0db2ab025c5869376242ed772cb4f05b1944e89"
    ),
}
ROOTS = {"nist-err": "ElectionResults.ElectionReport", "nist-cvr": "CVR.CastVoteRecordReport"}


def sheet(serial: str, fills: list[tuple[str, float]]) -> SheetRead:
    limits = Thresholds()
    contest = classify_contest("president", fills, 1, limits, against_all="aa")
    return SheetRead(
        source=f"{serial}.png",
        status=SheetStatus.READABLE,
        thresholds=limits,
        election_id=DEFINITION.election_id,
        style_id="s1",
        station="1001",
        serial=serial,
        contests=(contest,),
    )


def cvr_doc() -> dict[str, Any]:
    reads = [
        sheet("0001", [("c1", 0.8), ("c2", 0.0), ("aa", 0.0)]),
        sheet("0002", [("c1", 0.0), ("c2", 0.2), ("aa", 0.0)]),
    ]
    return build_cvr_report(DEFINITION, reads, generated=WHEN, report_id="1001:batch-1")


def err_doc() -> dict[str, Any]:
    totals = [
        StationTotals(
            station="1001",
            region="KG-C",
            tec="tec-1",
            registered=1000,
            ballots_cast=600,
            votes={"president": {"c1": 300, "c2": 200, "aa": 50}},
            invalid={"president": 50},
        )
    ]
    return build_results_report(DEFINITION, totals, generated=WHEN)


DOCS: dict[SchemaKind, Callable[[], dict[str, Any]]] = {"nist-cvr": cvr_doc, "nist-err": err_doc}


# -- the files travel with the package -------------------------------------------------------


@pytest.mark.parametrize("kind", ["nist-err", "nist-cvr"])
def test_schema_files_are_package_resources_as_published(kind: SchemaKind) -> None:
    name = schemas.SCHEMA_FILES[kind]
    resource = PACKAGE / name
    assert resource.is_file(), f"{name} is not a resource of shailoo.counting.formats"
    assert hashlib.sha256(resource.read_bytes()).hexdigest() == SHA256[name]
    assert schemas.schema_text(kind) == resource.read_text(encoding="utf-8")
    schema = schemas.load_schema(kind)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["$ref"] == f"#/definitions/{ROOTS[kind]}"
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert name in readme and SHA256[name] in readme and ROOTS[kind] in readme
    assert "not subject to copyright" in (PACKAGE / "NIST-DISCLAIMER.md").read_text("utf-8")


def test_pyproject_ships_the_schemas_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["shailoo.counting.formats"]
    assert "schemas/*.json" in shipped and "schemas/*.md" in shipped


def test_schemas_are_found_through_the_package_not_the_repository(tmp_path: Path) -> None:
    """The formats package zipped, alone: no file of the repository is reachable by path."""
    src = Path(schemas.__file__).resolve().parents[3]  # .../src
    archive = tmp_path / "shailoo-formats.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for rel in (
            "shailoo/__init__.py",
            "shailoo/common/__init__.py",
            "shailoo/common/problems.py",
            "shailoo/common/refusals.py",
            "shailoo/counting/__init__.py",
            "shailoo/counting/formats/__init__.py",
            "shailoo/counting/formats/schemas.py",
            *(f"shailoo/counting/formats/schemas/{name}" for name in SHA256),
        ):
            zf.write(src / rel, rel)
    document = tmp_path / "cvr.json"
    document.write_text(json.dumps(cvr_doc()), encoding="utf-8")
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(archive)!r})\n"
        "from shailoo.counting.formats import schemas\n"
        f"assert schemas.__file__.startswith({str(archive)!r}), schemas.__file__\n"
        f"schemas.validate('nist-cvr', json.loads(open({str(document)!r}).read()))\n"
        "try:\n"
        "    schemas.validate('nist-err', {'@type': 'ElectionResults.ElectionReport'})\n"
        "except schemas.SchemaViolation as exc:\n"
        "    print(exc.where, exc.count)\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["$", "8"]  # the 8 other required properties are missing


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown schema kind 'nist-xml'"):
        schemas.schema_text("nist-xml")  # type: ignore[arg-type]


# -- what the product builds passes ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["nist-err", "nist-cvr"])
def test_what_the_builders_make_is_valid(kind: SchemaKind) -> None:
    doc = DOCS[kind]()
    validate(kind, doc)
    assert schemas.problems(kind, doc) == []
    assert schemas.fast_validator(kind).is_valid(doc)


# -- corrupted documents are refused, located ------------------------------------------------


def _set(doc: dict[str, Any], path: list[str | int], value: Any) -> None:
    *head, last = path
    for step in head:
        doc = doc[step]
    doc[last] = value


def _drop(doc: dict[str, Any], path: list[str | int]) -> None:
    *head, last = path
    for step in head:
        doc = doc[step]
    del doc[last]


CORRUPTIONS = [
    # (kind, change, value or None to delete, where, words of the reason)
    (
        "nist-cvr",
        ["CVR", 1, "CVRSnapshot", 0, "@type"],
        "CVR.Snapshot",
        "$.CVR[1].CVRSnapshot[0]['@type']",
        "'CVR.Snapshot' is not one of ['CVR.CVRSnapshot']",
    ),
    (
        "nist-cvr",
        ["Election", 0, "Contest", 0, "ContestSelection", 1, "@type"],
        "CVR.Selection",
        "$.Election[0].Contest[0].ContestSelection[1]['@type']",
        "'CVR.Selection' is not one of ['CVR.BallotMeasureSelection', 'CVR.CandidateSelection'",
    ),
    ("nist-cvr", ["GeneratedDate"], None, "$", "'GeneratedDate' is a required property"),
    (
        "nist-cvr",
        ["Election", 0, "Contest", 0, "ContestSelection", 0, "@id"],
        None,
        "$.Election[0].Contest[0].ContestSelection[0]",
        "'@id' is a required property",
    ),
    ("nist-cvr", ["CVR", 0, "BatchSequenceId"], "1", "$.CVR[0].BatchSequenceId", "not of type"),
    (
        "nist-cvr",
        ["CVR", 0, "CVRSnapshot", 0, "CVRContest", 0, "CVRContestSelection", 0, "Position"],
        1,
        "$.CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[0]",
        "Additional properties are not allowed ('Position' was unexpected)",
    ),
    (
        "nist-err",
        ["GpUnit", 0, "@type"],
        "ElectionResults.Unit",
        "$.GpUnit[0]['@type']",
        "'ElectionResults.Unit' is not one of ['ElectionResults.ReportingDevice', "
        "'ElectionResults.ReportingUnit']",
    ),
    (
        "nist-err",
        ["Election", 0, "Contest", 0, "ContestSelection", 0, "VoteCounts", 0, "Count"],
        "300",
        "$.Election[0].Contest[0].ContestSelection[0].VoteCounts[0].Count",
        "'300' is not of type 'number'",
    ),
    ("nist-err", ["Election", 0, "Name"], None, "$.Election[0]", "'Name' is a required property"),
    ("nist-err", ["Status"], "final", "$.Status", "'final' is not one of"),
    ("nist-err", ["Election", 0, "StartDate"], "30.11.2026", "$.Election[0].StartDate", "date"),
    ("nist-cvr", ["GeneratedDate"], "2026-11-30 20:15", "$.GeneratedDate", "'date-time'"),
]


@pytest.mark.parametrize(
    ("kind", "path", "value", "where", "reason"),
    CORRUPTIONS,
    ids=[f"{c[0]}:{'.'.join(map(str, c[1]))}" for c in CORRUPTIONS],
)
def test_a_corrupted_document_is_refused_with_its_location(
    kind: SchemaKind, path: list[str | int], value: Any, where: str, reason: str
) -> None:
    doc = copy.deepcopy(DOCS[kind]())
    if value is None:
        _drop(doc, path)
    else:
        _set(doc, path, value)
    with pytest.raises(SchemaViolation) as caught:
        validate(kind, doc)
    exc = caught.value
    assert (exc.where, exc.count) == (where, 1), exc.problems
    assert reason in exc.reason
    assert str(exc).startswith(f"{schemas.TITLES[kind]} schema: {where}: ")
    assert isinstance(exc, LocatedError) and isinstance(exc, ValueError)
    # The compiled validator that answers for valid exports refuses the same document.
    assert not schemas.fast_validator(kind).is_valid(doc)


def test_many_problems_are_listed_first_few_in_document_order() -> None:
    doc = cvr_doc()
    for item in doc["CVR"] + doc["GpUnit"]:
        item["@type"] = "CVR.Thing"
    assert len(doc["GpUnit"]) == 4  # the country and three stations
    with pytest.raises(SchemaViolation) as caught:
        validate("nist-cvr", doc)
    exc = caught.value
    wheres = [where for where, _ in exc.problems]
    assert wheres == [f"$.CVR[{i}]['@type']" for i in (0, 1)] + [
        f"$.GpUnit[{i}]['@type']" for i in (0, 1, 2)
    ]
    assert exc.count == 6 and exc.reason.endswith("(and 5 more)")
    assert str(exc).endswith("; and 1 more") and str(exc).count("is not one of") == 5


def test_negative_counts_pass_the_schema_so_the_builder_refuses_them() -> None:
    """The NIST schema sets no minimum on counts: the results builder is the guard."""
    doc = err_doc()
    _set(doc, ["Election", 0, "Contest", 0, "ContestSelection", 0, "VoteCounts", 0, "Count"], -1)
    validate("nist-err", doc)
    bad = StationTotals("1001", "KG-C", "tec-1", 1000, 600, {"president": {"c1": -1}})
    with pytest.raises(ResultsInputError) as caught:
        build_results_report(DEFINITION, [bad], generated=WHEN)
    assert isinstance(caught.value, LocatedError)
    assert issubclass(CvrFormatError, LocatedError)


# -- written only when valid ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["nist-err", "nist-cvr"])
def test_write_json_writes_a_valid_document(kind: SchemaKind, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.json"
    doc = DOCS[kind]()
    write_json(kind, doc, out)
    assert json.loads(out.read_text(encoding="utf-8")) == doc
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_write_json_refuses_an_invalid_document_and_writes_nothing(tmp_path: Path) -> None:
    doc = cvr_doc()
    doc["CVR"][0]["@type"] = "CVR.Record"
    out = tmp_path / "new.json"
    with pytest.raises(SchemaViolation, match=r"\$\.CVR\[0\]\['@type'\]"):
        write_json("nist-cvr", doc, out)
    assert list(tmp_path.iterdir()) == []
    earlier = tmp_path / "earlier.json"
    earlier.write_text("earlier export\n", encoding="utf-8")
    with pytest.raises(SchemaViolation):
        write_json("nist-cvr", doc, earlier)
    assert earlier.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["earlier.json"]
