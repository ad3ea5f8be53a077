"""The public ledger API: a head, proofs an observer can check, 400s for bad input."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shailoo.integrity.merkle import verify_consistency, verify_inclusion
from shailoo.integrity.verifier import head_message

pytestmark = [pytest.mark.django_db, pytest.mark.urls("integrity_test_urls")]

API = "/api/integrity"


def test_no_head_yet_is_404(client) -> None:
    assert client.get(f"{API}/head/").status_code == 404


def test_an_observer_checks_head_inclusion_and_consistency(client, fill) -> None:
    fill(20)
    head = client.get(f"{API}/head/").json()
    assert head["size"] == 20
    (key,) = client.get(f"{API}/keys/").json()
    message = head_message(
        head["size"], bytes.fromhex(head["root_hash"]), head["timestamp_ms"], head["key_id"]
    )
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    public.verify(base64.b64decode(head["signature"]), message)

    proof = client.get(f"{API}/entries/7/proof/").json()
    assert proof["tree_size"] == 20 and proof["head"] == head
    # The public view holds no entry bytes (they name staff accounts): the leaf hash is proved.
    assert proof["view"] == "public" and proof["entry"] is None
    assert proof["summary"]["seq"] == 7 and proof["summary"]["kind"] == "test.event"
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        7,
        head["size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(head["root_hash"]),
    )

    old = client.get(f"{API}/entries/3/proof/?size=12").json()
    assert old["head"]["size"] == 12
    cons = client.get(f"{API}/consistency/?first=12&second=20").json()
    verify_consistency(
        12,
        20,
        bytes.fromhex(old["head"]["root_hash"]),
        bytes.fromhex(head["root_hash"]),
        [bytes.fromhex(p) for p in cons["proof"]],
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/entries/abc/proof/", "index must be a non-negative integer"),
        ("/entries/-1/proof/", "index must be a non-negative integer"),
        ("/entries/1.5/proof/", "index must be a non-negative integer"),
        ("/entries/20/proof/", "need 0 <= index < size <= 20"),
        ("/entries/3/proof/?size=3", "need 0 <= index < size"),
        ("/entries/3/proof/?size=21", "size <= 20"),
        ("/entries/3/proof/?size=", "size must be"),
        ("/entries/3/proof/?size=99999999999999999999", "size must be"),
        ("/consistency/", "first must be"),
        ("/consistency/?first=3", "second must be"),
        ("/consistency/?first=0&second=5", "need 0 < first"),
        ("/consistency/?first=9&second=5", "need 0 < first <= second"),
        ("/consistency/?first=5&second=21", "second <= 20"),
        ("/consistency/?first=x&second=5", "first must be"),
    ],
)
def test_bad_input_is_400_with_a_reason(client, fill, url: str, reason: str) -> None:
    fill(20)
    response = client.get(API + url)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_proofs_take_a_few_queries(client, fill, django_assert_max_num_queries) -> None:
    fill(20)
    with django_assert_max_num_queries(6):
        assert client.get(f"{API}/entries/9/proof/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(f"{API}/consistency/?first=5&second=20").status_code == 200


def test_the_schema_documents_the_endpoints() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in ("head/", "keys/", "entries/{index}/proof/", "consistency/", "signed/ping/"):
        assert f"{API}/{path}" in paths
    proof = paths[f"{API}/entries/{{index}}/proof/"]["get"]
    assert {"200", "400"} <= set(proof["responses"])
    assert "shailooSignedRequest" in schema["components"]["securitySchemes"]
