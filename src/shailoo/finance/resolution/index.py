"""The donor index and the resolution of one counterparty (pure).

Order of evidence: an identifier first (a valid PIN or INN that names a record whose name
agrees); else the name, found through blocks (persons born on the statement's birth date;
records sharing words of the name, spellings folded) and scored order-free, then
corroborated — a person by the same birth date or address, an organisation by a name no
other organisation shares. A birth date that differs rules a namesake out, a country that
differs rules out an organisation. Whatever is not resolved so says why and goes to review.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from shailoo.common.problems import Problem
from shailoo.finance.resolution.decide import (
    Found,
    decide_entities,
    decide_persons,
    either,
)
from shailoo.finance.resolution.keys import (
    AddressReading,
    NameReading,
    addresses_agree,
    donor_key,
    read_address,
    read_name,
)
from shailoo.finance.resolution.records import (
    Candidate,
    Counterparty,
    EntityRecord,
    PersonRecord,
    Resolution,
    Status,
)
from shailoo.finance.resolution.scoring import (
    AGREE,
    CANDIDATE,
    MATCH,
    entity_score,
    may_reach,
    part_ceiling,
    person_score,
)
from shailoo.finance.resolution.tables import EntityTable, PersonRow, PersonTable, Rows
from shailoo.register.pin import check_pin, mask_pin

if TYPE_CHECKING:
    from shailoo.finance.resolution.parallel import ResolverPool, Shape

#: Identifier schemes read as a Kyrgyz PIN (ISO 20022 ``NIDN``/``TXID``: in Kyrgyzstan a
#: person's tax number is the PIN) and as an organisation's INN. Others (a passport
#: ``CCPT``, a customer number ``CUST``) cannot be checked against the register.
PIN_SCHEMES = frozenset({"", "NIDN", "TXID", "TIN", "PIN", "ПИН", "INN", "ИНН"})
INN_SCHEMES = frozenset({"", "TXID", "TIN", "INN", "ИНН"})
#: What a bank writes for "no name".
PLACEHOLDERS = frozenset(
    donor_key(text)
    for text in ("N/A", "NA", "none", "unknown", "anonymous", "аноним", "неизвестно",
                 "не указано", "белгисиз", "нет")
)  # fmt: skip
#: How much of a name or address field is read (twice ISO 20022's Max140Text).
MAX_TEXT = 280
#: Candidates kept on a resolution, and rows scored per block.
MAX_CANDIDATES = 10
MAX_SCORED = 2000
#: How many counterparties' answers :meth:`DonorIndex.resolve_many` remembers.
_REMEMBERED = 100_000
_DIGIT_RUN = re.compile(r"\d{8,}")
_DIGITS = re.compile(r"\d+")


class DonorIndex:
    """Persons and organisations indexed for resolving the payers of bank statements.

    Build once (:meth:`build`) from the register and the registries; then :meth:`resolve`
    each counterparty. ``problems`` lists records that could not be indexed as given.
    """

    __slots__ = ("_cache", "entities", "persons", "problems")

    def __init__(self, persons: PersonTable, entities: EntityTable, problems: list[Problem]):
        self.persons = persons
        self.entities = entities
        self.problems = tuple(problems)
        self._cache: dict[Counterparty, Resolution] = {}

    @classmethod
    def build(cls, persons: Iterable[PersonRecord], entities: Iterable[EntityRecord]) -> DonorIndex:
        """Index the register's persons and the registries' organisations (streamed once)."""
        problems: list[Problem] = []
        person_table = PersonTable(persons, problems)
        entity_table = EntityTable(entities, problems)
        return cls(person_table, entity_table, problems)

    @classmethod
    def build_from_rows(
        cls, persons: Iterable[PersonRow], entities: Iterable[EntityRecord]
    ) -> DonorIndex:
        """:meth:`build` from the register's plain rows (:data:`tables.PersonRow`)."""
        problems: list[Problem] = []
        person_table = PersonTable.from_rows(persons, problems)
        entity_table = EntityTable(entities, problems)
        return cls(person_table, entity_table, problems)

    def resolve(self, cp: Counterparty) -> Resolution:
        """Who gave: see :class:`Status` for what each answer means."""
        return _Resolver(self, cp).run()

    def resolve_many(
        self, counterparties: Iterable[Counterparty], pool: ResolverPool | None = None
    ) -> list[Resolution]:
        """Resolve each counterparty, once per distinct one (statements repeat donors; the
        last 100,000 distinct ones are remembered across calls). With ``pool`` the distinct
        new ones are resolved by its workers; the answers are the same."""
        return self.resolve_many_later(counterparties, pool)()

    def resolve_many_later(
        self, counterparties: Iterable[Counterparty], pool: ResolverPool | None = None
    ) -> Callable[[], list[Resolution]]:
        """:meth:`resolve_many`, its answers collected by calling what this returns: with a
        pool, its workers resolve meanwhile, so the caller can store the previous batch."""
        wanted = list(counterparties)
        known: dict[Counterparty, Resolution] = {}
        fresh: dict[Counterparty, None] = {}  # the new ones, in order, once each
        for cp in wanted:
            if cp in known or cp in fresh:
                continue
            found = self._cache.get(cp)
            if found is None:
                fresh[cp] = None
            else:
                known[cp] = found
        if pool is not None:
            pending = pool.submit(list(fresh))
        else:
            done = [self.resolve(cp) for cp in fresh]
            pending = lambda: done  # noqa: E731

        def collect() -> list[Resolution]:
            for cp, answer in zip(fresh, pending(), strict=True):
                known[cp] = answer
                if len(self._cache) >= _REMEMBERED:
                    self._cache.clear()
                self._cache[cp] = answer
            return [known[cp] for cp in wanted]

        return collect

    def resolve_batches(
        self, batches: Sequence[Sequence[Counterparty]], pool: ResolverPool | None = None
    ) -> Iterator[list[Resolution]]:
        """Each batch's answers, a batch at a time, as :meth:`resolve_many` gives them.

        Every distinct new counterparty of every batch is handed to ``pool``'s workers
        before this returns (each once, however many batches name it), so the caller can
        store the first batches' answers, or do anything else, while the workers find the
        later ones. Without a pool each is resolved when its batch is reached.
        """
        return self.answer_batches(self.plan_batches(batches), pool)

    def plan_batches(self, batches: Sequence[Sequence[Counterparty]]) -> BatchPlan:
        """What :meth:`answer_batches` will resolve: each distinct counterparty not
        remembered, in the order first met (``BatchPlan.fresh``: a pool forked with it is
        sent where they are, not the counterparties)."""
        known: dict[Counterparty, Resolution] = {}
        last: dict[Counterparty, int] = {}
        fresh: list[Counterparty] = []
        for k, batch in enumerate(batches):
            for cp in batch:
                if cp not in last:
                    found = self._cache.get(cp)
                    if found is None:
                        fresh.append(cp)
                    else:
                        known[cp] = found
                last[cp] = k
        expiring: list[list[Counterparty]] = [[] for _ in batches]
        for cp, k in last.items():
            expiring[k].append(cp)
        return BatchPlan(batches, known, fresh, expiring)

    def answer_batches(
        self, plan: BatchPlan, pool: ResolverPool | None = None, shape: Shape | None = None
    ) -> Iterator[list[Any]]:
        """The planned batches' answers, a batch at a time (see :meth:`resolve_batches`),
        every new counterparty handed to ``pool`` before this returns. ``shape`` (a
        module-level function) is applied to each answer where it is found, so that a
        caller that needs less of an answer has less sent back; shaped answers are not
        remembered. An answer is kept only until the last batch that needs it."""
        if pool is not None:
            answers = pool.stream(plan.fresh, shape)
        else:
            found = map(self.resolve, plan.fresh)
            answers = found if shape is None else map(shape, found)
        known = plan.known if shape is None else {cp: shape(a) for cp, a in plan.known.items()}
        return self._answer_batches(plan, known, answers, remember=shape is None)

    def _answer_batches(
        self,
        plan: BatchPlan,
        known: dict[Counterparty, Any],
        answers: Iterator[Any],
        remember: bool,
    ) -> Iterator[list[Any]]:
        for batch, done in zip(plan.batches, plan.expiring, strict=True):
            out = []
            for cp in batch:
                answer = known.get(cp)
                if answer is None:  # the next new one: they come in the order first met
                    answer = known[cp] = next(answers)
                    if remember:
                        if len(self._cache) >= _REMEMBERED:
                            self._cache.clear()
                        self._cache[cp] = answer
                out.append(answer)
            for cp in done:
                del known[cp]
            yield out


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """Batches of counterparties to resolve: those answered already (``known``), the
    distinct new ones in the order first met (``fresh``), and for each batch the
    counterparties no later batch names (``expiring``)."""

    batches: Sequence[Sequence[Counterparty]]
    known: dict[Counterparty, Resolution]
    fresh: list[Counterparty]
    expiring: list[list[Counterparty]]


