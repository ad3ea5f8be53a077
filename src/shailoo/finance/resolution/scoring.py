"""Name scores: how well the name on a statement fits a registered person or organisation.

Both scores are order-free (a bank writes "IVANOV IVAN", a register "Иванов Иван Иванович",
a foreign passport "John SMITH") and work on :func:`keys.read_name` words, so scripts and
spellings are already folded. A person's score needs surname *and* given name; a patronymic
counts only when both sides have one (foreign names have none, banks often drop it), and a
different patronymic then pulls the score down: "Иванов Иван Петрович" is not
"Иванов Иван Иванович". An organisation's score counts every word of both names, so
"Ромашка-Плюс" is not "Ромашка", while the legal form (ОсОО, LLC) was never a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from shailoo.finance.resolution.keys import patronymic_stem, token_similarity

#: A name this close may resolve a donor (with corroboration); the register's duplicate
#: threshold is 88.
MATCH = 90.0
#: Below this a record is not worth a reviewer's time.
CANDIDATE = 75.0
#: An identifier's record whose name scores below this disagrees with the statement.
AGREE = 80.0
#: A patronymic matched through the father's name only (Мелисовна / Мелис кызы) scores a
#: little less than the same word, so a given name equal to the stem is preferred.
_STEM_WEIGHT = 0.95
#: What each word of the statement's name that fits no part of the person's costs.
_EXTRA_WORD = 10.0
#: An organisation's words must agree at least this much to count as the same word (a
#: spelling variant, not another word: Люкс and Плюс share four letters of five).
_ENTITY_WORD = 85.0
_SHORT_WORD = 4
#: Two organisation names whose numbers differ (Ромашка-1, Ромашка-2) score at most this.
_NUMBERS_DIFFER = 70.0

_SURNAME, _GIVEN, _PATRONYMIC = 0, 1, 2
_WEIGHTS = (0.4, 0.4, 0.2)


def person_score(
    query: Sequence[str],
    surname: Sequence[str],
    given: Sequence[str],
    patronymic: Sequence[str] = (),
    fathers: Sequence[bool] = (),
) -> float:
    """How well the words ``query`` name the person, 0..100.

    Each word of the query goes to at most one word of the person (best pairs first; a tie
    goes to the surname or given name before the patronymic). A part's score is its best
    pair; the result is the weighted mean of the parts, capped (as the register caps it) by
    how well the *worst* part agrees, less a penalty per unexplained extra word. A word left
    over is explained when the register has no patronymic and ``fathers`` marks the word as
    one (a foreign name has none; a bank may add it).
    """
    if not query or not (surname or given):
        return 0.0
    if len(query) - len(patronymic) <= len(surname) + len(given) <= len(query):
        # The very words of the name, with or without the patronymic (a PIN's record, a
        # bank that copied the register): only equal words score 100, and a tie goes to
        # the surname and given name first, so every word pairs with its equal, no part
        # is missed and nothing is left over - :func:`_paired_score` would say 100, slower.
        words = sorted(query)
        if words == sorted((*surname, *given)) or words == sorted((*surname, *given, *patronymic)):
            return 100.0
    return _paired_score(query, surname, given, patronymic, fathers)


def _paired_score(
    query: Sequence[str],
    surname: Sequence[str],
    given: Sequence[str],
    patronymic: Sequence[str],
    fathers: Sequence[bool],
) -> float:
    """:func:`person_score` by pairing the words (what the fast path of equal words skips)."""
    roles = [(_SURNAME, t) for t in surname] + [(_GIVEN, t) for t in given]
    roles += [(_PATRONYMIC, t) for t in patronymic]
    pairs = []
    for qi, word in enumerate(query):
        for ci, (role, token) in enumerate(roles):
            if role == _PATRONYMIC:
                sim = _patronymic_similarity(word, token)
            else:
                sim = token_similarity(word, token)
            if sim > 0:
                pairs.append((sim, role != _PATRONYMIC, -qi, -ci))
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    best: dict[int, float] = {}
    placed: set[str] = set()
    for sim, _, nqi, nci in pairs:
        qi, ci = -nqi, -nci
        # A word that repeats a word already placed is the name written twice (in two
        # scripts: "Иванов Иван (IVANOV IVAN)"), not more of the name - unless the person's
        # name has that very word twice.
        if qi in used_q or ci in used_c or (query[qi] in placed and query[qi] != roles[ci][1]):
            continue
        used_q.add(qi)
        used_c.add(ci)
        placed.add(query[qi])
        role = roles[ci][0]
        best[role] = max(best.get(role, 0.0), sim)
    leftover = sum(1 for qi, word in enumerate(query) if qi not in used_q and word not in placed)
    parts: dict[int, float] = {}
    if surname:
        parts[_SURNAME] = best.get(_SURNAME, 0.0)
    if given:
        parts[_GIVEN] = best.get(_GIVEN, 0.0)
    if _PATRONYMIC in best:
        parts[_PATRONYMIC] = best[_PATRONYMIC]
    elif patronymic and leftover:
        parts[_PATRONYMIC] = 0.0  # the statement's patronymic is another
        leftover -= 1
    elif not patronymic and any(
        fathers[qi] for qi in range(min(len(query), len(fathers))) if qi not in used_q
    ):
        leftover -= 1  # the statement has a patronymic the register lacks
    weight = sum(_WEIGHTS[role] for role in parts)
    mean = sum(_WEIGHTS[role] * score for role, score in parts.items()) / weight
    score = min(mean, 50.0 + min(parts.values()) / 2.0) - _EXTRA_WORD * leftover
    return round(max(0.0, score), 1)


def part_ceiling(query: Sequence[str], part: Sequence[str]) -> float:
    """The best :func:`keys.token_similarity` of a word of ``query`` with a word of a name
    part (a surname, a given name): no pairing of :func:`person_score` scores that part
    higher."""
    return max((token_similarity(q, t) for q in query for t in part), default=0.0)


def may_reach(
    threshold: float,
    surname_ceiling: float | None,
    given_ceiling: float | None,
    has_patronymic: bool,
    fathers: Sequence[bool] = (),
) -> bool:
    """Whether :func:`person_score` may reach ``threshold`` for a person whose surname and
    given name the query fits at most this well (:func:`part_ceiling`; ``None`` for a part
    the person lacks): a name search sets most of a block aside on this, unscored.

    The score is at most ``50 + worst part / 2`` less the extra words' penalty, and that
    penalty is -1 word at most (a patronymic the register lacks, when the query has a word
    that reads as one). A margin keeps the score's rounding to a tenth on the safe side.
    """
    present = [c for c in (surname_ceiling, given_ceiling) if c is not None]
    if not present:
        return threshold <= 0.0
    bonus = _EXTRA_WORD if not has_patronymic and any(fathers) else 0.0
    return 50.0 + min(present) / 2.0 + bonus >= threshold - 0.1


@lru_cache(maxsize=1 << 16)
def _patronymic_similarity(word: str, patronymic: str) -> float:
    """A word against a patronymic: as words, or through the father's name they hold."""
    sim = token_similarity(word, patronymic)
    if sim < 100.0:
        stem = token_similarity(patronymic_stem(word), patronymic_stem(patronymic))
        sim = max(sim, _STEM_WEIGHT * stem)
    return sim


