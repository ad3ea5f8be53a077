"""Open311 GeoReport v2: the formats through which existing reporting apps file and follow cases.

`GeoReport v2 <http://wiki.open311.org/GeoReport_v2>`_ is the standard civic-reporting apps
speak (FixMyStreet, SeeClickFix, city 311 apps): a discovery document, a list of services
(here the case categories of :mod:`shailoo.incidents.categories`), service requests read in
JSON or XML, and new requests POSTed as ``application/x-www-form-urlencoded`` fields. This
module is the pure format layer: it builds every document the endpoint answers with and reads
every body it is sent; the views wire it to the case model.

What we add, as the standard allows (clients ignore fields they do not know):

* ``shailoo_status`` on every request: the legal status of the case (``received``,
  ``routed``, ``in_progress``, ``escalated``, ``decided``, ``closed``, ``rejected``), since
  GeoReport's ``status`` knows only ``open`` and ``closed``;
* ``station``, a polling-station number, as a third way to say where (besides ``lat`` +
  ``long`` and ``address_string``): most election reports are about a station;
* JSON and XML request bodies besides the standard form encoding (read with the shared safe
  readers), for apps that find those easier.

Times are written as ISO 8601 to the second with the zone offset (``2027-03-14T10:05:00+06:00``),
the subset the standard requires and fixed-pattern clients parse. Pure: no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar, Final, Literal, NamedTuple, cast
from urllib.parse import unquote_to_bytes, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.common.safe_xml import XmlInputError, local_name, parse_xml
from shailoo.incidents.categories import CATEGORIES, Category

Lang = Literal["ky", "ru", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ky", "ru", "en")
#: The legal status of a case (the ``shailoo_status`` extension).
LegalStatus = Literal[
    "received", "routed", "in_progress", "escalated", "decided", "closed", "rejected"
]
LEGAL_STATUSES: Final[tuple[LegalStatus, ...]] = (
    "received", "routed", "in_progress", "escalated", "decided", "closed", "rejected"
)  # fmt: skip
#: A decided case is ``closed`` for GeoReport: a decision is what the reporter waits for (an
#: appeal reopens it, and its legal status says so).
CLOSED_STATUSES: Final[frozenset[LegalStatus]] = frozenset({"decided", "closed", "rejected"})

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
JSON_TYPE: Final = "application/json"
XML_TYPE: Final = "text/xml"
FORM_TYPE: Final = "application/x-www-form-urlencoded"
#: When this endpoint's formats last changed (discovery's ``changeset``): bump it on a change.
CHANGESET: Final = datetime(2026, 12, 5, tzinfo=timezone(timedelta(hours=6)))
KEY_SERVICE: Final = "No API key is needed: requests are filed anonymously, limited per source."

#: Bounds on a new request. The standard sets none; these are what a report needs.
MAX_BODY_BYTES: Final = 64 * 1024  # 4,000 Cyrillic characters percent-encoded take 24 KiB
MAX_FIELDS: Final = 100
MAX_DESCRIPTION: Final = 4_000
MAX_ADDRESS: Final = 500
MAX_NAME: Final = 100
MAX_ID: Final = 128
MAX_URL: Final = 2_048
MAX_EMAIL: Final = 254
MAX_ATTRIBUTES: Final = 20
MAX_ATTRIBUTE_VALUE: Final = 1_000
MAX_STATION: Final = 999_999  # as the geography importer numbers stations
#: Kyrgyzstan's territory, loosely (it spans about 39.2-43.3 N, 69.2-80.3 E): a report
#: placed outside is a swapped lat/long or a wrong device fix, not a Kyrgyz polling place.
KG_LAT: Final = (39.0, 44.0)
KG_LONG: Final = (69.0, 81.0)

# --- services ---------------------------------------------------------------------------------


class ServiceText(NamedTuple):
    """A service's name, one-line description and comma-separated keywords, in one language."""

    name: str
    description: str
    keywords: str


