"""Refusals: the one vocabulary in which Shailoo says no.

Every use case, importer and engine that refuses a request raises a :class:`Refusal`: a
``code`` for programs (stable, documented, tested), a ``message`` already in the reader's
language (services call ``gettext`` when they raise), an optional legal ``citation`` when the
law is the reason, and the located :class:`~shailoo.common.problems.Problem` list when the
input is at fault. Views, the API and the command line catch this one base and present it;
the kind of refusal decides the HTTP status, so no caller compares codes to find it:

- :class:`PermissionRefused` (403) — the actor may not do this here;
- :class:`NotFound` (404) — what was named does not exist (or is outside the actor's scope);
- :class:`Conflict` (409) — the request is sound but the state does not allow it now;
- :class:`InvalidInput` (400) — the input itself is wrong: a file, a document, a form;
- :class:`Unavailable` (503) — a registry or service it needs did not answer.

Pure: no Django, so pure engines raise :class:`InvalidInput` subclasses too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from shailoo.common.problems import Problem, describe, problems_of


class Refusal(Exception):
    """A refused request: ``code`` for programs; ``message``, ``citation``, ``problems`` for people.

    ``record`` is the stored refusal where the law asks for one to be kept (a voting-place
    request, say), so a caller can link to it.
    """

    #: The HTTP status an API answers this refusal with.
    http_status: ClassVar[int] = 400
    #: The code used when the raiser gives none.
    default_code: ClassVar[str] = "refused"

    def __init__(
        self,
        code: str = "",
        message: str = "",
        *,
        citation: str = "",
        problems: Iterable[Problem | tuple[str, str]] = (),
        record: Any = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.code
        self.citation = citation
        self.problems: tuple[Problem, ...] = problems_of(problems)
        self.record = record
        super().__init__(self.message)

    def __str__(self) -> str:
        text = f"{self.message} ({self.citation})" if self.citation else self.message
        if self.problems:
            text = f"{text}\n{describe(self.problems)}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The API body: ``code``, ``detail``, and ``citation``/``problems`` when present."""
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
        if self.citation:
            body["citation"] = self.citation
        body["problems"] = [problem.to_json() for problem in self.problems]
        return body


class PermissionRefused(Refusal):
    """The actor may not do this, here: a missing role, a scope elsewhere, a revoked key."""

    http_status = 403
    default_code = "forbidden"


class NotFound(Refusal):
    """What the request names does not exist, or is outside what the actor may see."""

    http_status = 404
    default_code = "not_found"


class Conflict(Refusal):
    """A sound request the present state does not allow (already decided, no current election)."""

    http_status = 409
    default_code = "conflict"


class InvalidInput(Refusal, ValueError):
    """Input that cannot be accepted: a file, document or form, with every located problem.

    Also a :class:`ValueError`, so code that validates values may catch it as one.
    """

    http_status = 400
    default_code = "invalid"


class Unavailable(Refusal):
    """A registry or service the request needs did not answer in time; nothing was changed."""

    http_status = 503
    default_code = "unavailable"


__all__ = [
    "Conflict",
    "InvalidInput",
    "NotFound",
    "PermissionRefused",
    "Problem",
    "Refusal",
    "Unavailable",
]
