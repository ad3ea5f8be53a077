"""The seeded SHA-256 sampler: reproducible, consistent, pinned, and uniform enough."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from shailoo.counting.audits.sampler import (
    Batch,
    SamplerError,
    draw,
    hash_fraction,
    parse_ballot_id,
    ticket,
)

SEED = "01234567890123456789"
MANIFEST = [Batch("A", 3), Batch("B", 2), Batch("C-7", 4)]


def test_known_answer_vectors() -> None:
    # H is the spec: SHA-256 of the compact JSON array, read as a 256-bit fraction.
    digest = hashlib.sha256(b'["01234567890123456789","A",1,1]').hexdigest()
    assert digest == "75cefd27105b0d4e654eccb8dcc7d7ec5beabe11f76ad6225d37388f770d73f4"
    assert hash_fraction(SEED, "A", 1, 1) == Fraction(int(digest, 16), 2**256)
    sample = draw(MANIFEST, SEED, 5)
    assert [d.ballot_id for d in sample] == ["C-7:2", "A:2", "B:1", "B:2", "C-7:3"]
    assert [d.ticket_text(12) for d in sample[:2]] == ["0.061021096552", "0.151852898158"]

    # The same order from nothing but hashlib: sort every ballot by its digest.
    def digest_of(batch: str, position: int) -> int:
        text = json.dumps([SEED, batch, position, 1], separators=(",", ":"))
        return int(hashlib.sha256(text.encode()).hexdigest(), 16)

    everyone = [(b.id, p) for b in MANIFEST for p in range(1, b.ballots + 1)]
    by_hand = sorted(everyone, key=lambda bp: digest_of(*bp))
    assert [f"{b}:{p}" for b, p in by_hand[:5]] == [d.ballot_id for d in sample]
    again = draw(MANIFEST, SEED, 12, replacement=True)
    assert [(d.ballot_id, d.generation) for d in again] == [
        ("C-7:2", 1), ("A:2", 1), ("B:1", 1), ("B:2", 1), ("B:2", 2), ("B:2", 3),
        ("B:1", 2), ("C-7:3", 1), ("A:1", 1), ("B:2", 4), ("C-7:4", 1), ("A:2", 2),
    ]  # fmt: skip


def test_non_ascii_seed_and_batch_hash_as_utf8_json() -> None:
    seed = "Бишкек 2026 — 12345678901234567890"
    text = json.dumps([seed, "Ош-1", 2, 1], ensure_ascii=False, separators=(",", ":"))
    expected = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    assert hash_fraction(seed, "Ош-1", 2, 1) == Fraction(expected, 2**256)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=5),
    st.text(st.characters(exclude_categories=("Z", "C")), min_size=20, max_size=30),
    st.integers(0, 10),
    st.booleans(),
)
def test_same_seed_same_sample_and_consistency(
    sizes: list[int], seed: str, size: int, replacement: bool
) -> None:
    manifest = [Batch(f"b{i}", n) for i, n in enumerate(sizes)]
    total = sum(sizes)
    size = size if replacement else min(size, total)
    first = draw(manifest, seed, size, replacement=replacement)
    assert first == draw(manifest, seed, size, replacement=replacement)
    assert [d.order for d in first] == list(range(1, size + 1))
    assert [d.ticket for d in first] == sorted(d.ticket for d in first)
    if not replacement:
        assert len({d.ballot_id for d in first}) == size
    # A smaller sample is a prefix of a larger one.
    assert draw(manifest, seed, size // 2, replacement=replacement) == first[: size // 2]
    # Adding a batch never reorders the ballots already there.
    grown = draw([*manifest, Batch("late", 5)], seed, total + 5)
    old = [d.ballot_id for d in grown if d.batch != "late"]
    assert old == [d.ballot_id for d in draw(manifest, seed, total)]
    # Later-generation tickets follow the documented recurrence.
    for d in first:
        assert d.ticket == ticket(seed, d.batch, d.position, d.generation)


def test_other_seed_other_sample() -> None:
    a = [d.ballot_id for d in draw(MANIFEST, SEED, 9)]
    b = [d.ballot_id for d in draw(MANIFEST, SEED[::-1], 9)]
    assert sorted(a) == sorted(b) and a != b


def test_uniform_with_replacement_chi_square() -> None:
    manifest = [Batch(b, 50) for b in "ABCD"]
    sample = draw(manifest, SEED + "-chi", 2000, replacement=True)
    by_ballot = Counter(d.ballot_id for d in sample)
    observed = [by_ballot[f"{b}:{p}"] for b in "ABCD" for p in range(1, 51)]
    assert sum(observed) == 2000
    assert stats.chisquare(observed).pvalue > 0.01
    by_batch = Counter(d.batch for d in sample)
    assert stats.chisquare([by_batch[b] for b in "ABCD"]).pvalue > 0.01


def test_first_positions_uniform_across_seeds() -> None:
    manifest = [Batch("A", 8)]
    firsts = Counter(draw(manifest, f"{SEED}-{i}", 1)[0].position for i in range(800))
    assert stats.chisquare([firsts[p] for p in range(1, 9)]).pvalue > 0.01


@pytest.mark.parametrize(
    ("manifest", "seed", "size", "message"),
    [
        (MANIFEST, "123", 1, "seed: needs at least 20"),
        ([Batch("A", 2), Batch("A", 1)], SEED, 1, "manifest row 2: batch 'A' is listed twice"),
        ([Batch("A", 0)], SEED, 1, "manifest row 1: batch 'A' has 0 ballots"),
        ([Batch(" A", 2)], SEED, 1, "manifest row 1: batch id is empty"),
        (MANIFEST, SEED, 10, "size: 10 exceeds the 9 ballots"),
    ],
)
def test_bad_input_is_located(manifest: list[Batch], seed: str, size: int, message: str) -> None:
    with pytest.raises(SamplerError, match=message):
        draw(manifest, seed, size)


def test_ballot_ids_parse() -> None:
    assert parse_ballot_id("C-7:12") == ("C-7", 12)
    assert parse_ballot_id("a:b:3") == ("a:b", 3)
    for bad in ("C-7", "C-7:0", ":3", "A:x"):
        with pytest.raises(SamplerError):
            parse_ballot_id(bad)
