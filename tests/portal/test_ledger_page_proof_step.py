"""The ledger page's "prove that one entry is in the ledger" step says what the public proof
gives — the leaf hash, the entry's summary and the path to a signed head, not the entry's
content, which names the staff account that acted — and the proof it links gives exactly
that: the leaf leads to the signed root, and no byte of the entry comes with it.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

import factories as f
from shailoo.integrity import heads, keys, ledger, merkle
from shailoo.integrity.models import TREE_HEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An election recorded by a named operator, under a signed head."""
    key = keys.generate()
    path = tmp_path / "keys" / "head.pem"
    keys.write_private_key(path, key)
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(path))
    keys.register_key(keys.raw_public(key), usage=TREE_HEAD, actor="test", commission_code="CEC")
    election = f.election()
    with transaction.atomic():
        ledger.record(
            "elections.create",
            actor="operator.asanova",
            subject=ledger.ref(election),
            data={"code": election.code},
        )
    heads.sign_head()
    return {"election": election}


def step(html: str) -> str:
    """The text of the step that proves one entry, tags removed."""
    found = re.search(r"<li>\s*<p><strong>Prove that one entry.*?</li>", html, re.S)
    assert found, "the page has the step"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def test_the_step_says_what_the_public_proof_gives(signed: dict[str, Any]) -> None:
    html = Client().get(reverse("portal:ledger"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    said = step(html)
    assert "leaf hash" in said and "summary" in said and "signed head" in said
    assert "entry's bytes" not in said, "the public proof gives no bytes"
    assert "commission's signature" in said and "registered in this ledger" in said

    link = re.search(r"<li>\s*<p><strong>Prove that one entry.*?curl -s '([^']+)'", html, re.S)
    assert link, "the step shows the proof's address"
    proof = Client().get(unescape(link.group(1))).json()
    head = Client().get(reverse("integrity-head")).json()
    assert proof["entry"] is None and "operator.asanova" not in str(proof)
    assert proof["summary"]["kind"] == "elections.create"
    assert proof["summary"]["subject"] == f"elections.election:{signed['election'].pk}"
    merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["index"],
        head["size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(head["root_hash"]),
    )
