"""The public ledger page (``/ledger/``): the latest signed head, the verification steps (run
here as a reader would), the JSON variant, and the export without personal data."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

import factories as f
from shailoo.integrity import heads, keys, ledger
from shailoo.integrity.merkle import root
from shailoo.integrity.models import TREE_HEAD, LedgerEntry, TreeHead
from shailoo.integrity.public import public_reference
from shailoo.integrity.verifier import head_message

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src"
PIN = "21705199012345"


@pytest.fixture
def head_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ed25519PrivateKey:
    key = keys.generate()
    path = tmp_path / "keys" / "head.pem"
    keys.write_private_key(path, key)
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(path))
    keys.register_key(keys.raw_public(key), usage=TREE_HEAD, actor="test", commission_code="CEC")
    return key


@pytest.fixture
def world(head_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A ledger as the domains write it: the key's registration, an election, a change to a
    person by a named operator, an alert about a pair of persons; a head over the first four
    entries, then one entry no head covers yet."""
    election = f.election()
    person = f.person(f.station(101), pin=PIN)
    with transaction.atomic():
        ledger.record(
            "elections.create",
            actor="cli",
            subject=ledger.ref(election),
            data={"code": election.code},
        )
        ledger.record(
            "register.person_change",
            actor="operator.asanova",
            subject=ledger.ref(person),
            data={"pin_ref": ledger.pin_ref(PIN), "fields": ["address"]},
        )
    head = heads.sign_head()
    with transaction.atomic():
        ledger.record(
            "register.alert",
            actor="import",
            subject=f"register.person_pair:{ledger.pin_ref(PIN)[:32]}:{'ab' * 16}",
            data={"kind": "duplicate"},
        )
    return {"election": election, "person": person, "head": head, "key": head_key}


def _export(client: Client, **headers: str) -> Any:
    return client.get(reverse("portal:ledger_export"), **headers)


