"""``shailoo.common.safe_xml``: no DTD (so no entity bomb, no external entity), bounded, located."""

from __future__ import annotations

import time

import pytest

from shailoo.common.refusals import InvalidInput
from shailoo.common.safe_xml import XmlInputError, local_name, parse_xml

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document>&secret;</Document>
"""
CAMT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt><Stmt><Id>STMT-1</Id>
    <Ntry><Amt Ccy="KGS">1500.00</Amt></Ntry>
  </Stmt></BkToCstmrStmt>
</Document>
"""


def refused(data: bytes, **limits: int) -> XmlInputError:
    with pytest.raises(XmlInputError) as caught:
        parse_xml(data, "statement.xml", **limits)
    assert isinstance(caught.value, InvalidInput) and caught.value.code == "xml_invalid"
    assert caught.value.problems[0].source == "statement.xml"
    return caught.value


@pytest.mark.parametrize("document", [LAUGHS, EXTERNAL])
def test_document_type_declarations_are_refused_before_any_expansion(document: bytes) -> None:
    start = time.perf_counter()
    error = refused(document)
    assert time.perf_counter() - start < 0.5
    assert error.reason.startswith("a document type declaration") and error.line == 2


def test_depth_size_and_syntax_are_located() -> None:
    deep = refused(b"<a>" * 100_000 + b"</a>" * 100_000)
    assert deep.reason == "elements nested deeper than 64 levels" and deep.line == 1
    assert "more than the 10 allowed" in refused(b"<a>12345678</a>", max_bytes=10).reason
    broken = refused(b"<a>\n<b></a>")
    assert broken.reason.startswith("not well-formed XML: mismatched tag") and broken.line == 2


def test_a_namespaced_statement_reads() -> None:
    root = parse_xml(CAMT)
    names = [local_name(element.tag) for element in root.iter()]
    assert names == ["Document", "BkToCstmrStmt", "Stmt", "Id", "Ntry", "Amt"]
    amount = next(e for e in root.iter() if local_name(e.tag) == "Amt")
    assert (amount.text, amount.get("Ccy")) == ("1500.00", "KGS")


def test_an_unknown_encoding_is_a_located_refusal() -> None:
    from shailoo.common.safe_xml import XmlInputError, parse_xml

    with pytest.raises(XmlInputError) as caught:
        parse_xml(b"<?xml version='1.0' encoding='ttf-8'?><a/>", "statement.xml")
    assert "encoding" in str(caught.value) and caught.value.problems[0].line == 1