SERVICE_NAMES: Final[Mapping[Category, Mapping[Lang, ServiceText]]] = {
    "vote_buying": {
        "ky": ServiceText(
            "Шайлоочулардын добушун сатып алуу",
            "Шайлоочуларга добушу үчүн же добуш бербегени үчүн акча, буюм, кызмат же убада"
            " сунуштоо.",
            "пара, акча, белек, добуш сатып алуу",
        ),
        "ru": ServiceText(
            "Подкуп избирателей",
            "Деньги, товары, услуги или обещания избирателям за голос или за неучастие в"
            " голосовании.",
            "подкуп, деньги, подарки, покупка голосов",
        ),
        "en": ServiceText(
            "Vote buying",
            "Money, goods, services or promises offered to voters for their vote or for not"
            " voting.",
            "bribery, money, gifts, vote buying",
        ),
    },
    "multiple_voting": {
        "ky": ServiceText(
            "Бир нече жолу добуш берүү",
            "Бир нече жолу же башка адамдын ордуна добуш берүү, эки участоктун тизмесинде болуу.",
            "кайра добуш берүү, карусель, тизме",
        ),
        "ru": ServiceText(
            "Многократное голосование",
            "Голосование более одного раза или за другое лицо, включение в списки двух участков.",
            "повторное голосование, карусель, списки",
        ),
        "en": ServiceText(
            "Multiple voting",
            "Voting more than once or in another person's name, or being listed at two"
            " polling stations.",
            "double voting, carousel, voter list",
        ),
    },
    "pressure_on_voters": {
        "ky": ServiceText(
            "Шайлоочуларга басым жасоо",
            "Добуш берүү же бербөө боюнча коркутуу, мажбурлоо, иш берүүчүнүн же кызмат"
            " адамынын басымы.",
            "коркутуу, мажбурлоо, басым",
        ),
        "ru": ServiceText(
            "Давление на избирателей",
            "Угрозы, принуждение, давление работодателя или должностного лица по поводу"
            " голосования.",
            "угрозы, принуждение, давление",
        ),
        "en": ServiceText(
            "Pressure on voters",
            "Threats, coercion, or pressure from an employer or official about how or whether"
            " to vote.",
            "threats, coercion, intimidation",
        ),
    },
    "foreign_interference": {
        "ky": ServiceText(
            "Чет өлкөлүк кийлигишүү",
            "Чет мамлекеттердин, уюмдардын же жарандардын шайлоо өнөктүгүнө катышуусу же аны"
            " каржылоосу.",
            "чет өлкө, кийлигишүү, чет элдик каржылоо",
        ),
        "ru": ServiceText(
            "Иностранное вмешательство",
            "Участие иностранных государств, организаций или граждан в кампании или её"
            " финансирование.",
            "иностранное вмешательство, иностранное финансирование",
        ),
        "en": ServiceText(
            "Foreign interference",
            "Foreign states, organisations or citizens taking part in the campaign or funding it.",
            "foreign interference, foreign funding",
        ),
    },
    "prohibited_financing": {
        "ky": ServiceText(
            "Тыюу салынган каржылоо",
            "Мыйзам тыюу салган булактардан, чектен ашык же шайлоо фондунан тышкары каражаттар.",
            "каржылоо, шайлоо фонду, кайрымдуулук",
        ),
        "ru": ServiceText(
            "Запрещённое финансирование",
            "Средства на кампанию из запрещённых источников, сверх лимитов или помимо"
            " избирательного фонда.",
            "финансирование, избирательный фонд, пожертвования",
        ),
        "en": ServiceText(
            "Prohibited financing",
            "Campaign money from sources the law forbids, over the limits, or outside the"
            " electoral fund.",
            "financing, electoral fund, donations",
        ),
    },
    "illegal_campaigning": {
        "ky": ServiceText(
            "Мыйзамсыз үгүт",
            "Үгүт мезгилинен тышкары, добуш берүү күнү, чыгаруу маалыматтарысыз же тыюу"
            " салынган адамдар жүргүзгөн үгүт.",
            "үгүт, плакат, жарнама, үгүт материалдары",
        ),
        "ru": ServiceText(
            "Незаконная агитация",
            "Агитация вне агитационного периода, в день голосования, без выходных данных или"
            " лицами, которым она запрещена.",
            "агитация, плакаты, реклама, агитационные материалы",
        ),
        "en": ServiceText(
            "Illegal campaigning",
            "Campaigning outside the campaign period, on polling day, without the required"
            " imprint, or by those barred from it.",
            "campaigning, posters, advertising, leaflets",
        ),
    },
    "administrative_resources": {
        "ky": ServiceText(
            "Административдик ресурсту пайдалануу",
            "Кызмат абалын, мамлекеттик мүлктү, кызматкерлерди же транспортту талапкер же"
            " партия үчүн пайдалануу.",
            "административдик ресурс, кызмат абалы, мамлекеттик мүлк",
        ),
        "ru": ServiceText(
            "Использование административного ресурса",
            "Использование служебного положения, государственного имущества, сотрудников или"
            " транспорта в пользу кандидата или партии.",
            "административный ресурс, служебное положение, госимущество",
        ),
        "en": ServiceText(
            "Misuse of administrative resources",
            "Public office, state property, staff or transport used for a candidate or party.",
            "administrative resources, public office, state property",
        ),
    },
    "cyber_incident": {
        "ky": ServiceText(
            "Кибер инцидент",
            "Шайлоо системаларына жана сайттарына чабуулдар, маалыматтын агып чыгышы, жасалма"
            " расмий аккаунттар, жалган маалымат.",
            "кибер чабуул, сайт, маалымат агып чыгуу, жалган маалымат",
        ),
        "ru": ServiceText(
            "Киберинцидент",
            "Атаки на избирательные системы и сайты, утечки данных, поддельные официальные"
            " аккаунты, дезинформация.",
            "кибератака, сайт, утечка данных, дезинформация",
        ),
        "en": ServiceText(
            "Cyber incident",
            "Attacks on election systems or websites, data leaks, fake official accounts,"
            " disinformation.",
            "cyber attack, website, data leak, disinformation",
        ),
    },
    "public_order": {
        "ky": ServiceText(
            "Коомдук тартипти бузуу",
            "Шайлоо участогунда, комиссияда же алардын жанында зомбулук, топтолуу же башаламандык.",
            "зомбулук, башаламандык, коомдук тартип",
        ),
        "ru": ServiceText(
            "Нарушение общественного порядка",
            "Насилие, скопление людей или беспорядки на участке, в комиссии или рядом с ними.",
            "насилие, беспорядки, общественный порядок",
        ),
        "en": ServiceText(
            "Public order",
            "Violence, crowds or disorder at or near a polling station or commission.",
            "violence, disorder, public order",
        ),
    },
    "count_irregularity": {
        "ky": ServiceText(
            "Добуштарды эсептөөдөгү бузуулар",
            "Добуштарды эсептөөдө, протоколду түзүүдө же өткөрүүдө бузуулар: дал келбеген"
            " сандар, байкоочуларды киргизбөө.",
            "эсептөө, протокол, байкоочу",
        ),
        "ru": ServiceText(
            "Нарушения при подсчёте голосов",
            "Нарушения при подсчёте, составлении или передаче протокола: несходящиеся цифры,"
            " недопуск наблюдателей.",
            "подсчёт, протокол, наблюдатели",
        ),
        "en": ServiceText(
            "Count irregularity",
            "Irregularities in counting, in the protocol or its transmission: figures that do"
            " not add up, observers kept away.",
            "count, protocol, observers",
        ),
    },
    "other": {
        "ky": ServiceText(
            "Башка бузуулар",
            "Шайлоо укуктарынын башка бузулушу.",
            "шайлоо укуктары, даттануу",
        ),
        "ru": ServiceText(
            "Иные нарушения",
            "Иные нарушения избирательных прав.",
            "избирательные права, жалоба",
        ),
        "en": ServiceText(
            "Other violation",
            "Any other violation of electoral rights.",
            "electoral rights, complaint",
        ),
    },
}

