"""Donor resolution: who gave the money, as one identity across statements, funds and years.

A bank statement names the payer as the bank wrote it — "IVANOV IVAN", "Иванов Иван
Иванович", "Ivan Ivanov", "ОсОО «Ромашка»", "ROMASHKA LLC" — with or without a PIN or INN.
:class:`DonorIndex` resolves each counterparty against the population register's persons
(citizens, foreign citizens and stateless persons) and the registries' organisations:

- an identifier first: a valid PIN or an INN that names a record whose name agrees
  (``exact_id``); one whose name or birth date disagrees is a ``conflict``; an invalid PIN
  or an id that names nobody is no match;
- else the name, in any script and word order, legal forms set aside, corroborated by the
  same birth date or address (a person) or by no other organisation sharing it
  (``name_match``); a namesake born on another day is not a match;
- anything else (``ambiguous``, ``unresolved``, ``anonymous``, ``conflict``) needs review:
  an unresolved donor is never treated as clean.

Modules: ``records`` (inputs and answers), ``keys`` (spelling-free keys of names and
addresses), ``scoring`` (name scores), ``tables`` (the compact person and organisation
tables and their word index), ``index`` (the index and the decision).
"""

from shailoo.finance.resolution.index import DonorIndex
from shailoo.finance.resolution.keys import donor_key, read_name
from shailoo.finance.resolution.records import (
    Candidate,
    Counterparty,
    EntityRecord,
    PersonRecord,
    Resolution,
    Status,
)
from shailoo.finance.resolution.scoring import AGREE, CANDIDATE, MATCH

__all__ = [
    "AGREE",
    "CANDIDATE",
    "MATCH",
    "Candidate",
    "Counterparty",
    "DonorIndex",
    "EntityRecord",
    "PersonRecord",
    "Resolution",
    "Status",
    "donor_key",
    "read_name",
]
