"""Fuzzing the template parsers: random bytes and mutated valid records never raise anything
but TemplateError, never hang, never allocate from an untrusted length; valid records always
round-trip."""

from __future__ import annotations

import contextlib
import math
import struct
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.iso19794 import FingerRecord, FingerView, TemplateError
from shailoo.biometrics.minutiae import FingerTemplate, Minutia, MinutiaKind

CODECS = {"iso": iso19794, "ansi": ansi378}
FUZZ = settings(max_examples=300, deadline=500, suppress_health_check=[HealthCheck.too_slow])
RECORDS = settings(max_examples=80, deadline=500, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw: st.DrawFn) -> FingerRecord:
    width = draw(st.integers(1, 800))
    height = draw(st.integers(1, 800))
    minutia = st.builds(
        Minutia,
        x=st.integers(0, width - 1),
        y=st.integers(0, height - 1),
        theta=st.floats(0.0, 2 * math.pi, exclude_max=True),
        kind=st.sampled_from(list(MinutiaKind)),
        quality=st.integers(0, 100),
    )
    keys = draw(
        st.lists(
            st.tuples(st.integers(0, 10), st.integers(0, 15)), min_size=1, max_size=4, unique=True
        )
    )
    views = tuple(
        FingerView(
            finger,
            view,
            draw(st.sampled_from(sorted(iso19794.IMPRESSION_TYPES))),
            draw(st.integers(0, 100)),
            tuple(draw(st.lists(minutia, max_size=25))),
            tuple(
                draw(
                    st.lists(
                        st.builds(
                            iso19794.ExtendedBlock,
                            st.integers(1, 0xFFFF),
                            st.binary(max_size=20),
                        ),
                        max_size=2,
                    )
                )
            ),
        )
        for finger, view in keys
    )
    return FingerRecord(
        width,
        height,
        draw(st.integers(1, 1000)),
        draw(st.integers(1, 1000)),
        views,
        certification=draw(st.integers(0, 15)),
        device_type=draw(st.integers(0, 0xFFF)),
    )


def _decode_or_refuse(codec: object, data: bytes) -> None:
    try:
        codec.decode(data)  # type: ignore[attr-defined]
    except TemplateError as exc:
        assert 0 <= exc.offset <= max(len(data), iso19794.MAX_RECORD_SIZE)


@pytest.mark.parametrize("name", sorted(CODECS))
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_only_ever_raise_template_error(name: str, data: bytes) -> None:
    _decode_or_refuse(CODECS[name], data)


@pytest.mark.parametrize("name", sorted(CODECS))
@RECORDS
@given(record=records(), data=st.data())
def test_mutated_valid_records_only_ever_raise_template_error(name, record, data) -> None:
    codec = CODECS[name]
    raw = bytearray(codec.encode(record))
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, len(raw) - 1))
        if action == "flip":
            raw[at] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "set":
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at:]
        elif action == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif len(raw) > 1:
            del raw[at]
        if not raw:
            break
    _decode_or_refuse(codec, bytes(raw))


@pytest.mark.parametrize("name", sorted(CODECS))
@RECORDS
@given(record=records())
def test_valid_records_round_trip_byte_for_byte(name: str, record: FingerRecord) -> None:
    codec = CODECS[name]
    data = codec.encode(record)
    back = codec.decode(data)
    assert codec.encode(back) == data
    assert [len(v.minutiae) for v in back.views] == [len(v.minutiae) for v in record.views]


@RECORDS
@given(record=records())
def test_iso_templates_survive_a_trip_through_ansi(record: FingerRecord) -> None:
    """Same positions and kinds; angles within ANSI's 1-degree rounding."""
    for iso_t, ansi_t in zip(
        iso19794.decode(iso19794.encode(record)).templates(),
        ansi378.decode(ansi378.encode(record)).templates(),
        strict=True,
    ):
        for a, b in zip(iso_t.minutiae, ansi_t.minutiae, strict=True):
            assert (a.x, a.y, a.kind) == (b.x, b.y, b.kind)
            diff = (a.theta - b.theta + math.pi) % (2 * math.pi) - math.pi
            assert abs(diff) <= math.radians(1.0) + math.pi / 256 + 1e-9


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash_the_embedding_parser(data: bytes) -> None:
    with contextlib.suppress(TemplateError):
        EmbeddingTemplate.from_bytes(b"SEMB" + data)


@FUZZ
@given(
    vector=st.lists(st.floats(-10, 10, width=32), min_size=1, max_size=64).filter(any),
    at=st.integers(0, 400),
    value=st.integers(0, 255),
)
def test_mutated_embeddings_only_ever_raise_template_error(vector, at, value) -> None:
    raw = bytearray(EmbeddingTemplate("m1", np.array(vector, dtype=np.float32)).to_bytes())
    raw[at % len(raw)] = value
    with contextlib.suppress(TemplateError):
        EmbeddingTemplate.from_bytes(bytes(raw))


@pytest.mark.parametrize("name", sorted(CODECS))
def test_hostile_counts_are_checked_before_any_allocation(name: str) -> None:
    """255 views of 255 minutiae claimed in a 40-byte record: refused at once, no big buffer."""
    codec = CODECS[name]
    head = codec.encode(FingerRecord(100, 100, 197, 197, (FingerView(1, 0, 0, 50, ()),)))
    views_at = 22 if name == "iso" else 24
    hostile = bytearray(head)
    hostile[views_at] = 255
    hostile[views_at + 2 + 3] = 255  # first view claims 255 minutiae
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(TemplateError, match="255 minutiae"):
        codec.decode(bytes(hostile))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.05 and peak < 64 * 1024


def test_a_huge_declared_length_is_refused_without_reading_on() -> None:
    data = iso19794.to_bytes([FingerTemplate(10, 10, ())])
    hostile = data[:8] + struct.pack(">I", 0xFFFFFFFF) + data[12:]
    with pytest.raises(TemplateError, match="record length field 4294967295"):
        iso19794.decode(hostile)


def test_a_maximal_valid_record_decodes_quickly() -> None:
    """The most a record can hold: 176 views (11 fingers x 16 view numbers) x 255 minutiae."""
    views = tuple(
        FingerView(f, v, 0, 50, tuple(Minutia(i, i, 0.0) for i in range(255)))
        for f in range(11)
        for v in range(16)
    )
    data = iso19794.encode(FingerRecord(300, 300, 197, 197, views))
    started = time.perf_counter()
    assert len(iso19794.decode(data).views) == 176
    assert time.perf_counter() - started < 2.0