Group = Literal["voting", "campaign", "security", "counting", "other"]
#: GeoReport's ``group``: services clustered for a client's menu (not the routing agency,
#: which the CEC may change).
SERVICE_GROUPS: Final[Mapping[Category, Group]] = {
    "vote_buying": "voting",
    "multiple_voting": "voting",
    "pressure_on_voters": "voting",
    "foreign_interference": "security",
    "prohibited_financing": "campaign",
    "illegal_campaigning": "campaign",
    "administrative_resources": "campaign",
    "cyber_incident": "security",
    "public_order": "security",
    "count_irregularity": "counting",
    "other": "other",
}
GROUP_NAMES: Final[Mapping[Group, Mapping[Lang, str]]] = {
    "voting": {"ky": "Добуш берүү", "ru": "Голосование", "en": "Voting"},
    "campaign": {"ky": "Шайлоо өнөктүгү", "ru": "Избирательная кампания", "en": "Campaign"},
    "security": {"ky": "Коопсуздук", "ru": "Безопасность", "en": "Security"},
    "counting": {"ky": "Добуштарды эсептөө", "ru": "Подсчёт голосов", "en": "Counting"},
    "other": {"ky": "Башка", "ru": "Прочее", "en": "Other"},
}

Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


@dataclass(frozen=True)
class ServiceAttribute:
    """A field a service asks for beyond the core ones (a service definition's attribute).

    No service has one today (every service's ``metadata`` is false); the structure is here so
    that adding one is data, not code.
    """

    code: str
    datatype: Datatype
    required: bool
    order: int
    description: Mapping[Lang, str]
    datatype_description: Mapping[Lang, str] = field(default_factory=dict)
    values: Sequence[tuple[str, Mapping[Lang, str]]] = ()  # (key, name) of a list's options
    variable: bool = True

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """The attribute as a service definition lists it, in ``lang``."""
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description.get(lang) or None,
            "order": self.order,
            "description": self.description[lang],
            "values": [{"key": key, "name": names[lang]} for key, names in self.values],
        }


