"""Fixed-length embedding templates (face embeddings from an enrolment SDK) (pure).

An embedding only means something next to embeddings of the same model: two models' vectors
live in unrelated spaces, and their cosine is noise that looks like a score. So every template
carries its model id, and comparing templates of different models raises
:class:`ModelMismatchError` rather than returning a number.

Stored layout (little-endian, like the vectors SDKs emit)::

      0  4  "SEMB"
      4  1  version (1)
      5  1  dtype: 1 float32, 2 int8 (with scale)
      6  2  dimension (1-4096)
      8  1  model id length n (1-64)
      9  n  model id (printable ASCII)
    9+n  4  scale (float32; 1.0 for float32 vectors, > 0 for int8)
   13+n  .  dim values (4 bytes each for float32, 1 byte for int8)

A record is refused with :class:`~shailoo.biometrics.iso19794.TemplateError` (offset, reason)
when truncated, longer than its dimension says, non-finite, zero or of an unknown kind.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shailoo.biometrics.iso19794 import Reader, TemplateError
from shailoo.common.refusals import InvalidInput

MAGIC = b"SEMB"
VERSION = 1
DTYPE_FLOAT32 = 1
DTYPE_INT8 = 2
MAX_DIM = 4096
MAX_MODEL_ID = 64
_DTYPES: dict[int, np.dtype[Any]] = {DTYPE_FLOAT32: np.dtype("<f4"), DTYPE_INT8: np.dtype("i1")}


class ModelMismatchError(InvalidInput):
    """Two embeddings of different models (or dimensions) were about to be compared."""

    default_code = "embedding_model_mismatch"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


def _check_model_id(model_id: str) -> str | None:
    if not 1 <= len(model_id) <= MAX_MODEL_ID:
        return f"model id must have 1-{MAX_MODEL_ID} characters"
    if not all(" " < ch <= "~" for ch in model_id):
        return "model id must be printable ASCII without spaces"
    return None


@dataclass(frozen=True, eq=False)
class EmbeddingTemplate:
    """A vector from ``model_id``; int8 vectors hold ``value * scale`` per component."""

    model_id: str
    vector: npt.NDArray[np.float32] | npt.NDArray[np.int8]
    scale: float = 1.0

    def __post_init__(self) -> None:
        problem = _check_model_id(self.model_id)
        if problem:
            raise ValueError(problem)
        vector = np.asarray(self.vector)
        if vector.dtype not in (np.float32, np.int8):
            vector = vector.astype(np.float32)
        if vector.ndim != 1 or not 1 <= vector.shape[0] <= MAX_DIM:
            raise ValueError(f"an embedding is one vector of 1-{MAX_DIM} values")
        if vector.dtype == np.float32 and not np.isfinite(vector).all():
            raise ValueError("an embedding holds only finite numbers")
        object.__setattr__(self, "scale", float(np.float32(self.scale)))  # as stored
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError("scale must be a positive finite number")
        if vector.dtype == np.float32 and self.scale != 1.0:
            raise ValueError("float32 embeddings have scale 1.0")
        if not np.any(vector):
            raise ValueError("an all-zero embedding has no direction")
        vector = vector.copy()
        vector.flags.writeable = False
        object.__setattr__(self, "vector", vector)

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])

    @property
    def dtype_code(self) -> int:
        return DTYPE_INT8 if self.vector.dtype == np.int8 else DTYPE_FLOAT32

    def as_float32(self) -> npt.NDArray[np.float32]:
        """The values in float32 (int8 values times the scale)."""
        return (self.vector.astype(np.float32) * np.float32(self.scale)).astype(np.float32)

    def unit(self) -> npt.NDArray[np.float32]:
        """The vector scaled to length 1, as matchers and indexes want it."""
        values = self.as_float32()
        return (values / np.linalg.norm(values)).astype(np.float32)

    def quantised(self) -> EmbeddingTemplate:
        """The int8 form (a quarter of the size); cosine changes by well under 0.01."""
        if self.vector.dtype == np.int8:
            return self
        values = self.as_float32()
        scale = float(np.abs(values).max()) / 127.0
        q = np.clip(np.rint(values / scale), -127, 127).astype(np.int8)
        return EmbeddingTemplate(self.model_id, q, scale)

    def to_bytes(self) -> bytes:
        """The stored layout described in the module docstring."""
        model = self.model_id.encode("ascii")
        head = MAGIC + struct.pack("<BBHB", VERSION, self.dtype_code, self.dim, len(model))
        values = self.vector.astype(_DTYPES[self.dtype_code], copy=False).tobytes()
        return head + model + struct.pack("<f", self.scale) + values

    @classmethod
    def from_bytes(cls, data: bytes) -> EmbeddingTemplate:
        """Parse the stored layout strictly (TemplateError with the byte offset)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TemplateError(0, f"a template is bytes, not {type(data).__name__}")
        data = bytes(data)
        r = Reader(data)
        if r.raw(4, "magic") != MAGIC:
            raise TemplateError(0, 'magic is not "SEMB"')
        version = r.u8("version")
        if version != VERSION:
            raise TemplateError(4, f"version {version} is not supported")
        code = r.u8("dtype")
        if code not in _DTYPES:
            raise TemplateError(5, f"dtype {code} is not 1 (float32) or 2 (int8)")
        r.need(2, "dimension")
        (dim,) = struct.unpack_from("<H", data, r.pos)
        r.pos += 2
        if not 1 <= dim <= MAX_DIM:
            raise TemplateError(6, f"dimension {dim} is not 1-{MAX_DIM}")
        n = r.u8("model id length")
        raw_model = r.raw(n, "model id")
        try:
            model_id = raw_model.decode("ascii")
        except UnicodeDecodeError:
            raise TemplateError(9, "model id is not ASCII") from None
        problem = _check_model_id(model_id)
        if problem:
            raise TemplateError(9, problem)
        scale_at = r.pos
        r.need(4, "scale")
        (scale,) = struct.unpack_from("<f", data, r.pos)
        r.pos += 4
        if not (math.isfinite(scale) and scale > 0):
            raise TemplateError(scale_at, "scale is not a positive finite number")
        if code == DTYPE_FLOAT32 and scale != 1.0:
            raise TemplateError(scale_at, "float32 embeddings have scale 1.0")
        dtype = _DTYPES[code]
        values_at = r.pos
        expected = values_at + dim * dtype.itemsize
        if len(data) != expected:
            raise TemplateError(
                min(len(data), expected),
                f"{dim} {dtype.name} values need {expected} bytes in all, {len(data)} given",
            )
        vector = np.frombuffer(data, dtype=dtype, count=dim, offset=values_at)
        if code == DTYPE_FLOAT32 and not np.isfinite(vector).all():
            bad = int(np.flatnonzero(~np.isfinite(vector))[0])
            raise TemplateError(values_at + 4 * bad, f"value {bad} is not a finite number")
        if not np.any(vector):
            raise TemplateError(values_at, "all values are zero: the embedding has no direction")
        if code == DTYPE_FLOAT32:
            return cls(model_id, vector.astype(np.float32), float(scale))
        return cls(model_id, vector.astype(np.int8), float(scale))


def check_comparable(a: EmbeddingTemplate, b: EmbeddingTemplate) -> None:
    """Refuse to compare embeddings of different models or dimensions."""
    if a.model_id != b.model_id:
        raise ModelMismatchError(
            f"embeddings of model {a.model_id!r} and {b.model_id!r} cannot be compared"
        )
    if a.dim != b.dim:
        raise ModelMismatchError(
            f"model {a.model_id!r} embeddings of dimension {a.dim} and {b.dim}"
        )


def cosine(a: EmbeddingTemplate, b: EmbeddingTemplate) -> float:
    """Cosine similarity in [-1, 1] of two embeddings of the same model."""
    check_comparable(a, b)
    return float(np.clip(np.dot(a.unit(), b.unit()), -1.0, 1.0))
