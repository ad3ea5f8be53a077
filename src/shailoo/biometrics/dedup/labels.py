"""The words of the deduplication pages: finger names and a pair's verdict in a sentence.

Kept beside the pure verdict (``dedup.verdict``) so the engine stays free of Django and the
translator edits words here, not logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from shailoo.biometrics.dedup.verdict import Level, Verdict

#: ISO/IEC 19794-2 finger positions, as staff name them.
FINGER_NAMES: dict[int, Any] = {
    0: gettext_lazy("unknown finger"),
    1: gettext_lazy("right thumb"),
    2: gettext_lazy("right index finger"),
    3: gettext_lazy("right middle finger"),
    4: gettext_lazy("right ring finger"),
    5: gettext_lazy("right little finger"),
    6: gettext_lazy("left thumb"),
    7: gettext_lazy("left index finger"),
    8: gettext_lazy("left middle finger"),
    9: gettext_lazy("left ring finger"),
    10: gettext_lazy("left little finger"),
}

HEADLINES: dict[Level, Any] = {
    Level.SAME: gettext_lazy("Likely the same person"),
    Level.DIFFERENT: gettext_lazy("Likely different people"),
    Level.UNCLEAR: gettext_lazy("Unclear"),
}


def finger_name(position: int) -> str:
    """The finger at ``position`` in the reader's language (the number if not a finger)."""
    name = FINGER_NAMES.get(position)
    return str(name) if name is not None else gettext("finger %(n)s") % {"n": position}


@dataclass(frozen=True)
class VerdictText:
    """A verdict in words: the headline, what agrees, and what to do when it is unclear."""

    level: str  # "same", "different" or "unclear": the page's style and tests key on it
    headline: str
    detail: str
    advice: str

    @property
    def sentence(self) -> str:
        return f"{self.headline} — {self.detail}"


def _fingers(verdict: Verdict) -> str:
    agree, count = verdict.fingers_agreeing, verdict.fingers_compared
    if count == 1:
        return (
            gettext("the one finger compared agrees")
            if agree
            else gettext("the one finger compared disagrees")
        )
    if agree == 0:
        return gettext("no finger agrees")
    return gettext("%(agree)s of %(count)s fingers agree") % {"agree": agree, "count": count}


def _detail(verdict: Verdict) -> str:
    if verdict.compared == 0:
        return gettext("no finger and no face could be compared")
    face = verdict.face_agrees
    if verdict.fingers_compared == 0:
        face_only = gettext("the face agrees") if face else gettext("the face disagrees")
        return f"{face_only}; {gettext('no finger is enrolled for both persons')}"
    fingers = _fingers(verdict)
    if face is None:
        return fingers
    everything = verdict.fingers_agreeing == verdict.fingers_compared and face
    if everything and verdict.fingers_compared > 1:
        return gettext("%(agree)s of %(count)s fingers and the face agree") % {
            "agree": verdict.fingers_agreeing,
            "count": verdict.fingers_compared,
        }
    face_part = gettext("the face agrees") if face else gettext("the face disagrees")
    return f"{fingers}, {face_part}"


def _advice(verdict: Verdict) -> str:
    if verdict.level != Level.UNCLEAR:
        return ""
    if verdict.compared == 0:
        return gettext("Decide on the records alone, or ask both persons to come in.")
    if verdict.agreeing == verdict.compared and not verdict.queued:
        return gettext(
            "Together they fall short of the queue's threshold: compare the records side by "
            "side and, if in doubt, ask both persons to come in."
        )
    return gettext(
        "Compare the records side by side (names, dates of birth, addresses) and, if in "
        "doubt, ask both persons to come in to be enrolled again."
    )


def verdict_text(verdict: Verdict) -> VerdictText:
    """``verdict`` in the reader's language."""
    return VerdictText(
        level=verdict.level.name.lower(),
        headline=str(HEADLINES[verdict.level]),
        detail=_detail(verdict),
        advice=_advice(verdict),
    )
