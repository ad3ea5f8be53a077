"""Counting: from the printed ballot to seats, one room per stage.

The counting app itself (this package's ``models``, ``services``, ``views``, ``admin``) holds
the imported election definition, the scanned sheets' cast vote records and their
adjudication; ``cli`` loads definitions and scans. The stages live in rooms:

- ``ballots/`` — the sheet layout (one model for printer and reader), ballot PDFs, QR payload;
- ``omr/`` — optical mark reading of scanned sheets (pure: numpy, OpenCV, zxing-cpp);
- ``formats/`` — NIST SP 1500-103 cast vote records and SP 1500-100 results, with schemas;
- ``results/`` — station protocols (a Django app), their control relations, aggregation
  station → TEC → region → country, public results and exports;
- ``seats/`` — seat allocation from votes, each result explaining itself (pure);
- ``audits/`` — risk-limiting audits of the paper ballots (a Django app; pure math inside).

``definition`` (the election definition file) and ``reads`` (what a scanner read from one
sheet) are the contracts the rooms share.
"""
