"""Embedding templates: serialisation, cosine, int8 quantisation, model separation, refusals."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from shailoo.biometrics.embedding import (
    EmbeddingTemplate,
    ModelMismatchError,
    TemplateError,
    cosine,
)


def _vec(seed: int, dim: int = 512) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def test_known_bytes_of_a_tiny_float32_embedding() -> None:
    template = EmbeddingTemplate("arc-v1", np.array([1.0, -2.0], dtype=np.float32))
    assert template.to_bytes() == (
        b"SEMB"
        + bytes([1, 1])
        + struct.pack("<H", 2)
        + b"\x06arc-v1"
        + struct.pack("<f", 1.0)
        + struct.pack("<2f", 1.0, -2.0)
    )


@pytest.mark.parametrize("quantise", [False, True])
def test_templates_round_trip(quantise: bool) -> None:
    template = EmbeddingTemplate("face-x", _vec(1))
    if quantise:
        template = template.quantised()
    back = EmbeddingTemplate.from_bytes(template.to_bytes())
    assert back.model_id == "face-x" and back.dim == 512
    assert back.vector.dtype == template.vector.dtype
    assert np.array_equal(back.vector, template.vector) and back.scale == template.scale


def test_int8_is_a_quarter_of_the_size_and_keeps_the_cosine() -> None:
    a, b = EmbeddingTemplate("m", _vec(1)), EmbeddingTemplate("m", _vec(1) + 0.8 * _vec(2))
    assert len(a.quantised().to_bytes()) < len(a.to_bytes()) / 3.5
    assert cosine(a.quantised(), b.quantised()) == pytest.approx(cosine(a, b), abs=0.01)
    assert cosine(a, a) == pytest.approx(1.0)
    assert cosine(a, EmbeddingTemplate("m", -_vec(1))) == pytest.approx(-1.0)


def test_embeddings_of_different_models_are_never_compared() -> None:
    with pytest.raises(ModelMismatchError, match="'face-a' and 'face-b'"):
        cosine(EmbeddingTemplate("face-a", _vec(1)), EmbeddingTemplate("face-b", _vec(1)))
    with pytest.raises(ModelMismatchError, match="dimension 512 and 128"):
        cosine(EmbeddingTemplate("m", _vec(1)), EmbeddingTemplate("m", _vec(1, 128)))


@pytest.mark.parametrize(
    ("vector", "model", "scale", "message"),
    [
        (np.zeros(4, np.float32), "m", 1.0, "all-zero"),
        (np.array([1.0, np.nan], np.float32), "m", 1.0, "finite"),
        (np.ones(4, np.float32), "", 1.0, "1-64 characters"),
        (np.ones(4, np.float32), "with space", 1.0, "printable ASCII"),
        (np.ones(4, np.float32), "m", 2.0, "scale 1.0"),
        (np.ones(4, np.int8), "m", -1.0, "positive"),
        (np.ones((2, 2), np.float32), "m", 1.0, "one vector"),
    ],
)
def test_invalid_templates_cannot_be_built(vector, model, scale, message) -> None:
    with pytest.raises(ValueError, match=message):
        EmbeddingTemplate(model, vector, scale)


GOOD = EmbeddingTemplate("m1", np.array([0.5, -0.25, 1.0], dtype=np.float32)).to_bytes()


def _patch(offset: int, value: bytes) -> bytes:
    return GOOD[:offset] + value + GOOD[offset + len(value) :]


@pytest.mark.parametrize(
    ("data", "offset", "reason"),
    [
        (b"", 0, "truncated"),
        (_patch(0, b"SEMX"), 0, "magic"),
        (_patch(4, b"\x02"), 4, "version 2"),
        (_patch(5, b"\x03"), 5, "dtype 3"),
        (_patch(6, b"\x00\x00"), 6, "dimension 0"),
        (_patch(6, b"\xff\xff"), 6, "dimension 65535"),
        (_patch(8, b"\x00"), 9, "model id"),
        (_patch(9, b"\xff"), 9, "not ASCII"),
        (_patch(11, struct.pack("<f", 0.5)), 11, "scale 1.0"),
        (_patch(11, struct.pack("<f", float("inf"))), 11, "positive finite"),
        (GOOD[:-1], 26, "need 27 bytes"),
        (GOOD + b"\0", 27, "28 given"),
        (_patch(19, struct.pack("<f", float("nan"))), 19, "value 1 is not a finite"),
        (_patch(15, bytes(12)), 15, "all values are zero"),
    ],
)
def test_malformed_bytes_are_refused_with_the_offset(data, offset, reason) -> None:
    with pytest.raises(TemplateError) as caught:
        EmbeddingTemplate.from_bytes(data)
    assert caught.value.offset == offset, caught.value
    assert reason in caught.value.reason


def test_a_template_is_immutable() -> None:
    template = EmbeddingTemplate("m", _vec(3))
    with pytest.raises(ValueError):
        template.vector[0] = 1.0
