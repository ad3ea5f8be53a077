"""Station protocols and results (a Django app, label ``counting_results``).

- ``protocol`` — the protocol as numbers: lines, control relations, comparison (pure);
- ``models``, ``services``, ``decisions``, ``submissions``, ``signing`` — protocols with every
  version kept, automatic counts, acceptance signed by the commission, alerts;
- ``aggregation``, ``presentation`` — station → TEC → region → country, what pages show;
- ``export``, ``pdf`` — open data (CSV, NIST) and the printable protocol;
- ``views``, ``public_views``, ``api`` and their ``*urls`` — staff pages, public pages, API;
- ``cli`` — ``shailoo results`` (the room's adapter).
"""
