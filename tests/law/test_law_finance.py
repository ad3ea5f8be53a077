"""The ``finance`` section of the law editions: the caps and prohibited sources the screen cites,
and the errors an official gets for a wrong value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shailoo.law.cli import app
from shailoo.law.loader import load_edition
from shailoo.law.schema import PROHIBITED_SOURCES, Finance, FinanceCaps, FundCaps, LawModel

ROOT = Path(__file__).resolve().parents[2]
EDITIONS_DIR = ROOT / "src" / "shailoo" / "law" / "editions"


def test_2025_bars_civil_servants_and_religious_figures_2021_does_not() -> None:
    barred_2025 = set(load_edition("kg-2025").finance.prohibited_sources.value)
    barred_2021 = set(load_edition("kg-2021").finance.prohibited_sources.value)
    assert {"civil_servant", "religious_figure"} <= barred_2025
    assert not {"civil_servant", "religious_figure"} & barred_2021
    assert barred_2021 <= barred_2025
    for foreign in ("foreign_state", "foreign_citizen", "foreign_participation_entity"):
        assert foreign in barred_2021


def test_caps_are_the_figures_of_the_sources() -> None:
    caps_2021 = load_edition("kg-2021").finance.caps
    assert caps_2021.party is not None and caps_2021.candidate is not None
    assert caps_2021.party.fund_total_som is not None
    assert caps_2021.party.fund_total_som.value == 300_000_000
    assert caps_2021.candidate.own_funds_som is not None
    assert caps_2021.candidate.own_funds_som.value == 150_000
    caps_2025 = load_edition("kg-2025").finance.caps.candidate
    assert caps_2025 is not None and caps_2025.fund_total_som is not None
    assert caps_2025.fund_total_som.value == 20_000_000
    assert caps_2025.paid_campaigners is not None and caps_2025.paid_campaigners.value == 1000
    # Caps are whole som: the screen compares Decimals with them.
    assert Decimal(caps_2025.fund_total_som.value) == Decimal("20000000")


def test_every_value_cites_its_article() -> None:
    finance = load_edition("kg-2025").finance
    assert "Art. 41(3)" in finance.prohibited_sources.citation
    assert finance.look_through_control_share.unconfirmed
    assert finance.look_through_control_share.value == 0.5


def _check(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "kg-2025.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    return result.output.splitlines()


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("      - anonymous\n", "      - anonymous\n      - anonymous\n", "prohibited_sources"),
        ("      - charity\n", "      - charities\n", "prohibited_sources"),
        (
            "  look_through_control_share:\n    value: 0.5",
            "  look_through_control_share:\n    value: 0.0",
            "look_through_control_share",
        ),
        ("  currency:\n    value: KGS", "  currency:\n    value: som", "currency"),
        (
            "  prohibited_money:\n    value: transfer_to_budget",
            "  prohibited_money:\n    value: burn",
            "prohibited_money",
        ),
    ],
)  # fmt: skip
def test_a_wrong_value_is_refused_with_its_key(
    old: str, new: str, where: str, tmp_path: Path
) -> None:
    text = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
    assert old in text
    output = "\n".join(_check(text.replace(old, new, 1), tmp_path))
    assert f"finance.{where}" in output


@pytest.mark.parametrize("model", [Finance, FinanceCaps, FundCaps])
def test_every_key_is_in_the_reference(model: type[LawModel]) -> None:
    reference = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    part = reference[reference.index("## `finance`") : reference.index("## How the eligibility")]
    missing = [key for key in model.model_fields if f"`{key}`" not in part]
    assert not missing, f"docs/law.md does not document {missing}"


def test_the_reference_names_every_prohibited_source() -> None:
    reference = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    part = reference[reference.index("## `finance`") : reference.index("## How the eligibility")]
    assert [s for s in PROHIBITED_SOURCES if f"`{s}`" not in part] == []
