"""No page shows a Kyrgyz or Russian reader an English message, and no page shows a bare
internal code where a name belongs.

The sweep builds the demo country (every domain's rows: candidates, finance flags, cases,
protocols with alerts, sheets and duplicate pairs waiting for people), then requests every
URL pattern of the site (the permission-matrix walk) as a visitor and as a superuser who
passed the second factor, in Kyrgyz, Russian and English, and reads what a person sees:
the text of the page without tags, attributes, scripts, styles and ``<code>``/``<kbd>``/
``<pre>``/``<samp>`` (where a code is shown on purpose, as a code).

Two checks, both built to report nothing a reader would not call a fault:

- **untranslated**: a message of the Kyrgyz or Russian catalogue shown in English on a
  Kyrgyz or Russian page. Messages whose translation equals the English (proper names,
  "SHA-256") are left out, and so is text marked as another language (``lang="en"``, as
  the language switch marks "English"). A one-word message counts only when it is all its
  block says (a heading "Status", a button "Search"); a longer one wherever it stands.
- **bare code**: a code from the code base's own registries (the keys of every mapping from
  a code to its translated name, the values of every choice class and ``Literal`` type,
  every refusal code, the law editions' rule names) shown as a word of the page, e.g.
  ``marginal-mark``, ``ballots_balance``, ``BIOMETRICS``; or a region, TEC, contest, option
  or party code (``KG-Y``, ``d22``) shown in a block (a table row, a list item, a
  paragraph, a heading) that does not also give its name.

Marked ``sweep`` (it builds the demo: minutes): ``pytest -m sweep tests/test_no_raw_codes.py``.
The checker itself is tested on small pages below, without the demo. Set
``SHAILOO_SWEEP_REPORT=path`` to keep the findings as a text file.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "shailoo"
LOCALE = SOURCE / "locale"
EDITIONS = SOURCE / "law" / "editions"
TESTS = Path(__file__).resolve().parent
LANGS = ("ky", "ru", "en")

# -- what a person sees ----------------------------------------------------------------------

#: Elements whose text is one unit for a reader: a code and its name must share one.
BLOCKS = frozenset(
    [
        "p",
        "li",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dt",
        "dd",
        "option",
        "caption",
        "figcaption",
        "label",
        "legend",
        "summary",
        "button",
        "title",
        "blockquote",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "figure",
        "form",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "ul",
        "ol",
        "dl",
        "fieldset",
        "details",
    ]
)
#: A table cell is read with its row: a code in one cell and its name in the next is named.
CELLS = frozenset({"td", "th"})
#: Shown on purpose as code, or not shown at all.
SKIPPED = frozenset(["script", "style", "code", "kbd", "pre", "samp", "textarea", "template"])
#: Form fields whose choices Django stores in English in the database ("Can add party"):
#: the permission pickers of the admin's user and group pages. Not ours to translate.
DJANGO_STORED_ENGLISH = frozenset({"user_permissions", "permissions"})
#: The admin's form row of a record's own code or id field ("Code: d01", "Contest id: d01"):
#: a code, labelled as one.
OWN_CODE_ROW = re.compile(r"field-(?:code|\w+_code|\w+_id)$")
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
#: An open element of this kind ends when the next one of its family starts.
AUTOCLOSE = {
    "li": {"li"},
    "p": {"p"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}


@dataclass(eq=False)
class Block:
    """The text of one block element, and the language it is written in."""

    tag: str
    lang: str
    parent: Block | None = None
    parts: list[str] = field(default_factory=list)  # its own text, not its inner blocks'
    deep: list[str] = field(default_factory=list)  # all the text inside it

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    @property
    def context(self) -> str:
        """What a reader sees together with this block: its table row, when it is in one."""
        unit: Block | None = self
        while unit is not None and unit.tag != "tr":
            unit = unit.parent
        return " ".join(" ".join((unit or self).deep).split())


class _Reader(HTMLParser):
    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool, Block | None]] = []  # tag, lang, skipped, block
        self.blocks: list[Block] = [Block("html", page_lang)]
        self.page_lang = page_lang

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else self.page_lang

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _block(self) -> Block:
        for _, _, _, block in reversed(self.stack):
            if block is not None:
                return block
        return self.blocks[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        family = AUTOCLOSE.get(tag)
        if family and self.stack and self.stack[-1][0] in family:
            self.stack.pop()
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        # The admin's cell of a per-language column (field-name_en) holds text in that
        # language: the English name of a region is English on purpose.
        column = next((c[-2:] for c in classes if re.match(r"field-\w+_(ky|ru|en)$", c)), "")
        lang = (values.get("lang") or column or self._lang())[:2]
        skipped = (
            self._skipped()
            or tag in SKIPPED
            or "hidden" in values
            or values.get("name") in DJANGO_STORED_ENGLISH
            or ("form-row" in classes and any(OWN_CODE_ROW.match(c) for c in classes))
        )
        block = None
        if tag in BLOCKS and not skipped:
            block = Block(tag, lang, parent=self._block())
            self.blocks.append(block)
        self.stack.append((tag, lang, skipped, block))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return None

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self._skipped() or not data.strip():
            return
        block: Block | None = self._block()
        block.parts.append(data)  # type: ignore[union-attr]
        while block is not None:
            block.deep.append(data)
            block = block.parent


def blocks_of(body: str, page_lang: str) -> list[Block]:
    """The page's visible text, block by block (empty blocks left out)."""
    reader = _Reader(page_lang)
    reader.feed(body)
    reader.close()
    return [b for b in reader.blocks if b.text]


