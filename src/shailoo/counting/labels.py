"""Names staff read for the codes of ballot reading: why a sheet waits for a person, which
contest and ballot style it is, which options a decision counted.

The codes themselves (``counting.reads.Reason``, contest and option ids of the definition)
stay what logs, the ledger and cast vote records carry; pages show these names and keep the
code only in a ``title`` or a muted ``<code>`` for cross-reference with the paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language, gettext_lazy

from shailoo.counting.reads import Reason

#: Why a sheet or a contest goes to adjudication (``Reason``), as an adjudicator says it.
REASON_NAMES: dict[str, Any] = {
    Reason.TIMING_MARK_MISSING: gettext_lazy("a timing mark is missing"),
    Reason.TIMING_MARKS_NOT_FOUND: gettext_lazy("the timing marks were not found"),
    Reason.QR_UNREADABLE: gettext_lazy("the QR code cannot be read"),
    Reason.QR_FOREIGN: gettext_lazy("the QR code is not of a ballot of this election"),
    Reason.WRONG_STYLE: gettext_lazy("wrong ballot style"),
    Reason.WRONG_STATION: gettext_lazy("another station's ballot"),
    Reason.MARGINAL_MARK: gettext_lazy("marginal mark"),
    Reason.OVERVOTE: gettext_lazy("overvote"),
    Reason.IMAGE_UNREADABLE: gettext_lazy("the image file cannot be read"),
}


def reason_name(code: str) -> str:
    """The name of a reason code in the reader's language (the code itself if unknown)."""
    name = REASON_NAMES.get(code)
    return str(name) if name is not None else code


def reasons(codes: Iterable[object]) -> list[tuple[str, str]]:
    """``(code, name)`` for each stored reason, in order."""
    return [(str(code), reason_name(str(code))) for code in codes]


def _kyrgyz() -> bool:
    return (get_language() or "")[:2] == "ky"


def contest_title(contest: Any) -> str:
    """A contest's title in the reader's language: Kyrgyz for Kyrgyz readers, else Russian
    (the definition carries no other); the code when the definition gives no title."""
    title = contest.title_ky if _kyrgyz() else contest.title_ru
    return str(title or contest.title_ru or contest.title_ky or contest.code)


def option_name(option: Any) -> str:
    """An option's name (candidate, party list, "against all") in the reader's language."""
    name = option.name_ky if _kyrgyz() else option.name_ru
    return str(name or option.name_ru or option.name_ky or option.code)


def style_name(style: Any) -> str:
    """A ballot style named by its contests (a district's ballot is that district's)."""
    titles = [contest_title(c) for c in style.contests.all()]
    return " + ".join(titles) if titles else str(style.code)
