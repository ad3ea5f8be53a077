"""The API's JSON body parser: :mod:`shailoo.common.safe_json` behind DRF's ``JSONParser``.

DRF's own parser hands the body to :func:`json.load`: a body of 100,000 nested brackets ends
in ``RecursionError`` and an HTTP 500, and it reads a body of any length. This one reads at
most :data:`MAX_BODY_BYTES` and refuses what :func:`safe_json.loads` refuses with an
:class:`~shailoo.common.refusals.InvalidInput` (400, code ``json_invalid``, the problem with
its line and column), answered by ``common.web.api_exception_handler``. It is the default
JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``); a view that names its parsers
names this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.parsers import JSONParser

from shailoo.common import safe_json

#: No API request body of Shailoo is near this (Django's form limit is 2.5 MiB).
MAX_BODY_BYTES = 2 * 1024 * 1024


class SafeJSONParser(JSONParser):
    """``application/json`` bodies, bounded in size, depth and numbers (400 with the place)."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        return safe_json.loads(data, source="body", max_bytes=MAX_BODY_BYTES)
