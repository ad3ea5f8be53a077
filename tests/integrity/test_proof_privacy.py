"""A public inclusion proof names no staff account, and still proves its entry is in a signed
head: anyone recomputes the root from the leaf hash and the path, and checks the head's
Ed25519 signature. Only an auditor of the ledger (signed in, second factor passed, allowed to
read ledger entries) gets the entry's bytes, which name the clerk who acted."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from counting_results_helpers import VOTES, lines
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

import factories as f
from shailoo.accounts.roles import ASSIGNABLE, ROLES, Permission, Role, Scope
from shailoo.accounts.testing import login_verified, make_user
from shailoo.integrity import heads, keys, ledger
from shailoo.integrity.merkle import leaf_hash
from shailoo.integrity.models import TREE_HEAD, LedgerEntry
from shailoo.integrity.public import public_reference
from shailoo.integrity.verifier import head_message

pytestmark = [pytest.mark.django_db, pytest.mark.urls("integrity_test_urls")]

API = "/api/integrity"
LINES = lines()


def _rfc9162_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, written out here so the test does not trust the product's verifier."""
    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn != 0, "the path is longer than the tree"
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0, "the path is shorter than the tree"
    return r


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """A ledger written by staff: a PEC clerk enters a protocol, a TEC member accepts it, a
    CEC member records a decision naming a colleague; then a head is signed."""
    from shailoo.counting.results import decisions, services
    from shailoo.counting.results.protocol import Relation

    rules = services.ProtocolRules(
        (Relation("found_not_above_issued", ("ballots_found",), "<=", ("ballots_issued",)),),
        2,
        "Art. 35(14), test",
    )
    monkeypatch.setattr(services, "protocol_rules", lambda election: rules)
    protocol_key = tmp_path / "keys" / "protocol.pem"
    keys.write_private_key(protocol_key, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(protocol_key))
    keys.register_key(
        keys.raw_public(head_key), usage=TREE_HEAD, actor="cli", commission_code="CEC"
    )

    region = f.region("KG-C")
    tec = f.tec(region, "T1")
    station = f.station(101, district_=f.district(region), tec_=tec)
    election = f.election("kg-2025", code="parl-2027")
    clerk = make_user("aidai.pec101", Role.PEC_OPERATOR, station)
    member = make_user("bakyt.tec1", Role.TEC_OPERATOR, tec)
    cec = make_user("cholpon.cec", Role.CEC_MEMBER)

    services.record_automatic_count(election, station, "pres", VOTES, "cli", source="scanner")
    version = services.enter_protocol(election, station, "pres", LINES, VOTES, clerk)
    decisions.accept_protocol(version.protocol, member)
    with transaction.atomic():
        ledger.record(
            "test.review",
            actor=cec.username,
            subject=ledger.ref(version.protocol),
            data={"reviewed_with": member.username, "note": f"checked with {clerk.username}"},
        )
    heads.sign_head()
    return {"staff": (clerk, member, cec), "size": ledger.size()}


def _usernames() -> list[str]:
    return list(get_user_model().objects.values_list("username", flat=True))


def test_no_public_proof_names_a_staff_account(world: dict[str, Any]) -> None:
    names = _usernames()
    assert {u.username for u in world["staff"]} <= set(names)
    stored = b"".join(bytes(d) for d in LedgerEntry.objects.values_list("data", flat=True))
    assert all(name.encode() in stored for name in ("aidai.pec101", "bakyt.tec1", "cholpon.cec"))
    client = Client()
    for index in range(world["size"]):
        answer = client.get(f"{API}/entries/{index}/proof/")
        assert answer.status_code == 200, answer.content
        body = answer.content.decode()
        for name in names:
            assert name not in body, (index, name)
        proof = answer.json()
        assert proof["view"] == "public" and proof["entry"] is None


def test_anyone_checks_a_public_proof_against_the_signed_head(world: dict[str, Any]) -> None:
    client = Client()
    head = client.get(f"{API}/head/").json()
    (key,) = client.get(f"{API}/keys/").json()
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    root = bytes.fromhex(head["root_hash"])
    public.verify(
        base64.b64decode(head["signature"]),
        head_message(head["size"], root, head["timestamp_ms"], head["key_id"]),
    )
    for index in range(head["size"]):
        proof = client.get(f"{API}/entries/{index}/proof/").json()
        assert proof["head"] == head and proof["tree_size"] == head["size"]
        path = [bytes.fromhex(p) for p in proof["proof"]]
        leaf = bytes.fromhex(proof["leaf_hash"])
        assert _rfc9162_root(leaf, index, proof["tree_size"], path) == root
        # A leaf hash that is not the entry's does not lead to the signed root.
        other = hashlib.sha256(b"\x00" + b"another entry").digest()
        assert _rfc9162_root(other, index, proof["tree_size"], path) != root


