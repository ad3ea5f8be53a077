"""A station's page: the protocol as signed, every correction, and how to verify it.

What an observer does with the page alone: hash the canonical JSON it shows and get the
hash it states, check the commission's Ed25519 signature over the statement it shows, fetch
the ledger proofs it links and check each against the tree's root. And what the page must
never do: show a reported or disputed protocol's figures as the station's result, or name a
clerk's account instead of the role and commission that acted.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from public_world import accept, enter, lines, named_world, visible

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import Protocol
from shailoo.integrity import heads, keys, merkle
from shailoo.integrity.models import TREE_HEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path)


def corrected(world: dict[str, Any]) -> Any:
    """Station 102: accepted, disputed with a reason, re-entered with two votes moved,
    accepted again."""
    s102 = world["stations"][1]
    first = accept(world, s102)
    decisions.dispute_protocol(first.protocol, "cli", "the seal on the box was broken")
    second = enter(world, s102, votes={"a": 298, "b": 202, "c": 50})
    decisions.accept_protocol(second.protocol, "cli")
    return second


def signed_head() -> dict[str, Any]:
    """The commission signs a tree head over the ledger as it stands (a fresh head key)."""
    private = keys.generate()
    keys.register_key(keys.raw_public(private), usage=TREE_HEAD, actor="cli", commission_code="CEC")
    heads.sign_head(private)
    return Client().get(reverse("integrity-head")).json()


def protocol_pk(world: dict[str, Any], number: int) -> int:
    return Protocol.objects.get(election=world["election"], station__number=number).pk


def station_json(world: dict[str, Any], number: int) -> dict[str, Any]:
    url = reverse("results:station_json", args=[world["election"].code, number])
    return Client().get(url).json()


def test_an_observer_verifies_the_figures_with_the_page_alone(world: dict[str, Any]) -> None:
    corrected(world)
    (protocol,) = station_json(world, 102)["protocols"]
    accepted = protocol["accepted"]
    assert accepted["version"] == 2
    assert [v["votes"] for v in accepted["votes"]] == [298, 202, 50]

    # 1. the canonical JSON shown hashes to the hash shown, and holds the figures shown
    content = accepted["content"].encode()
    assert hashlib.sha256(content).hexdigest() == accepted["content_sha256"]
    figures = json.loads(content)
    assert figures["votes"] == {"a": 298, "b": 202, "c": 50}
    assert figures["lines"] == accepted["lines"]

    # 2. the commission's signature covers the statement, which names that hash
    signature = accepted["signature"]
    assert signature["algorithm"] == "Ed25519" and signature["verifies"] is True
    statement = signature["statement"].encode()
    assert json.loads(statement)["content_sha256"] == accepted["content_sha256"]
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signature["public_key"]))
    public.verify(base64.b64decode(signature["value"]), statement)
    assert hashlib.sha256(statement).hexdigest() == signature["statement_sha256"]

    # 3. each linked ledger entry is in the tree: its leaf hash leads to the root of the
    # signed head, and its public summary names the protocol (never the entry's bytes,
    # which name the account that acted)
    head = signed_head()
    protocol_ref = f"counting_results.protocol:{protocol_pk(world, 102)}"
    for entry in (accepted["ledger"]["version"], accepted["ledger"]["acceptance"]):
        proof = Client().get(entry["proof"]).json()
        assert proof["index"] == entry["index"]
        assert proof["entry"] is None and proof["view"] == "public"
        assert proof["summary"]["subject"] == protocol_ref
        assert proof["tree_size"] == head["size"] and proof["head"] == head
        merkle.verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["index"],
            proof["tree_size"],
            [bytes.fromhex(p) for p in proof["proof"]],
            bytes.fromhex(head["root_hash"]),
        )
        # a leaf that is not the entry's does not lead to the signed root
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(
                merkle.leaf_hash(b"another entry"),
                proof["index"],
                proof["tree_size"],
                [bytes.fromhex(p) for p in proof["proof"]],
                bytes.fromhex(head["root_hash"]),
            )
    # 4. the key that signed is the one whose registration the ledger holds, under a
    # signed head too: the public export names it by its key id
    export = Client().get(reverse("portal:ledger_export"))
    lines = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]
    (registered,) = [
        line
        for line in lines
        if line["kind"] == "key.register" and line["subject"] == f"key:{signature['key_id']}"
    ]
    assert registered["seq"] < head["size"]
    proof = Client().get(reverse("integrity-inclusion", args=[str(registered["seq"])])).json()
    assert proof["leaf_hash"] == registered["leaf_hash"] and proof["entry"] is None
    merkle.verify_inclusion(
        bytes.fromhex(registered["leaf_hash"]),
        registered["seq"],
        head["size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(head["root_hash"]),
    )
    page = Client().get(reverse("results:station", args=[world["election"].code, 102]))
    html = page.content.decode()
    for shown in (accepted["content_sha256"], signature["value"], signature["key_id"]):
        assert shown in html
    assert reverse("integrity-head") in html
    assert f'href="{accepted["ledger"]["acceptance"]["proof"]}"' in html


def test_every_correction_is_shown_with_who_when_why_and_what_changed(
    world: dict[str, Any],
) -> None:
    corrected(world)
    (protocol,) = station_json(world, 102)["protocols"]
    first, second = protocol["history"]
    assert [d["kind"] for d in first["decisions"]] == ["accept", "dispute"]
    assert first["decisions"][1]["reason"] == "the seal on the box was broken"
    assert first["changes"] == [] and first["why"] is None
    assert second["why"] == "the seal on the box was broken"
    assert second["changes"] == [
        {"line": "votes.a", "from": 300, "to": 298},
        {"line": "votes.b", "from": 200, "to": 202},
    ]
    for version in (first, second):
        assert version["ledger"]["proof"] == reverse(
            "integrity-inclusion", args=[str(version["ledger"]["index"])]
        )
    page = Client().get(reverse("results:station", args=[world["election"].code, 102]))
    text = visible(page.content.decode())
    assert "the seal on the box was broken" in text
    assert "Asanov ru 300 298" in text, "the changed line, before and after"
    assert "Bekova ru 200 202" in text


def test_a_reported_or_disputed_protocol_is_not_published_as_the_result(
    world: dict[str, Any],
) -> None:
    s101, s102, _ = world["stations"]
    enter(world, s101, votes={"a": 301, "b": 199, "c": 50})
    disputed = accept(world, s102, votes={"a": 277, "b": 223, "c": 50})
    decisions.dispute_protocol(disputed.protocol, "cli", "numbers do not match the copy")
    code = world["election"].code
    for number, status in ((101, "reported"), (102, "disputed")):
        (protocol,) = station_json(world, number)["protocols"]
        assert protocol["status"] == status and protocol["accepted"] is None
        html = Client().get(reverse("results:station", args=[code, number])).content.decode()
        assert '<table class="results">' not in html
        assert reverse("results:protocol_pdf", args=[code, number, "pres"]) not in html
        pdf = Client().get(reverse("results:protocol_pdf", args=[code, number, "pres"]))
        assert pdf.status_code == 404
    country = Client().get(reverse("results:election_json", args=[code])).json()
    assert country["contests"][0]["protocols"] == 0
    assert all(o["votes"] == 0 for o in country["contests"][0]["options"])


def test_people_are_named_by_role_and_commission_never_by_account(
    world: dict[str, Any],
) -> None:
    s101 = world["stations"][0]
    clerk = make_user("aigul.pec101", Role.PEC_OPERATOR, s101)
    tec = make_user("bakyt.tec.t1", Role.TEC_OPERATOR, s101.tec)
    services.record_automatic_count(
        world["election"], s101, "pres", {"a": 300, "b": 200, "c": 50}, "cli", source="scanner"
    )
    version = services.enter_protocol(
        world["election"],
        s101,
        "pres",
        lines(),
        {"a": 300, "b": 200, "c": 50},
        clerk,
    )
    decisions.accept_protocol(version.protocol, tec)
    (protocol,) = station_json(world, 101)["protocols"]
    assert protocol["accepted"]["by"] == {
        "kind": "staff",
        "roles": [
            {
                "role": "tec_operator",
                "commission": {"level": "tec", "code": "T1", "name": "Аламүдүн районунун ТШК"},
            }
        ],
    }
    assert protocol["history"][0]["by"]["roles"][0]["role"] == "pec_operator"
    raw = json.dumps(station_json(world, 101), ensure_ascii=False)
    code = world["election"].code
    html = Client().get(reverse("results:station", args=[code, 101])).content.decode()
    for account in ("aigul.pec101", "bakyt.tec.t1"):
        assert account not in raw and account not in html
    with translation.override("ru"):
        from django.utils.translation import gettext

        who = f"{gettext('TEC operator')}, Аламүдүн районунун ТШК"
    assert who in visible(html)


def test_the_signed_protocol_downloads_as_a_pdf(world: dict[str, Any]) -> None:
    accept(world, world["stations"][0])
    code = world["election"].code
    url = reverse("results:protocol_pdf", args=[code, 101, "pres"])
    html = Client().get(reverse("results:station", args=[code, 101])).content.decode()
    assert f'href="{url}"' in html
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert Client().get(url).content == response.content, "the same bytes every time"
    import pypdfium2

    text = "".join(
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(response.content)
    )
    accepted = next(line for line in text.splitlines() if "Принял:" in line)
    assert "cli" not in accepted, "the public copy names a role, never the accepting account"


def test_a_station_with_nothing_yet_says_so(world: dict[str, Any]) -> None:
    code = world["election"].code
    (protocol,) = station_json(world, 201)["protocols"]
    assert protocol["status"] == "missing" and protocol["history"] == []
    response = Client().get(reverse("results:station", args=[code, 201]))
    assert response.status_code == 200
    assert "<h2>President ru</h2>" in response.content.decode()