def test_the_page_shows_the_latest_signed_head(client: Client, world: dict[str, Any]) -> None:
    page = client.get(reverse("portal:ledger"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    head: TreeHead = world["head"]
    assert head.size == 3
    assert f'<dd id="head-size">{head.size}</dd>' in page
    assert f'id="head-root">{bytes(head.root_hash).hex()}</code>' in page
    assert f'id="head-key">{head.key_id}</code>' in page
    public = keys.raw_public(world["key"]).hex()
    assert f'id="head-public-key">{public}</code>' in page
    signature = base64.b64encode(bytes(head.signature)).decode()
    assert f'id="head-signature">{signature}</code>' in page
    message = head_message(head.size, bytes(head.root_hash), head.timestamp_ms, head.key_id)
    assert html.escape(message.decode()) in page
    assert "1 entry was added after this head" in page
    steps = page.split('<ol class="steps">')[1].split("</ol>")[0]
    assert steps.count("<li>") == 7
    assert "/api/integrity/head/" in steps
    assert f"/api/integrity/entries/2/proof/?size={head.size}" in steps
    assert f"/api/integrity/consistency/?first=1&amp;second={head.size}" in steps
    assert f"python -m shailoo.integrity.verifier EXPORT_DIR --trusted-key {public}" in steps
    assert reverse("portal:ledger_export") in page and reverse("portal:ledger_json") in page


def test_the_signature_shown_verifies_with_the_key_shown(
    client: Client, world: dict[str, Any]
) -> None:
    body = client.get(reverse("portal:ledger_json")).json()
    head = body["head"]
    api = client.get(reverse("integrity-head")).json()
    assert {k: api[k] for k in ("size", "root_hash", "timestamp_ms", "key_id", "signature")} == {
        k: head[k] for k in ("size", "root_hash", "timestamp_ms", "key_id", "signature")
    }
    message = head_message(
        head["size"], bytes.fromhex(head["root_hash"]), head["timestamp_ms"], head["key_id"]
    )
    assert body["signed_message"] == message.decode()
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(body["key"]["public_key"]))
    public.verify(base64.b64decode(head["signature"]), message)  # raises if it does not
    assert body["size"] == 4 and body["unsigned_entries"] == 1


def test_the_export_streams_every_entry_without_personal_data(
    client: Client, world: dict[str, Any]
) -> None:
    response = _export(client)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/jsonl")
    assert response["Content-Disposition"] == 'attachment; filename="ledger-4.jsonl"'
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    stored = list(LedgerEntry.objects.order_by("sequence"))
    assert [line["seq"] for line in lines] == [e.sequence for e in stored] == [0, 1, 2, 3]
    assert [line["leaf_hash"] for line in lines] == [bytes(e.leaf_hash).hex() for e in stored]
    assert [line["kind"] for line in lines] == [e.kind for e in stored]
    assert all(set(line) == {"seq", "kind", "time", "leaf_hash", "subject"} for line in lines)
    subjects = [line["subject"] for line in lines]
    election, person = world["election"], world["person"]
    assert subjects[1] == f"elections.election:{election.pk}"  # a public matter, by its row
    assert subjects[2] == "register.person"  # a person: the table only, never the row
    assert subjects[3] == "register.person_pair"  # a free-text reference: its table only
    assert subjects[0].startswith("key:")  # the commission's public key is public
    for secret in (PIN, ledger.pin_ref(PIN), ledger.pin_ref(PIN)[:32], "operator.asanova"):
        assert secret not in text
    assert f"register.person:{person.pk}" not in text


def test_the_export_recomputes_the_signed_root(client: Client, world: dict[str, Any]) -> None:
    """Step 4 of the page: the first ``size`` leaf hashes of the export give the head's root."""
    head = client.get(reverse("integrity-head")).json()
    text = b"".join(_export(client).streaming_content).decode()
    leaves = [bytes.fromhex(json.loads(line)["leaf_hash"]) for line in text.splitlines()]
    assert root(leaves[: head["size"]]).hex() == head["root_hash"]
    assert root(leaves).hex() != head["root_hash"]  # the unsigned tail is not covered


def test_the_page_s_verification_program_runs_as_printed(
    client: Client, world: dict[str, Any], tmp_path: Path
) -> None:
    """The program in step 4, copied from the page, says OK on the real files and
    DIFFERENT on an export with one leaf changed."""
    page = client.get(reverse("portal:ledger")).content.decode()
    program = html.unescape(re.search(r"(PYTHONPATH=src python3 -c '.*?')</code>", page, re.S)[1])
    (tmp_path / "head.json").write_bytes(client.get(reverse("integrity-head")).content)
    export = b"".join(_export(client).streaming_content)
    (tmp_path / "ledger.jsonl").write_bytes(export)
    command = program.replace("PYTHONPATH=src python3", f"{sys.executable}")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    run = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "OK"
    first = json.loads(export.splitlines()[1])
    forged = export.replace(first["leaf_hash"].encode(), b"0" * 64)
    (tmp_path / "ledger.jsonl").write_bytes(forged)
    run = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.stdout.strip() == "DIFFERENT"


def test_validators_answer_304_until_the_ledger_changes(
    client: Client, world: dict[str, Any]
) -> None:
    first = _export(client)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert _export(client, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert _export(client, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    page = client.get(reverse("portal:ledger_json"))
    assert (
        client.get(reverse("portal:ledger_json"), HTTP_IF_NONE_MATCH=page["ETag"]).status_code
        == 304
    )
    with transaction.atomic():
        ledger.record("elections.set_current", actor="cli", subject="elections.election:1")
    changed = _export(client, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(b"".join(changed.streaming_content).splitlines()) == 5
    heads.sign_head()
    again = client.get(reverse("portal:ledger_json"), HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 200 and again.json()["unsigned_entries"] == 0


def test_before_the_first_head_the_page_says_so(client: Client) -> None:
    page = client.get(reverse("portal:ledger"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No tree head has been signed yet." in page
    body = client.get(reverse("portal:ledger_json")).json()
    assert body["head"] is None and body["size"] == 0
    response = _export(client)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b""


def test_a_head_edited_in_the_database_is_a_503_not_a_crash(
    client: Client, world: dict[str, Any]
) -> None:
    with connection.cursor() as cursor:  # text where bytes belong, as sqlite3 by hand would
        cursor.execute(f"UPDATE {TreeHead._meta.db_table} SET root_hash = 'edited by hand'")
    response = client.get(reverse("portal:ledger"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert 'role="alert"' in response.content.decode()
    assert client.get(reverse("portal:ledger_json")).status_code == 503


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("elections.election:3", "elections.election:3"),
        ("counting_results.protocol:17", "counting_results.protocol:17"),
        ("key:3f0c0a9b1e2d4c5b6a79881726354433", "key:3f0c0a9b1e2d4c5b6a79881726354433"),
        ("station:1042", "station:1042"),
        ("register.person:42", "register.person"),
        ("polling.checkin:9", "polling.checkin"),
        ("biometrics.biometricenrolment:5", "biometrics.biometricenrolment"),
        ("offline:abc:def", "offline"),
        ("elections.election:3 OR 1=1", "elections.election"),
        ("P:21705199012345", ""),
        ("<script>", ""),
        ("", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_public_reference_publishes_rows_of_public_matters_only(subject: Any, shown: str) -> None:
    assert public_reference(subject) == shown
