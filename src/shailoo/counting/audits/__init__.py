"""Risk-limiting audits of the paper ballots (a Django app, label ``counting_audit``).

- ``math`` — BRAVO ballot polling and super-simple ballot comparison (pure);
- ``rounds`` — how many more ballots the next round needs (pure);
- ``sampler`` — a reproducible SHA-256 ticket sampler (pure);
- ``files`` — manifest, reported tallies and CVR files with located problems (pure);
- ``models``, ``services``, ``round_services`` — the stored audit and its use cases;
- ``cli`` — ``shailoo audits`` (the room's adapter).
"""