def entity_score(query: Sequence[str], name: Sequence[str]) -> float:
    """How well the words ``query`` name an organisation called ``name``, 0..100.

    Words are paired up order-free, each pair weighted by the words' length (at least four)
    and unpaired words counting nothing, after words that one side writes apart and the
    other together are joined ("Kyrgyz Telecom" and "Кыргызтелеком"). Numbers must be the
    same on both sides.
    """
    if not query or not name:
        return 0.0
    query = _joined_where_the_other_is(query, name)
    name = _joined_where_the_other_is(name, query)
    pairs = sorted(
        (
            (sim, -qi, -ni)
            for qi, word in enumerate(query)
            for ni, token in enumerate(name)
            if (sim := token_similarity(word, token)) >= _ENTITY_WORD
        ),
        reverse=True,
    )
    used_q: set[int] = set()
    used_n: set[int] = set()
    matched = 0.0
    for sim, nqi, nni in pairs:
        if -nqi in used_q or -nni in used_n:
            continue
        used_q.add(-nqi)
        used_n.add(-nni)
        matched += sim * (_weight(query[-nqi]) + _weight(name[-nni]))
    score = matched / (sum(map(_weight, query)) + sum(map(_weight, name)))
    if _numbers(query) != _numbers(name):
        score = min(score, _NUMBERS_DIFFER)
    return round(score, 1)


def _weight(word: str) -> int:
    """A word's weight in an organisation's name: its length, but at least that of a short
    word, so that a lone letter or two ("Ромашка А", "Ромашка Б") still tells names apart."""
    return max(len(word), _SHORT_WORD)


def _joined_where_the_other_is(words: Sequence[str], other: Sequence[str]) -> Sequence[str]:
    """``words`` with neighbours joined where ``other`` has them as one word (and neither
    neighbour alone is that word)."""
    if len(words) < 2:
        return words
    out = list(words)
    i = 0
    while i + 1 < len(out):
        joined = out[i] + out[i + 1]
        if any(
            token_similarity(joined, token) >= MATCH
            and token_similarity(out[i], token) < MATCH
            and token_similarity(out[i + 1], token) < MATCH
            for token in other
        ):
            out[i : i + 2] = [joined]
        else:
            i += 1
    return out


def _numbers(words: Sequence[str]) -> list[str]:
    return sorted(w for w in words if any(c.isdigit() for c in w))