SERVICE_ATTRIBUTES: Final[Mapping[Category, tuple[ServiceAttribute, ...]]] = {
    code: () for code in CATEGORIES
}


def lang_of(value: str | None, default: Lang = "ky") -> Lang:
    """The language of a ``locale`` parameter or Accept-Language tag (``ru-RU``, ``ky_KG``)."""
    head = (value or "").strip().lower().replace("_", "-").split("-")[0].split(",")[0]
    return cast(Lang, head) if head in LANGS else default


def _category(code: str) -> Category:
    if code not in CATEGORIES:
        raise UnknownService([(Problem("service_code", _unknown(code)), 404)])
    return cast(Category, code)


def _unknown(code: object) -> str:
    return f"no service {str(code)[:64]!r}; the services are {', '.join(CATEGORIES)}"


def services(lang: Lang) -> list[dict[str, Any]]:
    """GET services: every case category as a GeoReport service, in ``lang``."""
    found = []
    for code in CATEGORIES:
        text = SERVICE_NAMES[code][lang]
        found.append(
            {
                "service_code": code,
                "service_name": text.name,
                "description": text.description,
                "metadata": bool(SERVICE_ATTRIBUTES[code]),
                "type": "realtime",  # a request is a case at once, with its reference
                "keywords": text.keywords,
                "group": GROUP_NAMES[SERVICE_GROUPS[code]][lang],
            }
        )
    return found


def service_definition(code: str, lang: Lang) -> dict[str, Any]:
    """GET services/{code}: the service's extra fields; :class:`UnknownService` (404) if none."""
    category = _category(code)
    attributes = sorted(SERVICE_ATTRIBUTES[category], key=lambda attribute: attribute.order)
    return {
        "service_code": category,
        "attributes": [attribute.to_json(lang) for attribute in attributes],
    }


def discovery(
    base_url: str,
    contact: str,
    *,
    changeset: datetime = CHANGESET,
    key_service: str = KEY_SERVICE,
) -> dict[str, Any]:
    """The discovery document: where the GeoReport v2 endpoint is and what it speaks.

    ``base_url`` is the endpoint's absolute URL (``https://shailoo.kg/open311/v2``); clients
    append ``/services.json`` and the like, so a trailing slash is dropped.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the endpoint needs an absolute http(s) URL, not {base_url!r}")
    stamp = iso(changeset)
    return {
        "changeset": stamp,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url.rstrip("/"),
                "changeset": stamp,
                "type": "production",
                "formats": [JSON_TYPE, XML_TYPE],
            }
        ],
    }


# --- service requests -------------------------------------------------------------------------


def status_of(legal: LegalStatus) -> Literal["open", "closed"]:
    """GeoReport's ``status`` for a legal status: ``closed`` once decided, closed or rejected."""
    return "closed" if legal in CLOSED_STATUSES else "open"


def _published(moment: datetime | None, name: str) -> datetime | None:
    """``moment`` as it is published: to the second, with a fixed offset of whole minutes."""
    if moment is None:
        return None
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{name} must carry its zone (an aware datetime), not {moment!r}")
    moment = moment.replace(microsecond=0)
    if offset % timedelta(minutes=1):  # a local mean time of the 19th century: say it in UTC
        return moment.astimezone(UTC)
    return moment.astimezone(timezone(offset))


def iso(moment: datetime) -> str:
    """ISO 8601 to the second with the zone offset: ``2027-03-14T10:05:00+06:00``."""
    published = _published(moment, "a time")
    assert published is not None
    return published.isoformat()


@dataclass(frozen=True)
class RequestView:
    """A case as GeoReport shows it: public fields only, the description already redacted.

    ``service_request_id`` is the case's reference number. ``shailoo_status`` is our extension
    (see the module doc); ``status`` must agree with it (:func:`status_of`). Times must be
    aware; they are kept as published (whole seconds, a fixed offset), so a view read back
    from its JSON equals itself. ``lat``/``long`` are both given or both ``None``.
    """

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str
    service_code: Category
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str
    lat: float | None
    long: float | None
    media_url: str
    shailoo_status: LegalStatus

    TIMES: ClassVar[tuple[str, ...]] = (
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    )

    def __post_init__(self) -> None:
        if self.shailoo_status not in LEGAL_STATUSES:
            raise ValueError(f"no legal status {self.shailoo_status!r}")
        if self.status != status_of(self.shailoo_status):
            raise ValueError(
                f"status {self.status!r} disagrees with legal status {self.shailoo_status!r}"
            )
        if self.service_code not in CATEGORIES:
            raise ValueError(f"no service {self.service_code!r}")
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long are given together or not at all")
        if self.lat is not None and self.long is not None:
            if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
                raise ValueError(f"lat {self.lat!r} is not a latitude")
            if not (math.isfinite(self.long) and -180 <= self.long <= 180):
                raise ValueError(f"long {self.long!r} is not a longitude")
        for name in self.TIMES:
            object.__setattr__(self, name, _published(getattr(self, name), name))


