"""``shailoo seats --candidates``: kg-2025's 3-seat districts, kg-2021's two tiers,
vacancies, and every kind of bad candidates file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from shailoo.cli import app

KG_2025 = """district,candidate,votes,sex,party
1,Asanov,9000,m,Ata-Jurt
1,Bekov,8000,m,
1,Chynybaev,7000,m,Ishenim
1,Dzhumabaeva,3000,f,Ishenim
1,Esenova,2500,f,
1,AGAINST_ALL,900,,
1,INVALID,300,,
2,Ormonov,5000,male,Ata-Jurt
2,Osmonova,4000,female,Ishenim
2,Sydykov,4000,male,
2,Tokonova,1000,female,
3,Uulu,100,m,
3,Zhaparov,90,m,
3,Kadyrov,80,m,
4,Alieva,300,f,
4,Bolotov,200,m,
4,AGAINST_ALL,400,,
"""

LIST_2021 = """party,votes
Ata-Jurt,300000
Ishenim,250000
Yntymak,120000
Small,20000
AGAINST_ALL,10000
INVALID,5000
"""

KG_2021 = """district,candidate,votes,party
Sverdlovsky,Aidarov,5000,Ata-Jurt
Sverdlovsky,Bakirov,5000,
Sverdlovsky,AGAINST_ALL,100,
Leninsky,Chotbaev,4000,Ishenim
Leninsky,Duishonov,3000,Ata-Jurt
Leninsky,AGAINST_ALL,4500,
Oktyabrsky,Esenov,700,Yntymak
Oktyabrsky,Fomina,300,
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def seats(*args: str) -> Result:
    return CliRunner().invoke(app, ["seats", *args])


def row(output: str, name: str) -> list[str]:
    return next(line for line in output.splitlines() if line.strip().startswith(name + " ")).split()


def test_kg_2025_districts_winners_and_the_sex_rule(tmp_path: Path) -> None:
    result = seats("--law", "kg-2025", "--candidates", str(write(tmp_path, "c.csv", KG_2025)))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "district 1 (seats: 3): elected; most votes win" in out
    assert row(out, "Asanov") == ["Asanov", "male", "Ata-Jurt", "9000", "29.316%", "elected"]
    assert row(out, "Chynybaev")[5:] == [
        "passed", "over:", "2", "male", "winners", "already", "(limit)",
        "[Ch.", "11,", "law-68,", "unconfirmed]",
    ]  # fmt: skip
    assert row(out, "Dzhumabaeva")[-1] == "elected"
    assert row(out, "Esenova")[-1] == "-"
    # District 2: a tie at 4000 for the last seats; both are elected, so no tie decides.
    assert row(out, "Sydykov")[-1] == "elected" and row(out, "Tokonova")[-1] == "-"
    assert "district 3 (seats: 3): cancelled; every candidate is male" in out
    assert "district 4 (seats: 3): repeat; against all (400) beats the leader (300)" in out
    assert "warning: the law sets 30 districts" in out
    assert "district seats: 6 of 12 filled, 6 vacant; repeat elections: 4; cancelled: 3" in out
    assert "Ata-Jurt: 2 district seats" in out and "(no party): 2 district seats" in out


def test_kg_2025_tie_at_the_last_seat_is_explained(tmp_path: Path) -> None:
    text = "district,candidate,votes,sex\n7,A,50,f\n7,B,40,m\n7,Late,30,f\n7,Early,30,m\n"
    result = seats("--law", "kg-2025", "--candidates", str(write(tmp_path, "c.csv", text)))
    assert result.exit_code == 0, result.output
    assert row(result.output, "Late")[-1] == "elected"
    assert row(result.output, "Early")[-1] == "-"
    assert (
        "tie for places with 30 votes between Late, Early: Late by the rule 'registered first' "
        "[Ch. 11, law-68, unconfirmed]" in result.output
    )