#: The scores as the resolver asks for them (words as tuples): the same donor writes the
#: same name on many statements, and an organisation's name is scored for each payment.
_person_score = lru_cache(maxsize=1 << 16)(person_score)
_entity_score = lru_cache(maxsize=1 << 16)(entity_score)


@lru_cache(maxsize=1 << 16)
def _register_address(text: str) -> AddressReading:
    """A register's address read for matching (households and repeat donors share one)."""
    return read_address(donor_key(text))


def _safe(text: str) -> str:
    """Mask every long digit run (a PIN written into a name field never shows in clear)."""
    return _DIGIT_RUN.sub(lambda m: mask_pin(m.group(0)), text)


class _Resolver:
    """One counterparty's resolution: the evidence gathered and the reasons said."""

    def __init__(self, index: DonorIndex, cp: Counterparty) -> None:
        self.persons = index.persons
        self.entities = index.entities
        self.cp = cp
        # A statement's name and address fields hold 140 characters (ISO 20022 Max140Text);
        # a longer one is read no further, so a hostile field costs no more than a long one.
        self.reading: NameReading = read_name(cp.name[:MAX_TEXT])
        if " ".join(self.reading.person) in PLACEHOLDERS:
            self.reading = read_name("")
        self.reasons: list[str] = []

    @cached_property
    def address(self) -> AddressReading | None:
        """The statement's address, read only when a candidate's name fits well enough for
        it to corroborate (most payers resolve by identifier without it)."""
        address = self.cp.address[:MAX_TEXT]
        return read_address(donor_key(address)) if address.strip() else None

    @cached_property
    def _address_digits(self) -> list[str]:
        numbers = self.address.numbers if self.address is not None else ()
        return [m.group(0) for n in numbers if (m := _DIGITS.search(n))]

    def done(
        self,
        status: Status,
        key: str | None,
        score: float,
        candidates: Iterable[Candidate],
    ) -> Resolution:
        unique: dict[str, Candidate] = {}
        for c in candidates:
            unique.setdefault(c.identity_key, c)
        return Resolution(
            status,
            key,
            round(score, 1),
            tuple(unique.values())[:MAX_CANDIDATES],
            tuple(_safe(r) for r in self.reasons),
        )

    # --- identifiers -----------------------------------------------------------------------

    def run(self) -> Resolution:
        cp = self.cp
        person_id = "".join(cp.person_id.split())
        org_id = "".join(cp.org_id.split())
        scheme = cp.id_scheme.strip().upper()
        if self.reading.empty and not person_id and not org_id:
            account = " (an account is given)" if cp.account.strip() else ""
            self.reasons.append(f"no name and no identifier on the statement{account}")
            return self.done(Status.ANONYMOUS, None, 0.0, ())
        hits: list[Candidate] = []
        id_problem = False
        if person_id:
            hit, id_problem = self._person_id(person_id, scheme)
            hits += hit
        if org_id:
            hit, problem = self._org_id(org_id, scheme)
            hits += hit
            id_problem = id_problem or problem
        agreeing = [c for c in hits if not c.contradiction]
        if agreeing:
            first = agreeing[0]
            if not self.reading.empty:
                self.reasons.append(f"the name agrees (score {first.score:g})")
            else:
                self.reasons.append("no name on the statement to compare")
            return self.done(Status.EXACT_ID, first.identity_key, 100.0, [first, *hits])
        status, best, candidates, reasons = self._by_name()
        self.reasons += reasons
        if hits:
            self.reasons.append(
                "the identifier names a record the statement's name or birth date disputes: review"
            )
            return self.done(Status.CONFLICT, None, hits[0].score, [*hits, *candidates])
        if id_problem and status is Status.NAME_MATCH and best is not None:
            self.reasons.append(
                f"the name fits {best.name} ({best.shown_id}), but the identifier on the"
                " statement is not theirs: review"
            )
            return self.done(Status.CONFLICT, None, best.score, candidates)
        key = best.identity_key if status is Status.NAME_MATCH and best is not None else None
        return self.done(status, key, best.score if best is not None else 0.0, candidates)

    def _person_id(self, value: str, scheme: str) -> tuple[list[Candidate], bool]:
        shown = mask_pin(value)
        if scheme not in PIN_SCHEMES or (not scheme and not (value.isascii() and value.isdigit())):
            self.reasons.append(
                f"person identifier {shown} (scheme {scheme or 'none'}) cannot be checked"
                " against the register"
            )
            return [], False
        problem = check_pin(value)
        if problem is not None:
            self.reasons.append(f"PIN {shown} is not a valid PIN ({problem.why}): not a match")
            return [], True
        row = self.persons.row_of_pin(value)
        if row is None:
            self.reasons.append(f"PIN {shown} names nobody in the register: not a match")
            return [], True
        return [self._person_hit(row, shown)], False

    def _org_id(self, value: str, scheme: str) -> tuple[list[Candidate], bool]:
        if scheme not in INN_SCHEMES:
            self.reasons.append(
                f"organisation identifier {value} (scheme {scheme}) cannot be checked against"
                " the registries"
            )
            return [], False
        row = self.entities.row_of_inn(value)
        if row is not None:
            return [self._entity_hit(row)], False
        if check_pin(value) is None and (prow := self.persons.row_of_pin(value)) is not None:
            # A sole proprietor's INN is their PIN.
            return [self._person_hit(prow, mask_pin(value))], False
        self.reasons.append(f"INN {value} names no organisation in the registries: not a match")
        return [], True

    def _person_hit(self, row: int, shown: str) -> Candidate:
        named = bool(self.reading.person)
        reading = self.reading
        score = (
            _person_score(reading.person, *self.persons.name_words(row), reading.fathers)
            if named
            else 0.0
        )
        candidate = self._person(row, score, via_id=True)
        if "name" in candidate.contradiction:
            self.reasons.append(
                f"PIN {shown} is {candidate.name}, whose name disagrees with the statement's"
                f" (score {score:g})"
            )
        elif "birth_date" in candidate.contradiction:
            self.reasons.append(
                f"PIN {shown} is {candidate.name}, born on another day than the statement says"
            )
        else:
            self.reasons.append(f"PIN {shown} is {candidate.name} in the register")
        return candidate

    def _entity_hit(self, row: int) -> Candidate:
        record = self.entities.record(row)
        named = bool(self.reading.entity)
        score = self._entity_name_score(row) if named else 0.0
        candidate = self._entity(row, score, via_id=True)
        if "name" in candidate.contradiction:
            self.reasons.append(
                f"INN {record.inn} is {record.name}, whose name disagrees with the statement's"
                f" (score {score:g})"
            )
        else:
            self.reasons.append(f"INN {record.inn} is {record.name} in the registries")
        return candidate

    # --- candidates --------------------------------------------------------------------------

    def _person(self, row: int, score: float, via_id: bool = False) -> Candidate:
        t, cp = self.persons, self.cp
        agree: list[str] = ["id"] if via_id else []
        dispute: list[str] = []
        born = t.birth_date(row)
        if cp.birth_date is not None and born is not None:
            (agree if born == cp.birth_date else dispute).append("birth_date")
        # An address corroborates a name found without an identifier; a record found by its
        # PIN is decided by the PIN, its name and birth date (an address would change
        # nothing, and reading one costs more than the rest of the look-up).
        if not via_id and score >= MATCH and self.address is not None and self._same_address(row):
            agree.append("address")
        if via_id and self.reading.person and score < AGREE:
            dispute.append("name")
        pin = t.pin(row)
        return Candidate(
            identity_key=f"P:{pin}",
            kind="person",
            name=t.name(row),
            shown_id=mask_pin(pin),
            score=score,
            country=t.country(row),
            corroboration=tuple(agree),
            contradiction=tuple(dispute),
        )

    def _same_address(self, row: int) -> bool:
        """Whether the person's registered address agrees with the statement's (read only for
        persons whose name fits and whose address text holds one of the statement's numbers:
        a corroboration needs one)."""
        wanted = self.address
        text = self.persons.address_text(row)
        if wanted is None or not any(digits in text for digits in self._address_digits):
            return False
        return addresses_agree(wanted, _register_address(text))

    def _entity(self, row: int, score: float, via_id: bool = False) -> Candidate:
        record, cp = self.entities.record(row), self.cp
        agree: list[str] = ["id"] if via_id else []
        dispute: list[str] = []
        country = record.country.strip().upper()
        wanted = cp.country.strip().upper()
        if wanted and country:
            if wanted == country:
                agree.append("country")
            elif not via_id:
                dispute.append("country")
        if via_id and self.reading.entity and score < AGREE:
            dispute.append("name")
        return Candidate(
            identity_key=f"E:{record.inn.strip()}",
            kind="entity",
            name=record.name,
            shown_id=record.inn.strip(),
            score=score,
            country=country,
            corroboration=tuple(agree),
            contradiction=tuple(dispute),
        )

    def _entity_name_score(self, row: int) -> float:
        words = self.reading.entity
        names = self.entities.name_words(row)
        return max((_entity_score(words, name) for name in names), default=0)

    # --- names -------------------------------------------------------------------------------

    def _by_name(self) -> Found:
        cp, reading = self.cp, self.reading
        if reading.empty:
            return Found(Status.UNRESOLVED, None, [], ["no name on the statement to search by"])
        has_person_id, has_org_id = bool(cp.person_id.strip()), bool(cp.org_id.strip())
        as_person, as_entity = True, True
        if has_person_id != has_org_id:  # the bank said which kind of payer it is
            as_person, as_entity = has_person_id or reading.proprietor_form, has_org_id
        as_person = as_person and len(reading.person) >= 2
        as_entity = as_entity and bool(reading.entity)
        if as_person and as_entity:
            # The likelier kind first (a legal form says organisation); it settles the
            # matter when it resolves: a corroborated person, a unique organisation name.
            entity_first = reading.entity_form and not reading.proprietor_form
            first = self._entities_by_name() if entity_first else self._persons_by_name()
            if first.status is Status.NAME_MATCH:
                return first
            second = self._persons_by_name() if entity_first else self._entities_by_name()
            return either(second, first) if entity_first else either(first, second)
        if as_person:
            return self._persons_by_name()
        if as_entity:
            return self._entities_by_name()
        return Found(Status.UNRESOLVED, None, [], ["the name is too short to identify a person"])

    def _persons_by_name(self) -> Found:
        t, words, fathers = self.persons, self.reading.person, self.reading.fathers
        scores: dict[tuple[int, int, int], float] = {}
        candidates: dict[int, Candidate] = {}
        ceilings: dict[int, float] = {}

        def ceiling(part: int) -> float | None:
            found = ceilings.get(part)
            if found is None:
                found = ceilings[part] = part_ceiling(words, t.part_words(part))
            return found if t.part_words(part) else None

        def score_of(parts: tuple[int, int, int]) -> float:
            surname, given, patronymic = parts
            has_patronymic = bool(t.part_words(patronymic))
            if not may_reach(CANDIDATE, ceiling(surname), ceiling(given), has_patronymic, fathers):
                return 0.0  # below a candidate's score whatever the pairing: not scored
            return person_score(
                words, t.part_words(surname), t.part_words(given), t.part_words(patronymic), fathers
            )

        def consider(rows: Rows) -> None:
            for row, parts in zip(rows.tolist(), t.parts_of(rows), strict=True):
                if row in candidates:
                    continue
                score = scores.get(parts)
                if score is None:
                    score = scores[parts] = score_of(parts)
                if score >= CANDIDATE:
                    candidates[row] = self._person(row, score)

        if self.cp.birth_date is not None:
            consider(t.born_on(self.cp.birth_date, words)[:MAX_SCORED])
            found = decide_persons(list(candidates.values()))
            if found.status is Status.NAME_MATCH:
                return found  # a rival would share the birth date: it is in this block
        consider(t.rows_named(words, limit=MAX_SCORED))
        return decide_persons(list(candidates.values()))

    def _entities_by_name(self) -> Found:
        t, words = self.entities, self.reading.entity
        lookup = [*words, "".join(words)] if len(words) > 1 else list(words)
        found = []
        for row in t.closest(words, t.words.rows_with(lookup, need=1, limit=MAX_SCORED)):
            score = self._entity_name_score(int(row))
            if score >= CANDIDATE:
                found.append(self._entity(int(row), score))
        return decide_entities(found, self.cp.country.strip().upper())
