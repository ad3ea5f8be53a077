"""A synthetic person's biometric capture: right and left index fingers and a face (pure).

What ``shailoo synth biometrics`` (``biometrics enrol-synth``) enrols and ``shailoo synth
probe`` (``biometrics probe-synth``) writes, and what the demo enrols: finger impressions
from ``shailoo.synth.fingerprints`` and a face embedding of the clustered model from
``shailoo.synth.embeddings``. Deterministic by seed, person and capture session.
"""

from __future__ import annotations

from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.synth import embeddings, fingerprints

#: ISO finger positions of a synthetic capture: right and left index fingers.
FINGERS = (2, 7)


def person_templates(
    person_id: int, seed: int, session: int, setting: str
) -> list[FingerTemplate | EmbeddingTemplate]:
    """Synthetic finger impressions and a face embedding of person ``person_id``.

    Session 0 is the enrolment; later sessions are probes of the same person.
    """
    chosen = fingerprints.settings_named(setting)
    items: list[FingerTemplate | EmbeddingTemplate] = [
        fingerprints.impression(fingerprints.master_finger(seed, person_id, f), session, chosen)
        for f in FINGERS
    ]
    spec = embeddings.CLUSTERED
    vector = embeddings.capture_of(spec, seed, person_id, session)
    items.append(EmbeddingTemplate(spec.model_id, vector))
    return items