def request_json(view: RequestView) -> dict[str, Any]:
    """One request as GET requests lists it in JSON (times with their offset)."""
    return {
        "service_request_id": view.service_request_id,
        "status": view.status,
        "status_notes": view.status_notes,
        "service_name": view.service_name,
        "service_code": view.service_code,
        "description": view.description,
        "agency_responsible": view.agency_responsible,
        "service_notice": view.service_notice,
        "requested_datetime": iso(view.requested_datetime),
        "updated_datetime": None if view.updated_datetime is None else iso(view.updated_datetime),
        "expected_datetime": (
            None if view.expected_datetime is None else iso(view.expected_datetime)
        ),
        "address": view.address,
        "lat": view.lat,
        "long": view.long,
        "media_url": view.media_url,
        "shailoo_status": view.shailoo_status,
    }


def requests_json(views: Iterable[RequestView]) -> list[dict[str, Any]]:
    """GET requests (and requests/{id}, a list of one) in JSON."""
    return [request_json(view) for view in views]


def post_response(
    reference: str | None, token: str | None, service_notice: str, account_id: str = ""
) -> list[dict[str, Any]]:
    """POST requests' answer: the new case's reference, or a token to ask for it later."""
    if not reference and not token:
        raise ValueError("a POST answer gives the service_request_id, a token, or both")
    row: dict[str, Any] = {}
    if reference:
        row["service_request_id"] = reference
    if token:
        row["token"] = token
    row["service_notice"] = service_notice
    row["account_id"] = account_id or None
    return [row]


def token_response(token: str, reference: str | None) -> list[dict[str, Any]]:
    """GET tokens/{token}: the reference the token became (``None`` while it has none)."""
    return [{"service_request_id": reference, "token": token}]


# --- errors -----------------------------------------------------------------------------------


class GeoReportError(NamedTuple):
    """One entry of GeoReport's error list: an HTTP-style ``code`` and what went wrong."""

    code: int
    description: str


class Open311Error(InvalidInput):
    """A refused GeoReport request body (code ``open311_invalid``), every problem located.

    ``georeport_codes`` gives each problem's GeoReport error code (400 for a bad field, 404
    for an unknown service), in the order of ``problems``; :func:`errors_of` pairs them.
    """

    default_code = "open311_invalid"

    def __init__(self, found: Sequence[tuple[Problem, int]], message: str = "") -> None:
        self.georeport_codes = tuple(code for _, code in found)
        problems = [problem for problem, _ in found]
        text = message or "the service request was refused: " + "; ".join(map(str, problems))
        super().__init__(self.default_code, text, problems=problems)


class UnknownService(Open311Error, NotFound):
    """A ``service_code`` that names no service: HTTP 404, as GeoReport answers it.

    Both an :class:`InvalidInput` (the body is wrong) and a :class:`NotFound` (what it names
    does not exist), so a caller may catch it as either.
    """

    http_status = 404
    default_code = "open311_unknown_service"


class UnsupportedMediaType(Open311Error):
    """A body in a format the endpoint does not read (HTTP 415)."""

    http_status = 415
    default_code = "open311_media_type"


def errors_of(refusal: Refusal) -> list[GeoReportError]:
    """GeoReport's error list for any refusal: one entry per located problem."""
    if not refusal.problems:
        return [GeoReportError(refusal.http_status, refusal.message)]
    codes = (
        refusal.georeport_codes
        if isinstance(refusal, Open311Error)
        else (refusal.http_status,) * len(refusal.problems)
    )
    return [GeoReportError(code, str(p)) for code, p in zip(codes, refusal.problems, strict=True)]


def errors_json(errors: Iterable[GeoReportError]) -> list[dict[str, Any]]:
    """Errors as GeoReport's JSON list of ``{code, description}``."""
    return [{"code": error.code, "description": error.description} for error in errors]


def error_json(code: int, description: str) -> list[dict[str, Any]]:
    """One error as GeoReport's JSON list."""
    return errors_json([GeoReportError(code, description)])


# --- XML --------------------------------------------------------------------------------------

