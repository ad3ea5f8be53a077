"""``shailoo seats`` as an operator runs it: good files, and every kind of bad one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from shailoo.cli import app

KG_2015 = """party,votes
SDPK,432846
Respublika-Ata-Jurt,318266
Kyrgyzstan,205268
Onuguu-Progress,147115
Bir Bol,134039
Ata Meken,122500
Small,50000
AGAINST_ALL,20000
INVALID,30000
"""


def run(tmp_path: Path, text: str | bytes, *args: str, law: str = "kg-2020") -> tuple[Result, Path]:
    path = tmp_path / "votes.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["seats", "--law", law, "--votes", str(path), *args])
    return result, path


def party_line(output: str, party: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(party + " "))
    return line.split()


def test_one_line_per_party_then_the_explanation(tmp_path: Path) -> None:
    result, _ = run(tmp_path, KG_2015)
    assert result.exit_code == 0, result.output
    out = result.output
    assert party_line(out, "SDPK") == ["SDPK", "432846", "29.6463%", "38", "passed"]
    assert party_line(out, "Onuguu-Progress")[1:4] == ["147115", "10.0761%", "13"]
    assert party_line(out, "Small") == ["Small", "50000", "3.4246%", "0", "below", "threshold"]
    assert party_line(out, "AGAINST_ALL") == ["AGAINST_ALL", "20000", "1.3698%", "0"]
    seats = [int(party_line(out, p)[-2]) for p in ("SDPK", "Respublika-Ata-Jurt", "Kyrgyzstan")]
    assert seats == [38, 28, 18]
    assert "1460034 took part (20000 against all, 30000 invalid)" in out
    assert (
        "Small: national threshold (at least 7% of those who took part: 102203 of 1460034)" in out
    )
    assert "missed by 52203 votes" in out
    assert "Hare quota: 1360034 votes / 120 seats" in out
    assert "remainder 0.9804, seats 13" in out
    assert "it was NOT checked" in out


def test_voted_raises_the_base(tmp_path: Path) -> None:
    result, _ = run(tmp_path, KG_2015, "--voted", "2000000")
    assert result.exit_code == 0, result.output
    # 7% of 2,000,000 is 140,000: Bir Bol and Ata Meken fall below; four parties share 120.
    assert "140000 of 2000000" in result.output
    assert party_line(result.output, "Ata Meken")[-2:] == ["below", "threshold"]
    assert party_line(result.output, "Onuguu-Progress")[-1] == "passed"
    assert party_line(result.output, "SDPK")[3] == "47"


def test_regional_rows_apply_the_regional_threshold(tmp_path: Path) -> None:
    regions = ["KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y", "KG-GB", "KG-GO"]
    rows = ["party,votes,region"]
    for code in regions:
        rows.append(f"North,1000,{code}")
        rows.append(f"South,{0 if code == 'KG-GB' else 900},{code}")
        rows.append(f"AGAINST_ALL,50,{code}")
    rows.append("North,10,")
    result, _ = run(tmp_path, "\n".join(rows) + "\n")
    assert result.exit_code == 0, result.output
    assert (
        "South: KG-GB threshold (at least 0.7% of those who took part: 8 of 1050)" in result.output
    )
    assert party_line(result.output, "North")[1:4] == ["9010", "54.0816%", "120"]
    assert "NOT checked" not in result.output


def test_cap_and_open_list_edition(tmp_path: Path) -> None:
    text = "party,votes\nDominant,700000\nSecond,150000\nThird,80000\nSmall,10000\nINVALID,60000\n"
    result, _ = run(tmp_path, text, law="kg-2021")
    assert result.exit_code == 0, result.output
    assert party_line(result.output, "Dominant")[3] == "27"
    assert "Dominant: capped at 27 seats (the method gave 41); 14 seats go to the others" in (
        result.output
    )


BAD = [
    ("party\nA\n", "{f}:1: votes: missing column (the header has party)"),
    ("party,votes\nA,12.5\n", "{f}:2: votes: not a whole number: '12.5'"),
    ("party,votes\nA,-3\n", "{f}:2: votes: negative: -3"),
    ("party,votes\nA,\n", "{f}:2: votes: not a whole number: ''"),
    ("party,votes\nA,1\nB,2\nA,3\n", "{f}:4: party: 'A' is already on line 2"),
    (
        "party,votes,region\nA,1,KG-B\nA,2,KG-B\n",
        "{f}:3: party: 'A' in region 'KG-B' is already on line 2",
    ),
    (
        "party,votes,region\nA,1,Chui\n",
        "{f}:2: region: unknown region 'Chui'; the law's regions are "
        "KG-B, KG-C, KG-J, KG-N, KG-O, KG-T, KG-Y, KG-GB, KG-GO",
    ),
    ("party,votes\nA,1,2\n", "{f}:2: <row>: expected 2 fields (party, votes), got 3"),
    # A quote left open is refused at its line; it cannot merge the next row into a party.
    (
        'party,votes\n"A,100\nB",200\n',
        "{f}:2: <row>: CSV: a quoted field is not closed on its line",
    ),
    (
        "party,votes\nA," + "9" * 70_000 + "\n",
        "{f}:2: <row>: CSV: line longer than 65536 characters",
    ),
    ("party,votes\n,5\n", "{f}:2: party: empty"),
    ("party,votes\nAGAINST_ALL,5\n", "{f}:2: party: no party rows in the file"),
    ("", "{f}:1: <file>: the file is empty"),
    (
        "party,votes,colour\nA,1,red\n",
        "{f}:1: colour: unknown column; expected party, votes and optionally region",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_csv_is_a_located_error(tmp_path: Path, text: str, expected: str) -> None:
    result, path = run(tmp_path, text)
    assert result.exit_code == 2
    assert result.output.splitlines() == [expected.format(f=path)]
    assert "Traceback" not in result.output


def test_a_misnamed_column_is_both_missing_and_unknown(tmp_path: Path) -> None:
    result, path = run(tmp_path, "party,count\nA,1\n")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{path}:1: votes: missing column (the header has party, count)",
        f"{path}:1: count: unknown column; expected party, votes and optionally region",
    ]


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    result, path = run(tmp_path, "party,votes\nA,x\nB,-1\nC,3\n")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{path}:2: votes: not a whole number: 'x'",
        f"{path}:3: votes: negative: -1",
    ]


def test_bad_encoding(tmp_path: Path) -> None:
    result, path = run(tmp_path, b"party,votes\nA,1\n" + "Ата,2\n".encode("cp1251"))
    assert result.exit_code == 2
    assert re.fullmatch(
        rf"{re.escape(str(path))}:3: <file>: not UTF-8 text \(byte 0x[0-9a-f]{{2}}\); "
        "save the file as UTF-8",
        result.output.strip(),
    )


def test_utf8_names_and_a_byte_order_mark(tmp_path: Path) -> None:
    result, _ = run(tmp_path, "\ufeffparty,votes\nАта-Журт,500\nЫнтымак,400\n", law="kg-2021")
    assert result.exit_code == 0, result.output
    assert party_line(result.output, "Ата-Журт")[3] == "27"


def test_unknown_edition(tmp_path: Path) -> None:
    result, _ = run(tmp_path, KG_2015, law="kg-1999")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "--law: kg-1999: <file>: unknown law edition 'kg-1999'; available: "
        "kg-2020, kg-2021, kg-2025"
    )


def test_edition_without_party_lists(tmp_path: Path) -> None:
    result, _ = run(tmp_path, KG_2015, law="kg-2025")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "--law: law edition kg-2025 has no party-list seats; give --candidates"
    )


def test_voted_below_the_rows(tmp_path: Path) -> None:
    result, path = run(tmp_path, KG_2015, "--voted", "10")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{path}: --voted: --voted 10 is less than the 1460034 ballots in the file"
    )


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(app, ["seats", "--law", "kg-2020", "--votes", str(missing)])
    assert result.exit_code == 2
    assert result.output.strip() == f"{missing}: <file>: cannot read: No such file or directory"


def test_a_tie_under_a_lot_rule_asks_for_the_seed(tmp_path: Path) -> None:
    law = Path(__file__).resolve().parents[2] / "src/shailoo/law/editions/kg-2021.yaml"
    text = law.read_text(encoding="utf-8").replace(
        "  tie_rule:\n    value: registered_first", "  tie_rule:\n    value: lot"
    )
    draft = tmp_path / "kg-2021.yaml"
    draft.write_text(text, encoding="utf-8")
    votes = "party,votes\nA,100\nB,100\nC,100\nD,100\nE,100\nF,100\nG,100\n"
    result, _ = run(tmp_path, votes, law=str(draft))
    assert result.exit_code == 2
    assert "must be broken by lot" in result.output and "--lot-seed" in result.output
    seeded, _ = run(tmp_path, votes, "--lot-seed", "drawn-2026", law=str(draft))
    assert seeded.exit_code == 0, seeded.output
    assert "by lot (SHA-256 with seed 'drawn-2026')" in seeded.output


def test_the_old_name_results_seats_still_works_hidden(tmp_path: Path) -> None:
    result, path = run(tmp_path, KG_2015)
    old = CliRunner().invoke(app, ["results", "seats", "--law", "kg-2020", "--votes", str(path)])
    assert old.exit_code == 0 and old.output == result.output
    listed = CliRunner().invoke(app, ["results", "--help"])
    assert listed.exit_code == 0 and "seats" not in listed.output
