"""Campaign finance: election funds, their bank statements, donors, and the screen against
foreign and other prohibited money (Art. 41(3) of the election law).

Rooms:

- ``statements/`` — bank statements in (ISO 20022 camt.053 of any version, and CSV): pure
  readers that keep every detail that reveals where money came from, and reconcile balances;
- ``ownership/`` — the ownership graph of legal entities: effective shares along chains of any
  depth as of a day, foreign look-through, explanations, BODS export and a small picture;
- ``resolution.py`` — who gave: donors resolved to one identity across spellings and scripts;
- ``screening/`` — the flags, each explained with its evidence and the law's citation.

The Django side (funds, imported transactions, registries, reviews, disclosure) sits beside
them in ``models.py``, ``services.py``, ``cli.py`` and the pages.
"""