#: What XML 1.0 cannot carry (C0 controls but tab and line feed, lone surrogates, U+FFFE/F)
#: and what it discourages (DEL and the C1 controls): no raw control character is written.
_NOT_XML = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The element that holds each item of a list-valued field.
_ITEM = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def xml_text(value: str) -> str:
    """``value`` as XML can carry it: line ends as ``\\n``, every other control character
    (and lone surrogates) as U+FFFD, so the document stays well-formed and shows the damage."""
    return _NOT_XML.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))


def _append(parent: Element, name: str, value: object) -> None:
    child = SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(child, _ITEM[name], item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, float):
        child.text = repr(value)
    elif value is not None:
        child.text = xml_text(str(value))


def _document(root: str, item: str | None, value: Any) -> bytes:
    """``value`` (a mapping, or a list of them each in an ``item`` element) under ``root``."""
    element = Element(root)
    for row in value if item is not None else [value]:
        holder = SubElement(element, item) if item is not None else element
        for key, field_value in row.items():
            _append(holder, key, field_value)
    body = tostring(element, encoding="unicode")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode("utf-8")


def discovery_xml(base_url: str, contact: str, **options: Any) -> bytes:
    """:func:`discovery` in XML (root ``discovery``)."""
    return _document("discovery", None, discovery(base_url, contact, **options))


def services_xml(lang: Lang) -> bytes:
    """:func:`services` in XML (root ``services``, each a ``service``)."""
    return _document("services", "service", services(lang))


def service_definition_xml(code: str, lang: Lang) -> bytes:
    """:func:`service_definition` in XML (root ``service_definition``)."""
    return _document("service_definition", None, service_definition(code, lang))


def requests_xml(views: Iterable[RequestView]) -> bytes:
    """GET requests in XML (root ``service_requests``, each a ``request``)."""
    return _document("service_requests", "request", requests_json(views))


def post_response_xml(
    reference: str | None, token: str | None, service_notice: str, account_id: str = ""
) -> bytes:
    """:func:`post_response` in XML (root ``service_requests``)."""
    rows = post_response(reference, token, service_notice, account_id)
    return _document("service_requests", "request", rows)


def token_xml(token: str, reference: str | None) -> bytes:
    """:func:`token_response` in XML (root ``service_requests``)."""
    return _document("service_requests", "request", token_response(token, reference))


def errors_xml(errors: Iterable[GeoReportError]) -> bytes:
    """Errors in XML (root ``errors``, each an ``error`` with ``code`` and ``description``)."""
    return _document("errors", "error", errors_json(errors))


# --- new requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    """A POSTed service request, checked: a known service and at least one location.

    ``station`` is our extension (a polling-station number); ``attribute`` holds the
    ``attribute[code]`` fields. Text fields absent from the body are empty strings.
    """

    service_code: Category
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    station: int | None = None
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    device_id: str = ""
    account_id: str = ""
    attribute: dict[str, str] = field(default_factory=dict)


_TEXT_FIELDS: Final[Mapping[str, int]] = {
    "description": MAX_DESCRIPTION,
    "address_string": MAX_ADDRESS,
    "email": MAX_EMAIL,
    "first_name": MAX_NAME,
    "last_name": MAX_NAME,
    "phone": 32,
    "media_url": MAX_URL,
    "device_id": MAX_ID,
    "account_id": MAX_ID,
}
_MULTILINE = frozenset({"description"})
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")
_DEGREES = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,20})?")
_STATION = re.compile(r"[0-9]{1,6}")
_ATTRIBUTE_KEY = re.compile(r"attribute\[(.*)\]", re.DOTALL)
_ATTRIBUTE_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_EMAIL = re.compile(
    r"""[^\s@"<>()\[\],;:\\]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"""
)
_PHONE = re.compile(r"\+?[0-9 ()-]+")

_Found = list[tuple[Problem, int]]


def _bad(found: _Found, where: str, why: str, code: int = 400) -> None:
    found.append((Problem(where, why), code))


def parse_new_request(
    fields: Mapping[str, str] | bytes, content_type: str = FORM_TYPE
) -> NewRequest:
    """POST requests: the body read and checked, or an :class:`Open311Error` naming every bad
    field (:class:`UnknownService`, 404, when the service is unknown).

    ``fields`` is either the form fields already parsed (a Django ``QueryDict`` or any mapping
    of strings, as multipart bodies arrive) or the raw body, read by ``content_type``:
    ``application/x-www-form-urlencoded`` (the standard), ``application/json`` (an object)
    or ``text/xml`` / ``application/xml`` (one element whose children are the fields). A raw
    body naming a field twice is refused; a parsed ``QueryDict`` already kept the last value.
    """
    if isinstance(fields, bytes):
        values, attributes = _read_body(fields, content_type)
    elif len(fields) > MAX_FIELDS:
        raise Open311Error([(Problem("body", f"{len(fields)} fields; at most {MAX_FIELDS}"), 400)])
    else:
        values, attributes = _split_attributes(fields)
    return _checked(values, attributes)