def test_kg_2025_vacancy_goes_to_the_next_highest_of_an_allowed_sex(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", KG_2025)
    result = seats("--law", "kg-2025", "--candidates", str(path), "--vacated", "1:Dzhumabaeva")
    assert result.exit_code == 0, result.output
    out = result.output
    assert row(out, "Dzhumabaeva")[-3:] == ["elected,", "seat", "vacated"]
    assert row(out, "Esenova")[-1] == "elected"
    assert (
        "Dzhumabaeva's seat goes to Esenova, the next-highest candidate; Chynybaev passed over: "
        "2 male winners already (limit)" in out
    )
    assert "vacancy rule next_highest [Ch. 11, law-68, unconfirmed]" in out


def test_kg_2021_both_tiers(tmp_path: Path) -> None:
    votes = write(tmp_path, "v.csv", LIST_2021)
    cands = write(tmp_path, "c.csv", KG_2021)
    result = seats("--law", "kg-2021", "--votes", str(votes), "--candidates", str(cands))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "law kg-2021: 54 seats by hare_largest_remainder" in out
    assert "tie for places with 5000 votes between Aidarov, Bakirov: Aidarov" in out
    assert "district Leninsky (seats: 1): repeat" in out
    assert "district seats: 2 of 3 filled, 1 vacant; repeat elections: Leninsky" in out
    assert "both tiers: 54 list seats + 2 district seats = 56" in out
    assert row(out, "Ata-Jurt")[:4] == ["Ata-Jurt", "300000", "42.5532%", "24"]
    tiers = out[out.index("both tiers") :]
    assert row(tiers, "Ata-Jurt") == ["Ata-Jurt", "24", "1", "25"]
    assert row(tiers, "Yntymak") == ["Yntymak", "10", "1", "11"]


def test_kg_2021_vacancy_means_a_new_election(tmp_path: Path) -> None:
    cands = write(tmp_path, "c.csv", KG_2021)
    result = seats(
        "--law", "kg-2021", "--candidates", str(cands), "--vacated", "Sverdlovsky:Aidarov"
    )
    assert result.exit_code == 0, result.output
    assert "Aidarov's seat: a new election is held for it" in result.output
    assert "district seats: 1 of 3 filled, 2 vacant" in result.output


def test_list_only_for_kg_2021_says_the_districts_are_missing(tmp_path: Path) -> None:
    result = seats("--law", "kg-2021", "--votes", str(write(tmp_path, "v.csv", LIST_2021)))
    assert result.exit_code == 0, result.output
    assert "also elects deputies in districts: give --candidates" in result.output


def bad(tmp_path: Path, text: str | bytes, *extra: str, law: str = "kg-2025") -> tuple[str, Path]:
    path = write(tmp_path, "c.csv", text)
    result = seats("--law", law, "--candidates", str(path), *extra)
    assert result.exit_code == 2, result.output
    return result.output.strip(), path


def test_bad_candidates_files_get_located_errors(tmp_path: Path) -> None:
    out, p = bad(tmp_path, "district,candidate,votes\n1,A,5\n")
    assert out == f"{p}:1: sex: missing column: the law limits winners of one sex to 2"
    text = (
        "district,candidate,votes,sex\n"
        "1,A,12.5,m\n"
        "1,B,-3,f\n"
        "1,C,4,x\n"
        ",D,4,m\n"
        "1,E,4,\n"
        "1,F,4,m\n"
        "1,F,5,m\n"
        "2,AGAINST_ALL,5,\n"
        "1,G,3\n"
    )
    out, p = bad(tmp_path, text)
    assert out.splitlines() == [
        f"{p}:2: votes: not a whole number: '12.5'",
        f"{p}:3: votes: negative: -3",
        f"{p}:4: sex: 'x' is not female, male, f or m",
        f"{p}:5: district: empty",
        f"{p}:6: sex: empty: the law's sex rule needs it",
        f"{p}:8: candidate: 'F' in district '1' is already on line 7",
        f"{p}:10: <row>: expected 4 fields (district, candidate, votes, sex), got 3",
    ]
    out, p = bad(tmp_path, "district,candidate,votes,sex\n2,AGAINST_ALL,5,\n1,A,3,f\n")
    assert out == f"{p}:2: candidate: district '2' has no candidate rows"
    out, p = bad(tmp_path, "district,candidate,votes,sex,colour\n")
    assert out == (
        f"{p}:1: colour: unknown column; expected district, candidate, votes and optionally "
        "sex, party"
    )
    out, p = bad(tmp_path, b"district,candidate,votes,sex\n1,\xc0,3,f\n")
    assert out == f"{p}:2: <file>: not UTF-8 text (byte 0xc0); save the file as UTF-8"
    out, p = bad(tmp_path, "")
    assert out == f"{p}:1: <file>: the file is empty"
    out, p = bad(tmp_path, "district,candidate,votes,sex\n")
    assert out == f"{p}:1: district: no rows in the file"


def test_bad_options_get_clear_errors(tmp_path: Path) -> None:
    out, _ = bad(tmp_path, KG_2025, "--vacated", "1:Nobody")
    assert out == "--vacated: 1:Nobody: no candidate 'Nobody' in district '1'"
    out, _ = bad(tmp_path, KG_2025, "--vacated", "9:Asanov")
    assert out == "--vacated: 9:Asanov: no district '9'"
    out, _ = bad(tmp_path, KG_2025, "--vacated", "Asanov")
    assert out == "--vacated: <option>: 'Asanov': write DISTRICT:CANDIDATE"
    out, _ = bad(tmp_path, KG_2025, "--vacated", "1:Chynybaev")
    assert out == "--vacated: 1:Chynybaev: not elected in district '1' (elected)"
    out, _ = bad(tmp_path, KG_2025, law="kg-2020")
    assert out == "--law: law edition kg-2020 has no district seats; give --votes"
    out, _ = bad(tmp_path, KG_2025, "--votes", str(write(tmp_path, "v.csv", LIST_2021)))
    assert out == "--law: law edition kg-2025 has no party-list seats; leave out --votes"
    result = seats("--law", "kg-2025")
    assert result.exit_code == 2
    assert result.output.strip() == "give --votes (party lists), --candidates (districts) or both"
    result = seats("--law", "kg-2025", "--vacated", "1:A", "--votes", "x.csv")
    assert result.output.strip() == "--vacated: applies to district seats: give --candidates"
    tie_lot = "district,candidate,votes,sex\n1,A,5,f\n1,B,5,m\n1,C,5,f\n1,D,5,m\n"
    law = tmp_path / "kg-2025-lot.yaml"
    edition = Path("src/shailoo/law/editions/kg-2025.yaml").read_text(encoding="utf-8")
    law.write_text(
        edition.replace("value: registered_first", "value: lot").replace(
            "id: kg-2025", "id: kg-2025-lot"
        ),
        encoding="utf-8",
    )
    out, p = bad(tmp_path, tie_lot, law=str(law))
    assert out.startswith(f"{p}: tie for places with 5 votes between A, B, C, D must be broken")
    assert out.endswith("run again with --lot-seed")
    path = write(tmp_path, "c.csv", tie_lot)
    ok = seats("--law", str(law), "--candidates", str(path), "--lot-seed", "drawn in public")
    assert ok.exit_code == 0, ok.output
    assert "by lot (SHA-256 with seed 'drawn in public')" in ok.output
