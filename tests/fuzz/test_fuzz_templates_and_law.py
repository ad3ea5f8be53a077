"""Fuzzing the minutiae records (ISO/IEC 19794-2, ANSI/INCITS 378, the stored embeddings) and
the law edition files (``law.loader``, ``shailoo law check FILE``).

Valid records come from the product's encoders fed synthetic impressions
(``synth.fingerprints``, ``synth.enrolment``); the valid law file is a packaged edition. Each is
damaged and read again: a result, or a shared refusal that says where (a record's byte
offset; an edition's line and key path).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzing import assert_located, assert_no_traceback, fuzz_settings, known_defects
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import strategies as sx
from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.iso19794 import TemplateError
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.common.refusals import Refusal
from shailoo.law.loader import load_edition
from shailoo.law.schema import Edition
from shailoo.synth.enrolment import person_templates

_CAPTURE = person_templates(3, seed=11, session=0, setting="standard")
FINGERS = [t for t in _CAPTURE if isinstance(t, FingerTemplate)]
EMBEDDING = next(t for t in _CAPTURE if isinstance(t, EmbeddingTemplate))
RECORDS = {
    "iso": (iso19794.to_bytes(FINGERS, device_type=7), iso19794.from_bytes),
    "ansi": (ansi378.to_bytes(FINGERS, device_type=7), ansi378.from_bytes),
    "embedding": (EMBEDDING.to_bytes(), EmbeddingTemplate.from_bytes),
}


def test_the_valid_records_decode() -> None:
    for kind in ("iso", "ansi"):
        data, decode = RECORDS[kind]
        assert [len(t.minutiae) for t in decode(data)] == [len(t.minutiae) for t in FINGERS]
    data, decode = RECORDS["embedding"]
    assert decode(data).to_bytes() == data


@pytest.mark.parametrize("kind", list(RECORDS))
@fuzz_settings(40)
@given(data=st.data())
def test_a_damaged_template_is_refused_at_its_byte_or_decoded(
    kind: str, data: st.DataObject
) -> None:
    valid, decode = RECORDS[kind]
    record = data.draw(sx.mutated_bytes(valid), label="record")
    try:
        decode(record)
    except Refusal as refusal:
        assert isinstance(refusal, TemplateError), refusal
        assert_located(refusal, "byte ")
        assert 0 <= refusal.offset <= max(len(record), iso19794.MAX_RECORD_SIZE)


@pytest.mark.parametrize("kind", ["iso", "ansi"])
@fuzz_settings(15)
@given(data=st.data())
def test_biometrics_decode_refuses_a_damaged_file_with_its_byte(
    tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    from shailoo.cli import app

    path = tmp_path / f"finger.{kind}"
    path.write_bytes(data.draw(sx.mutated_bytes(RECORDS[kind][0]), label="record"))
    result = CliRunner().invoke(app, ["biometrics", "decode", str(path)])
    assert_no_traceback(result)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code:
        assert f"{path.name}" in result.output and "byte " in result.output, result.output


# -- law editions ------------------------------------------------------------------------------

EDITION = "kg-2025"
EDITION_YAML = (Path(__file__).parents[2] / f"src/shailoo/law/editions/{EDITION}.yaml").read_bytes()


def test_the_valid_edition_loads(tmp_path: Path) -> None:
    path = tmp_path / f"{EDITION}.yaml"
    path.write_bytes(EDITION_YAML)
    assert load_edition(path).meta.id == EDITION


@fuzz_settings(40)
@given(data=sx.mutated_yaml(EDITION_YAML))
def test_a_damaged_law_edition_is_refused_with_its_line_or_loaded(
    tmp_path: Path, data: bytes
) -> None:
    from shailoo.cli import app

    path = tmp_path / f"{EDITION}.yaml"  # the file name is the edition's id
    path.write_bytes(data)
    try:
        with known_defects():
            edition = load_edition(path)
    except Refusal as refusal:
        assert_located(refusal, str(path))
        assert all(problem.source == str(path) for problem in refusal.problems)
        edition = None
    else:
        assert isinstance(edition, Edition)
    result = CliRunner().invoke(app, ["law", "check", str(path)])
    assert_no_traceback(result)
    assert result.exit_code == (0 if edition is not None else 1), result.output
    assert str(path) in result.output