def _media_type(content_type: str, found: _Found) -> str:
    kind, *params = (part.strip() for part in content_type.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            _bad(found, "Content-Type", f"the body must be UTF-8, not {charset[:32]!r}", 415)
    return kind.lower() or FORM_TYPE


def _read_body(body: bytes, content_type: str) -> tuple[dict[str, object], dict[str, object]]:
    found: _Found = []
    kind = _media_type(content_type, found)
    if found:
        raise UnsupportedMediaType(found)
    if len(body) > MAX_BODY_BYTES:
        _bad(found, "body", f"{len(body)} bytes is more than the {MAX_BODY_BYTES} allowed")
        raise Open311Error(found)
    try:
        if kind == FORM_TYPE:
            return _read_form(body)
        if kind == JSON_TYPE:
            return _read_json(body)
        if kind in (XML_TYPE, "application/xml"):
            return _read_xml(body)
    except (safe_json.JsonInputError, XmlInputError) as exc:
        raise Open311Error([(problem, 400) for problem in exc.problems], exc.message) from None
    media = ", ".join((FORM_TYPE, JSON_TYPE, XML_TYPE))
    _bad(found, "Content-Type", f"{kind[:64]!r} is not read here; send {media}", 415)
    raise UnsupportedMediaType(found)


def _read_form(body: bytes) -> tuple[dict[str, object], dict[str, object]]:
    """Form fields, decoded strictly: a name given twice or bytes that are not UTF-8 refused."""
    found: _Found = []
    values: dict[str, object] = {}
    pairs = [pair for pair in body.split(b"&") if pair]
    if len(pairs) > MAX_FIELDS:
        _bad(found, "body", f"{len(pairs)} fields; at most {MAX_FIELDS}")
        raise Open311Error(found)
    for number, pair in enumerate(pairs, start=1):
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            _bad(found, f"field {number}", "the field's name is not UTF-8 text")
            continue
        try:
            value = unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as exc:
            _bad(found, name[:64], f"not UTF-8 text (byte {exc.start} of the value)")
            continue
        if name in values:
            _bad(found, name[:64], "given twice")
        values[name] = value
    if found:
        raise Open311Error(found)
    return _split_attributes(values)


def _read_json(body: bytes) -> tuple[dict[str, object], dict[str, object]]:
    document = safe_json.loads(body, source="request body", max_bytes=MAX_BODY_BYTES)
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"a {type(document).__name__}"
        why = f"the body must be a JSON object of fields, not {kind}"
        raise Open311Error([(Problem("", why), 400)])
    values, attributes = _split_attributes(document)
    nested = values.pop("attribute", None)
    if nested is not None:
        if not isinstance(nested, dict):
            raise Open311Error([(Problem("attribute", "must be an object of codes"), 400)])
        attributes.update(nested)
    return values, attributes


def _read_xml(body: bytes) -> tuple[dict[str, object], dict[str, object]]:
    root = parse_xml(body, "request body", max_bytes=MAX_BODY_BYTES, max_depth=3)
    found: _Found = []
    values: dict[str, object] = {}
    attributes: dict[str, object] = {}
    for child in root:
        name = local_name(child.tag)
        if name != "attribute":
            if len(child):
                _bad(found, name[:64], "must be text, not elements")
            elif name in values:
                _bad(found, name[:64], "given twice")
            values[name] = child.text or ""
            continue
        for item in child:
            code = local_name(item.tag)
            if code in attributes or len(item):
                why = "given twice" if code in attributes else "must be text, not elements"
                _bad(found, f"attribute[{code[:64]}]", why)
            attributes[code] = item.text or ""
    if len(values) + len(attributes) > MAX_FIELDS:
        _bad(found, "body", f"more than {MAX_FIELDS} fields")
    if found:
        raise Open311Error(found)
    return values, attributes


def _split_attributes(fields: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """Plain fields and the ``attribute[code]`` ones, apart."""
    values: dict[str, object] = {}
    attributes: dict[str, object] = {}
    for name, value in fields.items():
        match = _ATTRIBUTE_KEY.fullmatch(name)
        if match:
            attributes[match.group(1)] = value
        else:
            values[name] = value
    return values, attributes


def _text(values: Mapping[str, object], name: str, found: _Found) -> str:
    """The field ``name`` as stripped text ("" when absent), or a problem recorded."""
    value = values.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        _bad(found, name, "must be text")
        return ""
    text = value.strip()
    if name in _MULTILINE:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    limit = _TEXT_FIELDS.get(name, MAX_ATTRIBUTE_VALUE)
    if len(text) > limit:
        _bad(found, name, f"at most {limit:,} characters ({len(text):,} given)")
    elif _CONTROL.search(text) or (name not in _MULTILINE and _LINE_BREAKS.search(text)):
        _bad(found, name, "holds a control character or line break")
    else:
        return text
    return ""


def _degrees(values: Mapping[str, object], name: str, bound: float, found: _Found) -> float | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        _bad(found, name, "must be a number of degrees")
        return None
    if isinstance(value, str):
        if not _DEGREES.fullmatch(value.strip()):
            why = f"must be decimal degrees (WGS84) such as 42.8746, not {value[:32]!r}"
            _bad(found, name, why)
            return None
        value = float(value)
    number = float(value)
    if not math.isfinite(number) or not -bound <= number <= bound:
        _bad(found, name, f"{number} is not within -{bound:g} and {bound:g} degrees")
        return None
    return number


def _location(
    values: Mapping[str, object], found: _Found
) -> tuple[float | None, float | None, int | None]:
    lat = _degrees(values, "lat", 90, found)
    long = _degrees(values, "long", 180, found)
    for name, number, (low, high), side in (
        ("lat", lat, KG_LAT, "N"),
        ("long", long, KG_LONG, "E"),
    ):
        if number is not None and not low <= number <= high:
            why = f"{number} is outside Kyrgyzstan ({low:g}-{high:g} {side}); lat and long swapped?"
            _bad(found, name, why)
    if (values.get("lat") in (None, "")) != (values.get("long") in (None, "")):
        missing = "long" if values.get("long") in (None, "") else "lat"
        _bad(found, missing, "lat and long are given together")
    station: int | None = None
    raw = values.get("station")
    if raw is not None and raw != "":
        text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if _STATION.fullmatch(text) and 1 <= int(text) <= MAX_STATION:
            station = int(text)
        else:
            _bad(found, "station", f"must be a polling-station number 1-{MAX_STATION}")
    return lat, long, station


def _checked(values: Mapping[str, object], attributes: Mapping[str, object]) -> NewRequest:
    found: _Found = []
    code = values.get("service_code")
    if code is None or code == "":
        _bad(found, "service_code", "missing: which service (category) the report is about")
    elif not isinstance(code, str):
        _bad(found, "service_code", "must be text: a service code")
    elif code.strip() not in CATEGORIES:
        _bad(found, "service_code", _unknown(code), 404)
    text = {name: _text(values, name, found) for name in _TEXT_FIELDS}
    lat, long, station = _location(values, found)
    has_place = (lat is not None and long is not None) or text["address_string"] or station
    located = any(values.get(name) not in (None, "") for name in ("lat", "long", "station"))
    if not has_place and not located and not any(p.where == "address_string" for p, _ in found):
        _bad(found, "location", "give lat and long, an address_string or a station number")
    if text["email"] and not _EMAIL.fullmatch(text["email"]):
        _bad(found, "email", "not an e-mail address")
    if text["phone"] and not (
        _PHONE.fullmatch(text["phone"]) and 9 <= sum(c.isdigit() for c in text["phone"]) <= 15
    ):
        _bad(found, "phone", "a phone number is 9 to 15 digits, with an optional leading +")
    if text["media_url"] and not _web_url(text["media_url"]):
        _bad(found, "media_url", "must be an http(s) URL")
    attribute = _attributes(attributes, found)
    if found:
        if any(status == 404 for _, status in found):
            raise UnknownService(found)
        raise Open311Error(found)
    return NewRequest(
        service_code=cast(Category, cast(str, code).strip()),
        lat=lat,
        long=long,
        station=station,
        attribute=attribute,
        **text,
    )


def _web_url(text: str) -> bool:
    try:
        url = urlsplit(text)
    except ValueError:  # a bracketed host that is no IP address
        return False
    return url.scheme in ("http", "https") and bool(url.hostname) and " " not in text


def _attributes(attributes: Mapping[str, object], found: _Found) -> dict[str, str]:
    if len(attributes) > MAX_ATTRIBUTES:
        _bad(found, "attribute", f"{len(attributes)} attributes; at most {MAX_ATTRIBUTES}")
        return {}
    checked: dict[str, str] = {}
    for key, value in attributes.items():
        where = f"attribute[{str(key)[:64]}]"
        if not _ATTRIBUTE_CODE.fullmatch(str(key)):
            _bad(found, where, "an attribute code is 1-64 letters, digits, '_', '.' or '-'")
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            _bad(found, where, "must be text or a number")
        else:
            text = _text({where: str(value)}, where, found)
            checked[key] = text
    return checked