# -- untranslated messages -------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
LATIN = r"A-Za-z"


@dataclass(frozen=True)
class Message:
    msgid: str
    pattern: re.Pattern[str]
    whole_only: bool  # a one-word message: only when it is all its block says


def _message(text: str) -> Message | None:
    text = " ".join(text.split())
    literal = PLACEHOLDER.sub(" ", text)
    words = re.findall(rf"[{LATIN}]+", literal)
    if not words or sum(len(w) for w in words) < 3:
        return None  # no English word in it: nothing a reader could see untranslated
    pieces = [re.escape(p) for p in PLACEHOLDER.split(text)]
    body = r".+?".join(pieces)
    first = text[0]
    if first.isalpha():  # the admin capitalises labels: "polling day" shows "Polling day"
        body = f"[{first.lower()}{first.upper()}]" + body[len(re.escape(first)) :]
    if len(words) == 1:  # one word ("Status", "row %(row)s"): only as all its block says
        return Message(text, re.compile(rf"^{body}[\s:.]*$"), True)
    return Message(text, re.compile(rf"(?<![{LATIN}]){body}(?![{LATIN}])"), False)


def catalogue_messages(lang: str) -> list[Message]:
    """The messages a ``lang`` reader must never see in English: translated, and differently."""
    found: dict[str, Message] = {}
    for entry in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        pairs = (
            [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, "")]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        translated = [t for t in (entry.msgstr, *entry.msgstr_plural.values()) if t]
        if not translated:
            continue
        for text, _ in pairs:
            if not text or text in translated:
                continue
            message = _message(text)
            if message is not None:
                found.setdefault(message.msgid, message)
    return list(found.values())


def untranslated(blocks: Iterable[Block], page_lang: str, messages: list[Message]) -> list[str]:
    """The catalogue's English messages a ``page_lang`` reader sees, with their block (the
    longest message where several match one stretch of English)."""
    found = []
    for block in blocks:
        if block.lang != page_lang:
            continue  # marked as another language: the switch's "English", a quoted name
        text = block.text
        if not re.search(f"[{LATIN}]{{3}}", text) or is_data(text):
            continue
        spans: list[tuple[int, int, str]] = []
        for message in messages:
            match = message.pattern.search(text)
            if match:
                spans.append((match.start(), match.end(), message.msgid))
        for start, end, msgid in spans:
            inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
            if not inside:
                found.append(f"{msgid!r} in «{text[:120]}»")
    return found


# -- codes -----------------------------------------------------------------------------------

SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
UPPER = re.compile(r"^[A-Z][A-Z0-9]{3,}(?:_[A-Z0-9]+)*$")
REFUSALS = frozenset(
    ["Refusal", "PermissionRefused", "NotFound", "Conflict", "InvalidInput", "Unavailable"]
)
LABEL_MAPPING = re.compile(r"(LABELS|NAMES|TITLES|REASONS|TEXTS|MESSAGES|NOTES|VERDICTS)$")
#: Punctuation around a word ("Причина: marginal-mark.", "(KG-Y)").
PUNCTUATION = ".,;:!?()[]{}«»\"'“”„·—–"


def code_like(text: str) -> bool:
    """A code no sentence contains: snake_case, kebab-case, or an UPPER_CASE identifier."""
    return bool(SNAKE.match(text) or KEBAB.match(text) or UPPER.match(text))


def _strings(node: ast.AST | None) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _strings(element)
    elif isinstance(node, ast.Subscript):
        yield from _strings(node.slice)


def _translated(node: ast.AST) -> bool:
    """A value that names something for a reader: a gettext call or a {"ky": ...} table."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext_lazy"}
    if isinstance(node, ast.Dict):
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        return {"ky", "ru"} <= keys
    return False


def source_codes(paths: Iterable[Path]) -> dict[str, str]:
    """Codes the code base defines, each with the place it was first found.

    The keys of every mapping from a code to a translated name (or of a mapping named
    ``*_LABELS``/``*_NAMES``...), the values of every choice or enum class and ``Literal``
    type, and the code of every refusal raised: those are the codes that have names.
    """
    found: dict[str, str] = {}

    def add(text: str, where: str) -> None:
        if code_like(text):
            found.setdefault(text, where)

    for path in paths:
        where = str(path.relative_to(SOURCE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Dict)
                and node.values
                and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
            ):
                if sum(_translated(v) for v in node.values) * 2 >= len(node.values):
                    for key in node.keys:
                        add(key.value, where)  # type: ignore[union-attr]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if any(LABEL_MAPPING.search(n) for n in names) and isinstance(node.value, ast.Dict):
                    for key in node.value.keys:
                        for text in _strings(key):
                            add(text, where)
            elif isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if bases & {"TextChoices", "StrEnum", "Enum", "IntegerChoices"}:
                    for statement in node.body:
                        if isinstance(statement, ast.Assign):
                            value = statement.value
                            first = value.elts[0] if isinstance(value, ast.Tuple) else value
                            for text in _strings(first):
                                add(text, where)
            elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal":
                for text in _strings(node.slice):
                    add(text, where)
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in REFUSALS:
                    for text in _strings(node.args[0]):
                        add(text, where)
    return found


EDITION_KEY = re.compile(r"^\s*-?\s*(?:name|rule|code|reason):\s*([A-Za-z][\w.-]*)\s*$", re.M)


def edition_codes() -> dict[str, str]:
    """Rule and relation names of the law editions (``ballots_balance``...)."""
    found: dict[str, str] = {}
    for path in sorted(EDITIONS.glob("*.yaml")):
        for text in EDITION_KEY.findall(path.read_text(encoding="utf-8")):
            if code_like(text):
                found.setdefault(text, f"law/editions/{path.name}")
    return found


#: Codes that are also ordinary English words ("a pre-election report"): never flagged.
ENGLISH_WORDS = frozenset({"pre-election"})
#: Synthetic data and the demo are not the product: their codes are not the product's.
NOT_PRODUCT = frozenset({"synth", "demo", "migrations"})


def known_codes() -> dict[str, str]:
    sources = sorted(p for p in SOURCE.rglob("*.py") if not NOT_PRODUCT & set(p.parts))
    found = {**edition_codes(), **source_codes(sources)}
    return {code: where for code, where in found.items() if code not in ENGLISH_WORDS}


def is_data(text: str) -> bool:
    """A JSON document shown whole (the admin's view of a JSON column): data, not words."""
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


#: An entity's code: a region, a TEC, a contest, an option or a party, with its names.
Entities = Mapping[str, frozenset[str]]


def bare_codes(blocks: Iterable[Block], codes: Mapping[str, str], entities: Entities) -> list[str]:
    """Codes shown as words of the page: registry codes anywhere, entity codes in a block
    that does not also name the entity."""
    found = []
    for block in blocks:
        if is_data(block.text):
            continue
        words = [word.strip(PUNCTUATION) for word in block.text.split()]
        context = block.context
        for token in dict.fromkeys(words):
            if token in entities:
                if not any(name.casefold() in context.casefold() for name in entities[token]):
                    found.append(f"{token} (no name beside it) in «{context[:120]}»")
            elif token in codes:
                found.append(f"{token} ({codes[token]}) in «{context[:120]}»")
    return found


# -- the checker on small pages (no demo) ------------------------------------------------------


def test_the_reader_keeps_blocks_apart_and_leaves_out_code_and_attributes() -> None:
    page = (
        '<html lang="ru"><head><title>Итоги</title><style>.ballots_balance{}</style></head>'
        '<body><p title="vote_buying">Голоса <code>ballots_balance</code></p>'
        "<ul><li>KG-Y<li>Ысык-Көл облусу</ul>"
        '<form><button lang="en">English</button><input value="marginal-mark"></form>'
        "<table><tr><td>KG-C</td><td><p>Чүй облусу</p></td></tr></table></body></html>"
    )
    blocks = blocks_of(page, "ru")
    texts = [(b.tag, b.lang, b.text) for b in blocks]
    assert ("title", "ru", "Итоги") in texts
    assert ("p", "ru", "Голоса") in texts, "code, attributes and styles are not read"
    assert ("li", "ru", "KG-Y") in texts and ("li", "ru", "Ысык-Көл облусу") in texts
    assert ("button", "en", "English") in texts
    assert ("td", "ru", "KG-C") in texts and ("p", "ru", "Чүй облусу") in texts
    cell = next(b for b in blocks if b.text == "KG-C")
    assert cell.context == "KG-C Чүй облусу", "a cell is read with its row"
    assert not any("marginal" in t or "ballots_balance" in t for _, _, t in texts)


def test_untranslated_messages_are_found_and_nothing_else() -> None:
    messages = [
        m
        for m in map(
            _message,
            [
                "Status",
                "polling day",
                "Accept and sign",
                "Voter list, station №%(n)s",
                "Search",
                "row %(row)s",
                "and sign",
            ],
        )
        if m is not None
    ]
    page = (
        '<html lang="ru"><body><h1>Voter list, station №12</h1><table><tr><th>Status</th>'
        "<th>Polling day:</th></tr></table><p>Statuses and a Search engine are words.</p>"
        '<button lang="en">Search</button><p>Accept and sign the protocol</p>'
        "<p>Each row names the article.</p><p>row 12</p></body></html>"
    )
    found = untranslated(blocks_of(page, "ru"), "ru", messages)
    hits = sorted(item.split(" in ")[0] for item in found)
    assert hits == [
        "'Accept and sign'",
        "'Status'",
        "'Voter list, station №%(n)s'",
        "'polling day'",
        "'row %(row)s'",
    ], "the longest message of a stretch; a one-word message only as its block's whole text"
    assert not any("Search" in item for item in found), "inside a sentence, or marked English"


def test_bare_codes_are_found_and_named_ones_are_not() -> None:
    codes = {"marginal-mark": "counting/reads.py", "BIOMETRICS": "register/messages.py"}
    entities = {
        "KG-Y": frozenset({"Ысык-Көл облусу", "Иссык-Кульская область", "Issyk-Kul Region"}),
        "d22": frozenset({"Бишкек, округ №22"}),
    }
    page = (
        '<html lang="ru"><body><table><tr><td>KG-Y</td><td>Иссык-Кульская область</td></tr>'
        "<tr><td>KG-Y</td><td>12</td></tr></table><p>Причина: marginal-mark</p>"
        "<p>BIOMETRICS не пройдена; check-in открыт; Шайлоо-2027</p><h2>d22</h2>"
        "<p><code>marginal-mark</code> — это код</p>"
        '<div class="form-row field-code"><label>Код:</label><div>d22</div></div>'
        '<p>{"reasons": ["marginal-mark"], "contest": "d22"}</p>'
        "<p>kg-y: иссык-кульская область</p></body></html>"
    )
    found = bare_codes(blocks_of(page, "ru"), codes, entities)
    assert found == [
        "KG-Y (no name beside it) in «KG-Y 12»",
        "marginal-mark (counting/reads.py) in «Причина: marginal-mark»",
        "BIOMETRICS (register/messages.py) in «BIOMETRICS не пройдена; check-in открыт; "
        "Шайлоо-2027»",
        "d22 (no name beside it) in «d22»",
    ], "a record's own code field, a JSON dump and a name in other case are not faults"


def test_the_code_registries_hold_the_codes_the_issue_names() -> None:
    codes = known_codes()
    for code in ("marginal-mark", "ballots_balance", "BIOMETRICS", "vote_buying"):
        assert code in codes, code
    for word in ("received", "President", "KG", "pending"):
        assert word not in codes, f"{word} is a word, not a code"


# -- the sweep -------------------------------------------------------------------------------

#: Route parameters filled from the demo's rows (pk routes by the path they live under).
PK_MODELS = (
    ("staff/persons/", "register.Person", {}),
    ("staff/corrections/", "register.ListCorrection", {}),
    ("staff/counting/sheets/", "counting.ScannedSheet", {"state": "pending"}),
    ("staff/results/protocols/", "counting_results.Protocol", {}),
    ("staff/dedup/", "biometrics_dedup.DuplicateCandidate", {}),
    ("staff/candidates/signatures/", "candidates.SignatureSubmission", {}),
    ("staff/candidates/decisions/", "candidates.RegistrationDecision", {}),
    ("staff/candidates/appeals/", "candidates.Appeal", {}),
    ("staff/candidates/participants/", "candidates.Participant", {}),
    ("staff/candidates/", "candidates.Candidate", {}),
    ("staff/finance/flags/", "finance.Flag", {}),
    ("staff/finance/review/", "finance.Transaction", {}),
    ("staff/polling/home/", "polling.HomeVotingRequest", {}),
)


def _first(label: str, **filters: Any) -> Any:
    from django.apps import apps

    model = apps.get_model(label)
    return model.objects.filter(**filters).order_by("pk").first() or model.objects.first()


def _urls() -> Iterator[str]:
    """One concrete URL per GET-able pattern, its parameters taken from the demo's rows."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse
    from test_accounts_matrix_walk import walk

    from shailoo.counting.models import Contest
    from shailoo.counting.results.models import Protocol
    from shailoo.elections.models import Election
    from shailoo.finance.models import Fund
    from shailoo.incidents.models import Case

    election = Election.objects.filter(is_current=True).first() or Election.objects.first()
    protocol = Protocol.objects.filter(status="accepted").select_related("station").first()
    station = protocol.station if protocol else _first("geo.PollingStation")
    contest = Contest.objects.filter(election=election).order_by("position").first()
    case = Case.objects.order_by("pk").first()
    fund = Fund.objects.order_by("pk").first()
    values = {
        "code": election.code if election else None,
        "contest_id": contest.code if contest else None,
        "number": str(station.number) if station else None,
        "region_code": station.region.code if station else None,
        "tec_code": station.tec.code if station else None,
        "reference": case.reference if case else None,
        "account": fund.account if fund else None,
        "index": "0",
    }
    admin_models = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change": model
        for model in admin.site._registry
    }
    for route in walk():
        if route.key in ("logout", "admin:logout") or route.name is None:
            continue
        kwargs: dict[str, str] = {}
        for param in route.params:
            if param == "pk":
                row = next(
                    (
                        _first(label, **filters)
                        for prefix, label, filters in PK_MODELS
                        if route.route.startswith(prefix)
                    ),
                    None,
                )
                value = str(row.pk) if row is not None else None
            elif param == "object_id":
                model = admin_models.get(route.name)
                row = model.objects.order_by("pk").first() if model else None
                value = str(row.pk) if row is not None else None
            else:
                value = values.get(param)
            if value is None:
                break
            kwargs[param] = value
        else:
            try:
                yield reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                continue


def _entities() -> dict[str, frozenset[str]]:
    from shailoo.candidates.models import Party
    from shailoo.counting.models import Contest, ContestOption
    from shailoo.geo.models import Region, TerritorialCommission

    found: dict[str, set[str]] = {}

    def add(code: str, *names: str) -> None:
        if re.search(r"\d|-|_|^[A-Z]{2,}$", code):
            found.setdefault(code, set()).update(n for n in names if n)

    for r in Region.objects.all():
        add(r.code, r.name_ky, r.name_ru, r.name_en)
    for t in TerritorialCommission.objects.all():
        add(t.code, t.name)
    for c in Contest.objects.all():
        add(c.code, c.title_ky, c.title_ru)
    for o in ContestOption.objects.all():
        add(o.code, o.name_ky, o.name_ru)
    for p in Party.objects.all():
        add(p.code, p.name_ky, p.name_ru)
    return {code: frozenset(names) for code, names in found.items()}


def sweep_pages(out: str) -> None:
    """Run in the demo's process: every page, as a visitor and a superuser, in each language."""
    from shailoo.common.cli import django_setup

    django_setup(migrate=False)
    from django.test import Client

    from shailoo.accounts.roles import Role
    from shailoo.accounts.testing import login_verified, make_user

    user = make_user("sweep-superuser", Role.CEC_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    visitor, staff = Client(raise_request_exception=False), Client(raise_request_exception=False)
    login_verified(staff, user)
    codes = known_codes()
    entities = _entities()
    messages = {lang: catalogue_messages(lang) for lang in ("ky", "ru")}
    findings: list[dict[str, str]] = []
    pages = 0
    for url in sorted(set(_urls())):
        for lang in LANGS:
            client = staff if url.startswith(("/staff", "/admin", "/accounts")) else visitor
            response = client.get(url, headers={"accept-language": lang})
            if response.status_code >= 500:
                what = f"answers {response.status_code}"
                findings.append({"url": url, "lang": lang, "kind": "error", "what": what})
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            body = (
                b"".join(response).decode("utf-8", "replace")
                if response.streaming
                else (response.content.decode("utf-8", "replace"))
            )
            blocks = blocks_of(body, lang)
            if lang in messages:
                for text in untranslated(blocks, lang, messages[lang]):
                    findings.append(
                        {"url": url, "lang": lang, "kind": "untranslated", "what": text}
                    )
            for text in bare_codes(blocks, codes, entities):
                findings.append({"url": url, "lang": lang, "kind": "code", "what": text})
    Path(out).write_text(
        json.dumps({"pages": pages, "findings": findings}, ensure_ascii=False), encoding="utf-8"
    )


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var))
    env.pop("SHAILOO_DATABASE_URL", None)
    env.pop("SHAILOO_PROTOCOL_KEY_FILE", None)
    return env


