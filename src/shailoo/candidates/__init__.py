"""Candidates, parties and every other participant: who may stand and who may act.

The map of the domain:

* pure engines (no Django): ``rules`` (a candidate's eligibility for an office, check by check,
  each with its evidence and citation), ``messages`` (their texts in ky/ru/en), ``facts_file``
  (stated facts decided without registries: ``candidates explain``), ``party_lists`` (quota and
  position rules), ``participants`` and ``participant_messages`` (nationality and office bars on
  representatives, proxies and observers), ``signatures`` and ``signers_file`` (signature
  sheets against the voter register);
* ``registries``: the government registries behind adapters (citizenship, residence, language
  testing, education, criminal records, terms), read from tables by default, with a timeout and
  an "unavailable" outcome;
* ``models``: parties, candidates and their history, checks, decisions, appeals, signature
  submissions, participants; ``services``: the use cases, each on the ledger;
* ``cli``: ``shailoo candidates ...``; ``views``/``api``: staff and public pages, the API.
"""
