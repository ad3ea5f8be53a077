"""``shailoo demo --no-serve`` builds a country through the real importers, reproducibly, and
leaves a polling day to look at: results, blocked and disputed protocols, sheets and duplicate
pairs waiting for people. The bulk path that writes the clean stations' protocols must write
what the services write."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

import factories as f
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import (
    AutomaticCount,
    Protocol,
    ProtocolDecision,
    ProtocolVersion,
)
from shailoo.demo.results_bulk import BulkRefused, CleanProtocol, accept_clean
from shailoo.integrity.models import LedgerEntry

PAGES = """
import json
from shailoo.common.cli import django_setup
django_setup(migrate=False)
from django.contrib.auth import get_user_model
from django.test import Client
from shailoo.accounts.testing import login_verified
client, out = Client(), {}
for url in ("/results/", "/results/jk-2027/"):
    out[url] = client.get(url).content.decode()
login_verified(client, get_user_model().objects.get(username="cec-admin"))
for url in ("/staff/results/", "/staff/counting/", "/staff/dedup/"):
    response = client.get(url)
    out[url] = response.content.decode() if response.status_code == 200 else response.status_code
from shailoo.counting.models import ScannedSheet
sheet = ScannedSheet.objects.filter(state="pending").exclude(image_path="").first()
image = client.get(f"/staff/counting/sheets/{sheet.pk}/image/")
out["image"] = [image.status_code, image.get("Content-Type"), len(b"".join(image))]
print(json.dumps(out))
"""


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var))
    env.pop("SHAILOO_DATABASE_URL", None)
    env.pop("SHAILOO_PROTOCOL_KEY_FILE", None)
    return env


def _demo(var: Path) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shailoo.cli",
            "demo",
            "--scale",
            "3000",
            "--seed",
            "4",
            "--no-serve",
        ],
        env=_env(var),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stderr + result.stdout


def _pages(var: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", PAGES],
        env=_env(var),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout.splitlines()[-1]))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _polling_day(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:

        def one(sql: str) -> Any:
            return conn.execute(sql).fetchone()[0]

        return {
            "status": dict(
                conn.execute(
                    "SELECT status, count(*) FROM counting_results_protocol GROUP BY status"
                ).fetchall()
            ),
            "blocked": one(
                "SELECT count(*) FROM counting_results_protocol "
                "WHERE status = 'reported' AND NOT acceptable"
            ),
            "alerts": dict(
                conn.execute(
                    "SELECT kind, count(*) FROM counting_results_countingalert "
                    "WHERE NOT resolved GROUP BY kind"
                ).fetchall()
            ),
            "pending": one("SELECT count(*) FROM counting_scannedsheet WHERE state = 'pending'"),
            "images": one("SELECT count(*) FROM counting_scannedsheet WHERE image_path != ''"),
            "qr": one(
                "SELECT count(*) FROM counting_scannedsheet WHERE reasons LIKE '%qr-unreadable%'"
            ),
            "pairs": one(
                "SELECT count(*) FROM biometrics_dedup_duplicatecandidate WHERE status = 'open'"
            ),
            "enrolled": one("SELECT count(*) FROM biometrics_biometricenrolment"),
            "contents": hashlib.sha256(
                "".join(
                    row[0]
                    for row in conn.execute(
                        "SELECT content_sha256 FROM counting_results_protocolversion "
                        "ORDER BY content_sha256"
                    )
                ).encode()
            ).hexdigest(),
            "kinds": dict(
                conn.execute("SELECT kind, count(*) FROM integrity_ledgerentry GROUP BY kind")
            ),
        }


@pytest.mark.slow
def test_demo_builds_the_same_country_twice(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert "Staff login:" in first and "cec-admin" in first
    # 3,000 persons and the few the candidates world adds (a birthday on the boundary, ...)
    assert re.search(r"3,0[0-4]\d persons", first)
    assert re.search(r"candidates: \d+ nominated, \d+ registered, \d+ refused", first)
    assert re.search(r"incidents: 290 cases .*, \d+ decided, \d+ overdue", first)
    population = tmp_path / "demo" / "population.csv"
    digest = _sha(population)
    db = tmp_path / "shailoo.sqlite3"
    with sqlite3.connect(db) as conn:
        persons = conn.execute("SELECT count(*) FROM register_person").fetchone()[0]
        voters = conn.execute("SELECT count(*) FROM register_person WHERE eligible").fetchone()[0]
        stations = conn.execute("SELECT count(*) FROM geo_pollingstation").fetchone()[0]
    assert 3000 <= persons < 3050 and 0 < voters < persons and stations >= 50

    day = _polling_day(db)
    status = day["status"]
    assert status["accepted"] > 50 and status["disputed"] == 3
    # 3 planted discrepancies + 1 control slip + 2 scanned stations waiting for people
    assert day["blocked"] == 6 and status["reported"] == 6
    assert day["alerts"]["discrepancy"] >= 3 and day["alerts"]["control"] == 1
    assert day["pending"] >= 1 and day["images"] == 20 and day["qr"] == 1
    assert day["pairs"] >= 2 and day["enrolled"] > 50
    for kind in (
        "counting.definition_import",
        "counting.scan_batch",
        "counting.automatic_count",
        "counting.protocol_version",
        "counting.protocol_accepted",
        "counting.protocol_disputed",
        "counting.alert",
        "biometrics.enrolment",
        "biometrics.dedup_run",
        "candidates.nomination",
        "candidates.check",
        "candidates.decision",
        "candidates.signatures",
        "candidates.participant",
        "incidents.case_opened",
        "incidents.case_decided",
        "incidents.case_escalated",
        "polling.device_enrolled",
        "polling.station_opening",
        "polling.ballot_issued",
        "polling.station_closing",
    ):
        assert day["kinds"].get(kind, 0) > 0, kind
    assert re.search(r"Protocols: \d+ accepted, 6 blocked .*, 3 disputed", first)
    assert "2 registered twice (planted)" in first and "(2 of the planted)" in first
    assert re.search(
        r"Election day \(rehearsal\): \d+ voters at the devices of .*: \d+ ballots", first
    )
    for url in ("/results/", "/staff/results/", "/staff/counting/", "/staff/dedup/"):
        assert url in first

    pages = _pages(tmp_path)
    assert "jk-2027" in pages["/results/"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", pages["/results/jk-2027/"]))
    assert re.search(rf"\b{status['accepted']} ", text), "the accepted protocols are counted"
    for url in ("/staff/results/", "/staff/counting/", "/staff/dedup/"):
        assert isinstance(pages[url], str), f"{url}: HTTP {pages[url]}"
    assert "qr-unreadable" in pages["/staff/counting/"]
    assert "marginal-mark" in pages["/staff/counting/"]
    status_code, content_type, size = pages["image"]
    assert status_code == 200 and content_type.startswith("image/") and size > 10_000

    second = _demo(tmp_path)
    assert "rejected 0" in second
    assert _sha(population) == digest
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM register_person").fetchone()[0] == persons
        assert conn.execute("SELECT count(*) FROM register_importrun").fetchone()[0] == 1
    again = _polling_day(db)
    for key in ("status", "alerts", "pending", "pairs", "contents"):
        assert again[key] == day[key], key


# -- the bulk path writes what the services write ------------------------------------------

LINES = {
    "voters_on_list": 100,
    "ballots_received": 100,
    "ballots_issued": 60,
    "ballots_spoiled": 1,
    "ballots_unused": 39,
    "ballots_found": 60,
    "ballots_invalid": 2,
}
VOTES = {"c1": 30, "c2": 20, "against-all": 8}


def _written(election: Any) -> dict[str, Any]:
    """Everything the acceptance chain stored, without row ids and clock times."""
    subject = re.compile(r":\d+$")
    entries = []
    for entry in LedgerEntry.objects.order_by("sequence"):
        payload = json.loads(bytes(entry.data))["payload"]
        if entry.kind.startswith("key."):
            continue  # the commission key's registration on first use
        payload["subject"] = subject.sub(":#", payload.get("subject", ""))
        entries.append((entry.kind, payload))
    protocol = Protocol.objects.get(election=election)
    version = ProtocolVersion.objects.get(protocol=protocol)
    decision = ProtocolDecision.objects.get(protocol=protocol)
    automatic = AutomaticCount.objects.get(election=election)
    return {
        "ledger": entries,
        "protocol": (protocol.status, protocol.acceptable, protocol.verdict, protocol.automatic),
        "version": (
            version.number,
            version.lines,
            version.votes,
            version.automatic,
            version.verdict,
            version.acceptable,
            version.tolerance_votes,
            version.source,
            version.entered_by,
            version.content_sha256,
        ),
        "decision": (
            decision.kind,
            decision.actor,
            decision.key_id,
            decision.signature,
            decision.signed_message_sha256,
        ),
        "automatic": (automatic.counts, automatic.source, automatic.submitted_by),
        "sequences_set": all(x.ledger_sequence is not None for x in (version, decision, automatic)),
    }


@pytest.mark.django_db
def test_bulk_acceptance_writes_what_the_services_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from shailoo.integrity import keys

    key = tmp_path / "protocol.pem"
    keys.write_private_key(key, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(key))
    region = f.region("KG-C")
    station = f.station(101, district_=f.district(region), tec_=f.tec(region, "T1"))
    election = f.election("kg-2025", code="parl-2027")

    with transaction.atomic():
        services.record_automatic_count(election, station, "d01", VOTES, "demo:pec-101")
        services.enter_protocol(election, station, "d01", LINES, VOTES, "demo:pec-101")
        protocol = Protocol.objects.get(election=election)
        decisions.accept_protocol(protocol, "demo:tec-T1")
        by_services = _written(election)
        transaction.set_rollback(True)

    assert not Protocol.objects.exists()
    item = CleanProtocol(station, "d01", LINES, VOTES, VOTES, "demo:pec-101", "demo:tec-T1")
    assert accept_clean(election, [item]) == 1
    by_bulk = _written(election)
    assert [kind for kind, _ in by_services["ledger"]] == [
        "counting.automatic_count",
        "counting.protocol_version",
        "counting.protocol_accepted",
    ]
    assert by_bulk == by_services
    assert by_bulk["sequences_set"] and by_bulk["protocol"][0] == "accepted"
    assert decisions.verify_acceptance(ProtocolDecision.objects.get())


@pytest.mark.django_db
def test_bulk_acceptance_refuses_what_the_services_would_block(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from shailoo.integrity import keys

    key = tmp_path / "protocol.pem"
    keys.write_private_key(key, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(key))
    region = f.region("KG-C")
    station = f.station(101, district_=f.district(region), tec_=f.tec(region, "T1"))
    election = f.election("kg-2025", code="parl-2027")
    rewritten = {**VOTES, "c1": 27, "c2": 23}
    item = CleanProtocol(station, "d01", LINES, rewritten, VOTES, "demo:pec-101", "demo:tec-T1")
    with pytest.raises(BulkRefused, match="station 101 d01"):
        accept_clean(election, [item])
    slip = CleanProtocol(
        station, "d01", {**LINES, "ballots_unused": 40}, VOTES, VOTES, "demo:pec-101", "x"
    )
    with pytest.raises(BulkRefused, match="ballots_balance"):
        accept_clean(election, [slip])
    assert not Protocol.objects.exists() and not LedgerEntry.objects.exists()


# -- the synthetic figures -------------------------------------------------------------------


def test_synthetic_figures_balance_vary_by_region_and_repeat_by_seed() -> None:
    from datetime import date

    from shailoo.counting.results.protocol import StationProtocol, check_relations, relations_from
    from shailoo.law.loader import load_edition
    from shailoo.synth.definition import make_definition
    from shailoo.synth.places import ABROAD, REGIONS
    from shailoo.synth.votes import StationPlace, misadded, shifted, station_figures

    codes = [r.code for r in REGIONS]
    rows = [(str(1000 + i), codes[i % len(codes)], f"T{i % 12}") for i in range(90)]
    rows += [("9901", ABROAD.code, "TA"), ("9902", ABROAD.code, "TA")]
    definition = make_definition(
        rows, seed=3, election_date=date(2027, 3, 14), election_id="e1", law_edition="kg-2025"
    )
    places = [StationPlace(int(n), region, 150 + 7 * i) for i, (n, region, _) in enumerate(rows)]
    figures = station_figures(3, definition, places)
    assert figures == station_figures(3, definition, places)
    assert figures != station_figures(4, definition, places)

    section = load_edition("kg-2025").counting.protocol
    relations = relations_from(section.control_relations.value)
    for item in figures:
        assert check_relations(StationProtocol(item.lines, item.votes), relations) == ()
        assert item.overvotes + item.blanks == item.lines["ballots_invalid"]
    # a voter abroad votes in the own district only: the list is shared out among districts
    abroad = [item for item in figures if item.station == 9901]
    assert len(abroad) == 30
    assert sum(item.lines["voters_on_list"] for item in abroad) == places[-2].voters

    home = [item for item in figures if item.station < 9900]
    turnout: dict[str, list[float]] = {}
    for item, place in zip(home, places, strict=False):
        share = item.lines["ballots_issued"] / item.lines["voters_on_list"]
        assert 0.51 <= share <= 0.69
        turnout.setdefault(place.region, []).append(share)
    levels = [sum(v) / len(v) for v in turnout.values()]
    assert max(levels) - min(levels) > 0.02, "regions differ"

    item = home[0]
    moved = shifted(item, 3)
    assert sum(moved.votes.values()) == sum(item.votes.values()) and moved.votes != item.votes
    slip = misadded(item)
    failures = check_relations(StationProtocol(slip.lines, slip.votes), relations)
    assert [f.relation for f in failures] == ["ballots_balance"]
