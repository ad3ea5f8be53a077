"""The public results tests share the protocol world of ``tests/counting`` (its helpers are
plain modules there, imported by name)."""

from __future__ import annotations

import sys
from pathlib import Path

COUNTING_TESTS = str(Path(__file__).resolve().parent.parent)
if COUNTING_TESTS not in sys.path:
    sys.path.insert(0, COUNTING_TESTS)
