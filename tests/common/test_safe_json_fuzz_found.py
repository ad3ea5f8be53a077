"""Found by the fuzz suite (``tests/fuzz``) (fixed: this is its regression test).

A text nested too deeply is located by ``safe_json._locate``, which reads each object key
with ``json.loads``: a key holding a raw control character (a tab) or a bad escape (``\\x``)
before the deep part raises ``json.JSONDecodeError`` out of ``safe_json.loads`` — a traceback
from every reader of JSON (``shailoo ballots load-scan``, definitions, the verifier, the API's
parser) instead of a located ``JsonInputError``.
"""

from __future__ import annotations

import pytest

from shailoo.common import safe_json

DEEP = "[" * 70 + "]" * 70


@pytest.mark.parametrize("key", ['"a\tb"', '"a\\xb"'])
def test_a_bad_key_before_deep_nesting_is_a_located_refusal(key: str) -> None:
    with pytest.raises(safe_json.JsonInputError) as caught:
        safe_json.loads("{" + key + ": " + DEEP + "}", source="scan.json")
    assert caught.value.line == 1 and caught.value.column is not None
