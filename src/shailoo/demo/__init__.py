"""The demo: a synthetic country and its polling day, loaded through the product's own paths.

Outside the product: no product package imports ``shailoo.demo`` (an import-linter contract);
only the top-level command line (``shailoo.cli``) does. It may import anything.

- ``country`` — ``build_demo``, the entry point of ``shailoo demo``: geography, election,
  register, staff user, then the polling day;
- ``counting`` — the election definition and every station's protocols and counts, with a few
  planted problems (votes from ``shailoo.synth.votes``);
- ``results_bulk`` — the clean stations' protocols written in bulk, as the services would;
- ``ballots`` — real ballot images printed, marked, scanned and read at a few stations;
- ``biometrics`` — synthetic enrolment at a few stations and a deduplication run;
- ``commands`` — synthetic-data commands that work on the database (definition for the
  stored stations, ballot scans, synthetic enrolment), wired by ``shailoo.cli``.
"""

from __future__ import annotations

from shailoo.demo.country import build_demo

__all__ = ["build_demo"]
