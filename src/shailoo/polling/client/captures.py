"""Templates as the capture hardware delivers them, and the probe the device matches offline.

One decoder for the three template kinds the API takes (``finger_iso`` ISO/IEC 19794-2,
``finger_ansi`` ANSI/INCITS 378, ``embedding`` a face embedding), shared by the opening of the
station package (the gallery) and the offline check-in (the probe), so that the device reads
a template exactly as the server does and a bad one is refused with the place it was found.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.iso19794 import TemplateError
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

TEMPLATE_KINDS: Final = ("finger_iso", "finger_ansi", "embedding")


@dataclass(frozen=True, slots=True)
class Capture:
    """A template as the capture device delivered it: its kind and its bytes."""

    kind: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "data": base64.b64encode(self.data).decode("ascii")}


def decode_template(kind: str, data: bytes) -> list[FingerTemplate] | EmbeddingTemplate:
    """The fingers (one record may hold several) or the face of one template of ``kind``;
    ``TemplateError`` (with the byte offset) for a malformed template or an unknown kind."""
    if kind == "embedding":
        return EmbeddingTemplate.from_bytes(data)
    if kind == "finger_iso":
        return iso19794.from_bytes(data)
    if kind == "finger_ansi":
        return ansi378.from_bytes(data)
    raise TemplateError(0, f"unknown template kind {kind[:20]!r}")


def probe_of(
    captures: Sequence[Capture],
) -> tuple[dict[int, FingerTemplate], EmbeddingTemplate | None]:
    """The fingers and face of a capture (as the server reads them); located refusals."""
    fingers: dict[int, FingerTemplate] = {}
    face: EmbeddingTemplate | None = None
    for i, capture in enumerate(captures):
        try:
            value = decode_template(capture.kind, capture.data)
        except TemplateError as exc:
            raise InvalidInput(
                "template_invalid",
                f"template {i + 1} ({capture.kind[:20]}) is malformed: {exc}",
                problems=[Problem(f"templates.{i}", str(exc)[:200])],
            ) from None
        if isinstance(value, EmbeddingTemplate):
            face = value
        else:
            for template in value:
                fingers.setdefault(template.finger, template)
    if not fingers and face is None:
        raise InvalidInput("empty_probe", "the capture holds no finger and no face")
    return fingers, face
