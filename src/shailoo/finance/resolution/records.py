"""What donor resolution reads (register and registry records, a statement's counterparty)
and what it answers (a :class:`Resolution` with its candidates and reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person the register knows: a Kyrgyz voter, or a foreign citizen or stateless person
    from the register's non-citizens.

    ``pin`` is the 14-digit PIN (the key of the person's identity, ``P:<pin>``);
    ``citizenship`` is ``"KG"``, another ISO 3166-1 alpha-2 code, or ``""`` (or the
    register's ``"XX"``) for a stateless person — kept as given, shown on candidates.
    ``phone`` is carried for the callers' link analysis; resolution does not use it.
    """

    pin: str
    surname: str
    given_name: str
    patronymic: str
    birth_date: date | None
    address: str
    citizenship: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """An organisation a registry knows (identity key ``E:<inn>``).

    ``inn`` is its registration or tax number, compared as an opaque string; ``other_names``
    its names in other scripts and languages and its former names; ``country`` ISO 3166-1
    alpha-2 (``"KG"`` for a local body); ``kind`` the registry's category (opaque here).
    """

    inn: str
    name: str
    other_names: tuple[str, ...] = ()
    country: str = "KG"
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Counterparty:
    """The payer of one credit as a bank statement gives it.

    ``name`` in any script and word order, perhaps with a legal form; ``person_id`` and
    ``org_id`` with their ``id_scheme`` (ISO 20022 codes: ``NIDN``/``TXID`` or empty read as
    a Kyrgyz PIN or INN; a passport ``CCPT`` and the like cannot be checked here); ``country``
    where the money came from (the account's or address's), ISO 3166-1 alpha-2 or empty.
    """

    name: str = ""
    person_id: str = ""
    org_id: str = ""
    id_scheme: str = ""
    birth_date: date | None = None
    address: str = ""
    account: str = ""
    country: str = ""


class Status(StrEnum):
    """How a counterparty was resolved. Only ``exact_id`` and ``name_match`` resolve it;
    everything else goes to a person (:attr:`Resolution.needs_review`)."""

    #: A valid PIN or INN named a record whose name agrees.
    EXACT_ID = "exact_id"
    #: One record's name fits clearly best, corroborated (birth date or address for a person,
    #: a name no other organisation shares for an organisation) and contradicted by nothing.
    NAME_MATCH = "name_match"
    #: The identifier and the name disagree: the id's record has another name or birth date,
    #: or the id is invalid or names nobody while the name fits someone.
    CONFLICT = "conflict"
    #: Records fit, but none clearly and with corroboration.
    AMBIGUOUS = "ambiguous"
    #: No record fits (records contradicted by a birth date or country are listed).
    UNRESOLVED = "unresolved"
    #: No name and no identifier at all.
    ANONYMOUS = "anonymous"


#: Statuses that resolve a donor without a person looking.
RESOLVED = frozenset({Status.EXACT_ID, Status.NAME_MATCH})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record considered for a counterparty.

    ``kind`` is ``"person"`` or ``"entity"``; ``shown_id`` the id as it may be shown (a PIN
    masked); ``corroboration`` what agrees besides the name (``id``, ``birth_date``,
    ``address``, ``unique_name``, ``country``; a record found by its identifier lists ``id``
    and an agreeing birth date, never ``address``, which only corroborates a name) and
    ``contradiction`` what rules the record out or disputes it (``birth_date``, ``country``,
    ``name``).
    """

    identity_key: str
    kind: str
    name: str
    shown_id: str
    score: float
    country: str
    corroboration: tuple[str, ...] = ()
    contradiction: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """Who gave: the status, the identity when resolved, and why.

    ``identity_key`` is set for ``exact_id`` and ``name_match`` only: ``P:<pin>`` or
    ``E:<inn>``, the same whatever the spelling, statement, fund or year. ``score`` is the
    name's fit, 0..100 (100 for an agreeing identifier). ``candidates`` are the records
    considered, best first; ``reasons`` say why in words, with PINs masked.
    """

    status: Status
    identity_key: str | None
    score: float
    candidates: tuple[Candidate, ...]
    reasons: tuple[str, ...]

    @property
    def needs_review(self) -> bool:
        """True unless an identifier or a corroborated name resolved the donor: an unresolved
        donor is never treated as clean."""
        return self.status not in RESOLVED
