"""The XML side of the camt.053 reader: a hardened parse that keeps each element's line,
and namespace-agnostic lookups by local name.

:func:`parse_lined` parses as :func:`shailoo.common.safe_xml.parse_xml` does — defusedxml's
parser with document type declarations forbidden (no entity expansion, no external entity,
no DTD at all) and its depth bound — and also notes the line of each element's start tag as
expat reads it, which ``parse_xml`` does not keep and a statement's problems need. Every
refusal is a :class:`~.model.StatementError` with the line and column. Pure: no Django.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from shailoo.common.problems import Problem
from shailoo.common.safe_xml import MAX_DEPTH, local_name
from shailoo.finance.statements.model import StatementError, clean_text

__all__ = [
    "account_id",
    "bank_tx_code",
    "find",
    "first_text",
    "kid",
    "kids",
    "parse_lined",
    "text_at",
]


# --- parsing with lines ----------------------------------------------------------------------


class _TooDeep(Exception):
    pass


class _LinedBuilder:
    """A tree builder that notes the line of each element's start tag, and bounds depth."""

    def __init__(self, max_depth: int) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[Element, int] = {}
        self.depth = 0
        self.max_depth = max_depth
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep
        element = self.builder.start(tag, attrs)
        self.lines[element] = int(self.expat.CurrentLineNumber)
        return element

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


def parse_lined(data: bytes, source: str) -> tuple[Element, dict[Element, int]]:
    """The root of ``data`` and each element's line; refused as ``parse_xml`` refuses."""
    target = _LinedBuilder(MAX_DEPTH)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.expat = parser.parser

    def refuse(reason: str) -> StatementError:
        line = int(target.expat.CurrentLineNumber)
        column = int(target.expat.CurrentColumnNumber) + 1
        why = f"{reason} (line {line} column {column})"
        return StatementError([Problem("", why, line, source)])

    try:
        parser.feed(data)
        root: Element = parser.close()
    except _TooDeep:
        raise refuse(f"elements nested deeper than {MAX_DEPTH} levels") from None
    except DTDForbidden:
        reason = "a document type declaration (<!DOCTYPE>): no DTD, entity or external reference"
        raise refuse(reason) from None
    except DefusedXmlException as exc:
        raise refuse(str(exc)) from None
    except (LookupError, UnicodeError) as exc:  # the declared encoding is unknown or lies
        raise refuse(f"cannot decode the document: {exc}") from None
    except ParseError as exc:
        line, column = exc.position
        why = f"not well-formed XML: {str(exc).split(':')[0]} (line {line} column {column + 1})"
        raise StatementError([Problem("", why, line, source)]) from None
    return root, target.lines


# --- element helpers -------------------------------------------------------------------------


def kids(element: Element | None, name: str) -> list[Element]:
    """The children named ``name`` in any namespace (none of a missing element)."""
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]


def kid(element: Element | None, name: str) -> Element | None:
    """The first child named ``name`` in any namespace, or None."""
    if element is None:
        return None
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def find(element: Element | None, path: str) -> Element | None:
    """The element at ``path`` (local names joined by ``/``), or None where a step is missing."""
    for name in path.split("/"):
        element = kid(element, name)
    return element


def text_at(element: Element | None, path: str) -> str:
    """The cleaned text at ``path``; "" when the element is missing or empty."""
    found = find(element, path)
    return clean_text(found.text) if found is not None else ""


def first_text(element: Element | None, *paths: str) -> str:
    """The text of the first of ``paths`` that has one: a version's name, then another's."""
    for path in paths:
        text = text_at(element, path)
        if text:
            return text
    return ""


def bank_tx_code(element: Element | None) -> str:
    """``Domn/Fmly/SubFmly`` codes joined by ``/`` (``PMNT/RCDT/ESCT``), else the proprietary."""
    if element is None:
        return ""
    domain = kid(element, "Domn")
    if domain is not None:
        parts = [
            text_at(domain, "Cd"),
            text_at(domain, "Fmly/Cd"),
            text_at(domain, "Fmly/SubFmlyCd"),
        ]
        return "/".join(part for part in parts if part)
    return text_at(element, "Prtry/Cd")


def account_id(element: Element | None) -> str:
    """An account's ``Id/IBAN``, else its ``Id/Othr/Id``."""
    return first_text(element, "Id/IBAN", "Id/Othr/Id")