def report(findings: list[dict[str, str]]) -> str:
    """The findings page by page, as a reviewer reads them."""
    lines: list[str] = []
    by_page: dict[str, list[dict[str, str]]] = {}
    for item in findings:
        by_page.setdefault(item["url"], []).append(item)
    for url, items in sorted(by_page.items()):
        lines.append(url)
        seen = set()
        for item in items:
            key = (item["kind"], item["what"])
            langs = sorted({i["lang"] for i in items if (i["kind"], i["what"]) == key})
            if key not in seen:
                seen.add(key)
                lines.append(f"  [{item['kind']}, {'/'.join(langs)}] {html.escape(item['what'])}")
    return "\n".join(lines)


@pytest.mark.sweep
@pytest.mark.slow
def test_no_page_shows_an_untranslated_message_or_a_bare_code(tmp_path: Path) -> None:
    var = tmp_path / "var"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shailoo.cli",
            "demo",
            "--scale",
            "3000",
            "--seed",
            "4",
            "--no-serve",
        ],
        env=_env(var),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    out = tmp_path / "findings.json"
    script = (
        f"import sys; sys.path[:0] = [{str(TESTS)!r}, {str(TESTS / 'accounts')!r}]\n"
        f"import test_no_raw_codes as sweep; sweep.sweep_pages({str(out)!r})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["pages"] > 100, "the walk reached the site's pages"
    text = report(result["findings"])
    if os.environ.get("SHAILOO_SWEEP_REPORT"):
        Path(os.environ["SHAILOO_SWEEP_REPORT"]).write_text(text + "\n", encoding="utf-8")
    assert result["findings"] == [], f"{len(result['findings'])} findings:\n{text[:20000]}"
