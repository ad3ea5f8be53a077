"""Reading XML nobody vouches for (bank statements in ISO 20022 camt.053, and the like).

The standard library's XML parsers expand entities: a few lines of nested ``<!ENTITY>``
declarations (the "billion laughs") take gigabytes, and external entities read local files or
URLs. :func:`parse_xml` parses with `defusedxml <https://pypi.org/project/defusedxml/>`_ —
the well-kept library that exists for this — with document type declarations forbidden
outright (no DTD, so no entity of any kind and no external reference), and adds bounds on
size and element depth. Every refusal is an :class:`XmlInputError`
(:class:`~shailoo.common.refusals.InvalidInput`, code ``xml_invalid``) with the line and column.

Namespaces are kept in the tags (``{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Stmt``);
:func:`local_name` strips them for readers that match on local names, as importers should
(the camt.053 version differs from bank to bank). Pure: no Django.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64

__all__ = ["MAX_BYTES", "MAX_DEPTH", "XmlInputError", "local_name", "parse_xml"]


class XmlInputError(InvalidInput):
    """An XML document refused by :func:`parse_xml` (code ``xml_invalid``), located."""

    def __init__(
        self, reason: str, *, source: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        why = reason if line is None else f"{reason} at line {line} column {column}"
        problem = Problem("", why, line, source)
        message = f"{source}: {why}" if source else why
        super().__init__("xml_invalid", message, problems=[problem])

    def __str__(self) -> str:
        return self.message


class _TooDeep(Exception):
    pass


class _Bounded:
    """A tree builder that refuses elements nested deeper than ``max_depth``."""

    def __init__(self, max_depth: int) -> None:
        self.builder = TreeBuilder()
        self.depth = 0
        self.max_depth = max_depth

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep
        return self.builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


def local_name(tag: str) -> str:
    """``Stmt`` for ``{urn:...camt.053.001.08}Stmt``: the tag without its namespace."""
    return tag.rpartition("}")[2]


def parse_xml(
    data: bytes, source: str = "", *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Element:
    """The root element of ``data``; :class:`XmlInputError` for anything refused.

    Refused: more than ``max_bytes``; any document type declaration (``<!DOCTYPE``, and so
    every entity and external reference); elements nested deeper than ``max_depth``;
    anything that is not well-formed XML.
    """
    if len(data) > max_bytes:
        raise XmlInputError(
            f"{len(data)} bytes is more than the {max_bytes} allowed", source=source
        )
    target = _Bounded(max_depth)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    expat: Any = parser.parser  # the pyexpat parser: where it stands when a handler refuses

    def here() -> tuple[int, int]:
        return int(expat.CurrentLineNumber), int(expat.CurrentColumnNumber) + 1

    try:
        parser.feed(data)
        root: Element = parser.close()
    except _TooDeep:
        line, column = here()
        reason = f"elements nested deeper than {max_depth} levels"
        raise XmlInputError(reason, source=source, line=line, column=column) from None
    except DTDForbidden:
        line, column = here()
        reason = "a document type declaration (<!DOCTYPE>): no DTD, entity or external reference"
        raise XmlInputError(reason, source=source, line=line, column=column) from None
    except DefusedXmlException as exc:  # entities and external references, should a DTD pass
        line, column = here()
        raise XmlInputError(str(exc), source=source, line=line, column=column) from None
    except ParseError as exc:
        line, column = exc.position
        reason = f"not well-formed XML: {str(exc).split(':')[0]}"
        raise XmlInputError(reason, source=source, line=line, column=column + 1) from None
    except (LookupError, UnicodeError) as exc:  # an unknown or lying encoding declaration
        line, column = here()
        reason = f"an encoding Python cannot read: {str(exc)[:120]}"
        raise XmlInputError(reason, source=source, line=line, column=column) from None
    return root
