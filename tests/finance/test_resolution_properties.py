"""Donor resolution, properties: a record is found from its own name in Latin, in any order.

Names are drawn from the synthetic population's name pools (Kyrgyz, Uzbek, Russian, Dungan,
Korean, Chinese, Turkish, South Asian; with their patronymic styles) and from random Kyrgyz
letters; the register's own transliteration writes them in Latin, as a bank would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.resolution import (
    Counterparty,
    DonorIndex,
    EntityRecord,
    PersonRecord,
    Status,
    donor_key,
    read_name,
)
from shailoo.finance.resolution.keys import ENTITY_FORMS, PATRONYMIC_MARKERS, PROPRIETOR_FORMS
from shailoo.register.names import name_key, normalise, similarity, transliterate
from shailoo.synth import namepools

POOLS = (
    namepools.KYRGYZ,
    namepools.UZBEK,
    namepools.RUSSIAN,
    namepools.DUNGAN,
    namepools.KOREAN,
    namepools.CHINESE,
    namepools.TURKEY,
    namepools.SOUTH_ASIAN,
)
STYLES = ("ovich", "uulu", "ugli", "ogly", "none")


@st.composite
def pool_names(draw: st.DrawFn) -> tuple[str, str, str]:
    pool = draw(st.sampled_from(POOLS))
    sex = draw(sx.sexes)
    given_name = draw(st.sampled_from(pool.male if sex == "M" else pool.female))
    surname = draw(st.sampled_from(pool.surnames))
    if sex == "F":
        surname = namepools.feminine(surname)
    father = draw(st.sampled_from(pool.male))
    return surname, given_name, namepools.patronymic(father, sex, draw(st.sampled_from(STYLES)))


#: A person's name: from a pool, or made of random Kyrgyz letters (an empty patronymic often).
person_names = pool_names() | st.tuples(
    sx.kyrgyz_name_parts, sx.kyrgyz_name_parts, st.just("") | sx.kyrgyz_name_parts
)


def _order_free(*parts: str) -> str:
    return " ".join(sorted(normalise(" ".join(parts)).split()))


def _set_aside(part: str) -> bool:
    """Whether a random name part is one of the words a reading sets aside (ИП, ЖИ, кызы)."""
    words = donor_key(part).split()
    return any(w in PATRONYMIC_MARKERS | PROPRIETOR_FORMS | ENTITY_FORMS for w in words)


def _distinct(names: list[tuple[str, str, str]]) -> bool:
    """No name is like another in the register's eyes, in any order, with or without the
    patronymic (the condition under which a name alone can tell records apart), and no
    random part is a word that names are read without (a legal form, уулу/кызы)."""
    if any(_set_aside(part) for name in names for part in name):
        return False
    forms = [(_order_free(s, g, p), _order_free(s, g)) for s, g, p in names]
    for i, (full_a, short_a) in enumerate(forms):
        if not short_a or len(short_a.split()) < 2:
            return False
        for full_b, short_b in forms[:i]:
            if max(similarity(full_a, full_b), similarity(short_a, short_b)) >= 80:
                return False
            a, b = Counter(full_a.split()), Counter(full_b.split())
            if a <= b or b <= a:  # "Ё А" is inside "Ё Ё А": a bank may write either twice
                return False
    return True


#: How a bank may write a name: (surname, given, patronymic) -> text.
ORDERS = (
    lambda s, g, p: f"{s} {g} {p}",
    lambda s, g, p: f"{g} {s}",
    lambda s, g, p: f"{g} {p} {s}",
    lambda s, g, p: f"{s} {g}",
)


@settings(max_examples=120, deadline=None)
@given(
    names=st.lists(person_names, min_size=1, max_size=6),
    born=sx.birth_dates,
    pick=st.integers(min_value=0),
    order=st.sampled_from(ORDERS),
    upper=st.booleans(),
)
def test_own_name_in_latin_in_any_order_finds_the_record(
    names: list[tuple[str, str, str]],
    born: date,
    pick: int,
    order: Callable[[str, str, str], str],
    upper: bool,
) -> None:
    assume(_distinct(names))
    # Everybody is born on the same day: the birth date alone cannot tell them apart.
    persons = [
        PersonRecord(sx.format_pin("M", born, serial), s, g, p, born, "", "KG")
        for serial, (s, g, p) in enumerate(names)
    ]
    index = DonorIndex.build(persons, [])
    target = persons[pick % len(persons)]
    written = transliterate(order(target.surname, target.given_name, target.patronymic))
    if upper:
        written = written.upper()

    corroborated = index.resolve(Counterparty(written, birth_date=born))
    assert corroborated.status is Status.NAME_MATCH, (written, corroborated)
    assert corroborated.identity_key == f"P:{target.pin}"

    alone = index.resolve(Counterparty(written))
    assert alone.status is Status.AMBIGUOUS, (written, alone)  # nothing corroborates it
    assert alone.candidates[0].identity_key == f"P:{target.pin}", (written, alone)
    assert alone.candidates[0].score >= 90, (written, alone)


@settings(max_examples=80, deadline=None)
@given(
    words=st.lists(st.tuples(sx.kyrgyz_name_parts, sx.kyrgyz_name_parts), min_size=1, max_size=5),
    form=st.sampled_from(["ОсОО", "ОАО", "ЗАО", "ОФ", "Общество с ограниченной ответственностью"]),
    latin_form=st.sampled_from(["LLC", "Ltd", "JSC", "GmbH", ""]),
    pick=st.integers(min_value=0),
)
def test_organisation_found_from_its_latin_name_with_another_legal_form(
    words: list[tuple[str, str]], form: str, latin_form: str, pick: int
) -> None:
    names = [f"{a} {b}" for a, b in words]
    keyed = [_order_free(name) for name in names]
    assume(all(len(key.split()) == 2 and len(key) > 5 for key in keyed))
    assume(all(similarity(a, b) < 70 for i, a in enumerate(keyed) for b in keyed[:i]))
    registered = [f"{form} «{name}»" for name in names]
    # No word is a legal form itself (a company called "ЗАО ЗАО" is not a name to test on).
    assume(not any(read_name(name).entity_form for name in names))
    assume(all(len(read_name(n).entity) == 2 for n in registered))
    entities = [EntityRecord(f"{i:014d}", n) for i, n in enumerate(registered)]
    index = DonorIndex.build([], entities)
    target = pick % len(names)
    written = f"{transliterate(names[target]).upper()} {latin_form}".strip()
    result = index.resolve(Counterparty(written))
    assert result.status is Status.NAME_MATCH, (written, registered, result)
    assert result.identity_key == f"E:{target:014d}"


@given(st.lists(sx.kyrgyz_name_parts, min_size=1, max_size=3).map(" ".join))
def test_donor_key_reads_the_registers_transliteration_as_the_cyrillic(text: str) -> None:
    # The register's name_key does not (ё: "Алёна" is "alena", its Latin "Alyona" "aliona");
    # the donor key folds both the same way, and is a fixed point.
    assert donor_key(transliterate(text)) == donor_key(text)
    assert donor_key(donor_key(text)) == donor_key(text)


def test_the_registers_key_differs_where_the_donor_key_does_not() -> None:
    assert name_key(transliterate("Алёна"), "") != name_key("Алёна", "")
    assert donor_key(transliterate("Алёна")) == donor_key("Алёна") == "alena"


_SMALL_INDEX = DonorIndex.build(
    [
        PersonRecord("22304196885314", "Иванов", "Иван", "Иванович", date(1968, 4, 23), "", "KG"),
        PersonRecord("21501198000011", "SMITH", "John", "", date(1980, 1, 15), "", "US"),
    ],
    [EntityRecord("01234567890123", "ОсОО «Ромашка»")],
)


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(max_size=60) | st.sampled_from(["Иванов Иван", "ROMASHKA LLC", "Smith John"]),
    person_id=st.just("") | sx.pins | st.text(max_size=20),
    org_id=st.just("") | st.text(alphabet="0123456789 ", max_size=16),
    scheme=st.sampled_from(["", "NIDN", "TXID", "CCPT", "ИНН", "x"]),
    born=st.none() | sx.birth_dates,
    address=st.text(max_size=60),
    country=st.sampled_from(["", "KG", "US", "RU"]),
)
def test_any_counterparty_gets_an_answer_that_holds_together(
    name: str,
    person_id: str,
    org_id: str,
    scheme: str,
    born: date | None,
    address: str,
    country: str,
) -> None:
    cp = Counterparty(name, person_id, org_id, scheme, born, address, "", country)
    result = _SMALL_INDEX.resolve(cp)
    assert (result.identity_key is not None) == (not result.needs_review)
    assert result.status in Status
    if result.status is Status.ANONYMOUS:
        assert not person_id.strip() and not org_id.strip()
    for reason in result.reasons:
        assert not any(run.isdigit() and len(run) >= 14 for run in reason.split()), reason
        assert "22304196885314" not in reason and "21501198000011" not in reason
    if result.identity_key is not None:
        assert result.identity_key in {"P:22304196885314", "P:21501198000011", "E:01234567890123"}
