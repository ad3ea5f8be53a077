"""``shailoo law check | show | list`` as an official uses them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shailoo.law.cli import app

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
WIDE = {"COLUMNS": "220"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_a_good_file_prints_one_summary_line(runner: CliRunner) -> None:
    path = EDITIONS_DIR / "kg-2021.yaml"
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"{path}: OK: kg-2021 ")
    assert re.search(r"\d+ parameters, \d+ unconfirmed$", line)


def test_check_a_broken_file_prints_file_line_key_reason(runner: CliRunner, tmp_path: Path) -> None:
    text = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("  min_age:\n    value: 18\n", "  min_age:\n    value: -2\n")
    text = text.replace("in_force_from: 2025-06-01", "in_force_from: 2025-13-01")
    path = tmp_path / "kg-2025.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    age_line = next(n for n, line in enumerate(lines, 1) if "value: -2" in line)
    date_line = next(n for n, line in enumerate(lines, 1) if "2025-13-01" in line)

    result = runner.invoke(app, ["check", str(path)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:{date_line}: meta.in_force_from: not a valid date: '2025-13-01' "
        "(write YYYY-MM-DD, unquoted)",
        f"{path}:{age_line}: voters.min_age.value: Input should be greater than 0 (got -2)",
    ]


def test_check_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "cannot read the file" in result.output


def test_show_defaults_to_the_edition_in_force(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHAILOO_LAW_EDITION", raising=False)
    result = runner.invoke(app, ["show"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "kg-2025:" in result.output
    assert re.search(r"voters\.min_age\s+│ 18\s+│ Art\. 2\(4\), constitution-2021", result.output)
    assert "registered_address_with_remote ⚠" in result.output
    assert "Constitution of the Kyrgyz Republic" in result.output


def test_show_reads_the_environment_not_django(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAILOO_LAW_EDITION", "kg-2020")
    result = runner.invoke(app, ["show"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "kg-2020:" in result.output and "station_change_on_request" in result.output


def test_show_in_russian_with_notes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "kg-2021", "--lang", "ru", "--notes"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "ч. 2 ст. 14, law-68" in result.output
    assert "Конституционный закон Кыргызской Республики" in result.output
    assert "Form No. 2" in result.output


def test_show_a_file_by_path(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", str(EDITIONS_DIR / "kg-2020.yaml")], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "kg-2020:" in result.output


def test_show_an_unknown_edition(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "kg-1991"])
    assert result.exit_code == 1
    assert "unknown law edition 'kg-1991'" in result.output


def test_show_refuses_an_unknown_language(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "--lang", "de"])
    assert result.exit_code == 2
    assert "--lang" in result.output


def test_list_marks_the_edition_in_force(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAILOO_LAW_EDITION", "kg-2021")
    result = runner.invoke(app, ["list"], env=WIDE)
    assert result.exit_code == 0, result.output
    rows = {
        line.split("│")[1].strip(): line for line in result.output.splitlines() if "│ kg-" in line
    }
    assert set(rows) == {"kg-2020", "kg-2021", "kg-2025"}
    assert "in force" in rows["kg-2021"] and "in force" not in rows["kg-2025"]
    assert "2021-08-26" in rows["kg-2021"]


def test_list_fails_when_the_configured_edition_is_missing(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAILOO_LAW_EDITION", "kg-2099")
    result = runner.invoke(app, ["list"], env=WIDE)
    assert result.exit_code == 1
    assert "SHAILOO_LAW_EDITION='kg-2099' names no packaged edition" in result.output


def test_the_main_command_has_the_law_group(runner: CliRunner) -> None:
    from shailoo.cli import app as main_app

    result = runner.invoke(main_app, ["law", "check", str(EDITIONS_DIR / "kg-2025.yaml")])
    assert result.exit_code == 0, result.output
    assert ": OK: kg-2025 " in result.output