def test_the_summary_is_the_public_export_line(world: dict[str, Any]) -> None:
    """One entry through the proof API reads as the portal's bulk export reads it."""
    from shailoo.portal import views_ledger

    lines = [
        json.loads(line)
        for chunk in views_ledger.export_lines(world["size"])
        for line in chunk.splitlines()
    ]
    assert len(lines) == world["size"]
    client = Client()
    for line in lines:
        proof = client.get(f"{API}/entries/{line['seq']}/proof/").json()
        assert {**proof["summary"], "leaf_hash": proof["leaf_hash"]} == line
    subjects = {line["subject"] for line in lines}
    assert any(s.startswith("counting_results.protocol:") for s in subjects)


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("counting_results.protocol:17", "counting_results.protocol:17"),
        ("register.person:4821", "register.person"),
        ("accounts.user:3", "accounts.user"),
        ("key:3f0c9a", "key:3f0c9a"),
        ("counting_results.protocol:17 OR 1=1", "counting_results.protocol"),
        ("Register.Person:1", ""),
        ("", ""),
        (17, ""),
    ],
)
def test_a_subject_is_public_only_when_its_table_is(subject: object, shown: str) -> None:
    assert public_reference(subject) == shown


def _territory(role: Role) -> Any:
    scopes = ROLES[role].scopes
    if Scope.COUNTRY in scopes:
        return None
    region = f.region()
    tec = f.tec(region)
    if Scope.TEC in scopes:
        return tec
    return f.station(district_=f.district(region), tec_=tec)


@pytest.mark.parametrize("role", ASSIGNABLE)
def test_only_an_auditor_of_the_ledger_reads_entries_in_full(
    world: dict[str, Any], role: Role
) -> None:
    user = make_user(
        f"user-{role.value}",
        role,
        _territory(role),
        agency="commission" if ROLES[role].agency else "",
    )
    client = Client()
    login_verified(client, user)
    index = world["size"] - 1
    answer = client.get(f"{API}/entries/{index}/proof/?view=full")
    if Permission.INTEGRITY_VIEW not in ROLES[role].permissions:
        assert answer.status_code == 403, answer.content
        assert "cholpon.cec" not in answer.content.decode()
        return
    assert answer.status_code == 200, answer.content
    proof = answer.json()
    entry = base64.b64decode(proof["entry"])
    assert proof["view"] == "full"
    assert leaf_hash(entry).hex() == proof["leaf_hash"]
    assert b'"actor":"cholpon.cec"' in entry
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    # Signed in or not, the default answer is the public one.
    default = client.get(f"{API}/entries/{index}/proof/").json()
    assert default["view"] == "public" and default["entry"] is None


def test_the_full_view_needs_the_second_factor_and_a_sound_request(
    world: dict[str, Any],
) -> None:
    admin = make_user("root.cec", Role.CEC_ADMIN)
    half = Client()
    half.force_login(admin)  # password only: no second factor
    assert half.get(f"{API}/entries/0/proof/?view=full").status_code == 403
    assert Client().get(f"{API}/entries/0/proof/?view=full").status_code == 403
    bad = Client().get(f"{API}/entries/0/proof/?view=everything")
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "view"
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    gone = Client()
    login_verified(gone, admin)
    assert gone.get(f"{API}/entries/0/proof/?view=full").status_code == 403


def test_the_schema_documents_both_views() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][f"{API}/entries/{{index}}/proof/"]["get"]
    assert {"200", "400", "403", "503"} <= set(operation["responses"])
    (view,) = [p for p in operation["parameters"] if p["name"] == "view"]
    assert sorted(view["schema"]["enum"]) == ["full", "public"]
    body = schema["components"]["schemas"]["Inclusion"]
    assert body["properties"]["entry"]["nullable"] is True
    assert set(body["required"]) >= {"leaf_hash", "summary", "view", "proof", "root_hash"}
