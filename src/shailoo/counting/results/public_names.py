"""Names for the public results: every region, TEC, contest and option in the reader's language.

The public JSON carries each name in every language it exists in (``{"ky": ..., "ru": ...,
"en": ...}``) so one answer serves every reader and program; pages pick the reader's
language with a fallback (Kyrgyz, Russian, English, whatever exists), never a bare code
where a name is known. Contests and options come from the imported election definition;
a contest seen only in protocols (no definition imported yet) keeps its id as its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from shailoo.elections.models import Election

LANGS = ("ky", "ru", "en")
Names = dict[str, str]
#: Contest kinds decided over the whole country: the national page shows them in full.
NATIONAL_KINDS = frozenset({"president", "party_list"})


def reader_language() -> str:
    """The reader's language among Kyrgyz, Russian and English (Kyrgyz when unknown)."""
    code = (get_language() or "ky")[:2]
    return code if code in LANGS else "ky"


def names_of(obj: Any, field: str) -> Names:
    """``field_ky``, ``field_ru`` and ``field_en`` of ``obj``, those that exist and are set."""
    found = {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGS}
    return {lang: str(text) for lang, text in found.items() if text}


def pick(names: Mapping[str, str], default: str = "", lang: str | None = None) -> str:
    """The name in ``lang`` (the reader's by default), else Kyrgyz, Russian, English."""
    wanted = lang or reader_language()
    for code in (wanted, *LANGS):
        if names.get(code):
            return names[code]
    return next((text for text in names.values() if text), default)


@dataclass(frozen=True)
class OptionInfo:
    """One option of a contest as the definition names it."""

    id: str
    kind: str
    names: Names
    party: Names
    sex: str
    position: int


@dataclass(frozen=True)
class ContestInfo:
    """One contest as the definition states it (kind, seats, title, options in ballot order)."""

    id: str
    kind: str
    seats: int
    titles: Names
    position: int
    options: tuple[OptionInfo, ...] = ()
    defined: bool = True

    @property
    def against_all(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.kind == "against_all")

    def option(self, option_id: str) -> OptionInfo | None:
        return next((o for o in self.options if o.id == option_id), None)

    def option_names(self, option_id: str) -> Names:
        found = self.option(option_id)
        return dict(found.names) if found is not None else {}

    def order(self, option_ids: Iterable[str]) -> list[str]:
        """``option_ids`` in ballot order (options the definition lacks last, by id)."""
        wanted = set(option_ids)
        listed = [o.id for o in self.options if o.id in wanted]
        return listed + sorted(wanted - set(listed))

    def to_json(self) -> dict[str, Any]:
        return {"contest": self.id, "kind": self.kind, "seats": self.seats, "titles": self.titles}


def contests_of(election: Election, seen: Iterable[str] = ()) -> dict[str, ContestInfo]:
    """Every contest of the definition (in ballot order), then any other contest id seen."""
    from shailoo.counting.models import Contest, ContestOption

    options: dict[int, list[OptionInfo]] = {}
    rows = ContestOption.objects.filter(contest__election=election).order_by("position", "id")
    for row in rows:
        options.setdefault(row.contest_id, []).append(
            OptionInfo(
                row.code,
                row.kind,
                names_of(row, "name"),
                names_of(row, "party"),
                row.sex,
                row.position,
            )
        )
    found: dict[str, ContestInfo] = {}
    for contest in Contest.objects.filter(election=election).order_by("position", "id"):
        found[contest.code] = ContestInfo(
            contest.code,
            contest.kind,
            contest.seats,
            names_of(contest, "title"),
            contest.position,
            tuple(options.get(contest.pk, [])),
        )
    for contest_id in sorted(set(seen) - set(found)):
        found[contest_id] = ContestInfo(contest_id, "", 1, {}, len(found) + 1, defined=False)
    return found


def headline(contests: Mapping[str, ContestInfo]) -> str | None:
    """The contest the region and TEC tables lead with: the first national one (president,
    party lists), else the only contest there is, else none (each row names its own)."""
    for info in contests.values():
        if info.kind in NATIONAL_KINDS:
            return info.id
    return next(iter(contests)) if len(contests) == 1 else None
