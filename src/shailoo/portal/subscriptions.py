"""Readers' subscriptions to results and turnout: sign-up, confirmation, unsubscribing.

A reader follows one topic of an election — the results of a polling station or of a region,
or turnout in the country or a region — by e-mail or by SMS (the gateway adapter of
``incidents.notify``), in the language they signed up in. The rules a national service
owes the people whose addresses it holds, and the third parties whose addresses others type:

- **double opt-in**: nothing but the confirmation goes to an address before its owner
  confirms it (a link by e-mail, a six-digit code by SMS); an unconfirmed request expires
  after :data:`CONFIRM_HOURS` and :func:`purge_unconfirmed` deletes it;
- **rate limits** on sign-ups per client (the view) and on confirmations per address (here),
  so the form cannot be used to flood someone's inbox or phone;
- **the address is personal data**: sealed at rest, looked up by a keyed hash
  (:func:`address_hash`), never written to a log or to the delivery log (errors are scrubbed
  of it, :func:`scrub`), and deleted on unsubscribing;
- **one-click unsubscribe**: every message carries the link (:func:`unsubscribe_link`), and
  e-mail the RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers.

The outbox and the sender are ``portal.subscription_sending``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.throttling import SimpleRateThrottle

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput, NotFound, Refusal, Unavailable
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation, Region
from shailoo.incidents.notify import SmsGateway, sms_gateway
from shailoo.integrity import ledger
from shailoo.portal.models import Channel, Subscription, Topic

log = logging.getLogger("shailoo.portal.subscriptions")

#: An unconfirmed subscription expires this many hours after its confirmation was sent.
CONFIRM_HOURS = 48
#: Wrong SMS codes before the request is cancelled (a new sign-up sends a new code).
MAX_CODE_ATTEMPTS = 5
#: Languages a reader can get messages in; anything else falls back to the site default.
LANGUAGES = ("ky", "ru", "en")

#: Kyrgyz mobile numbers after +996 (ITU-T E.164; the mobile ranges of the national
#: numbering plan as kept in Google's libphonenumber metadata for KG): nine digits.
KG_MOBILE = re.compile(
    r"(?:2(?:0[0-35]|2\d)|5(?:0[0-57-9]|[124-7]\d)|7(?:[07]\d|55)|99[69])\d{6}", re.ASCII
)
_PHONE_SEPARATORS = re.compile(r"[\s().\-\u00a0]")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


# --- addresses ------------------------------------------------------------------------------


def normalize_email(text: str) -> str:
    """The address as it will be used (domain in lower case), or a located refusal."""
    value = (text or "").strip()
    if not value:
        raise _invalid("email", gettext("Give the e-mail address the updates should go to."))
    if len(value) > 254:
        raise _invalid("email", gettext("An e-mail address has at most 254 characters."))
    try:
        validate_email(value)
    except ValidationError:
        raise _invalid(
            "email", gettext("This is not an e-mail address; it looks like name@example.kg.")
        ) from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_phone(text: str) -> str:
    """A Kyrgyz mobile number in E.164 (``+996700123456``), however it was typed
    (``0700 12-34-56``, ``996 700 123456``, ``00996…``), or a located refusal.

    Only Kyrgyz mobile numbers: the commission's SMS gateway is a national operator's.
    """
    raw = _PHONE_SEPARATORS.sub("", (text or "").strip())
    if not raw:
        raise _invalid("phone", gettext("Give the mobile number the updates should go to."))
    international = raw.startswith(("+", "00"))
    digits = raw[1:] if raw.startswith("+") else raw[2:] if raw.startswith("00") else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 15:
        raise _invalid(
            "phone", gettext("A mobile number has digits only, with an optional + in front.")
        )
    if international or (len(digits) == 12 and digits.startswith("996")):
        if not digits.startswith("996"):
            raise _invalid(
                "phone", gettext("Only Kyrgyz mobile numbers (+996) can receive these SMS.")
            )
        national = digits[3:]
    elif len(digits) == 10 and digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not KG_MOBILE.fullmatch(national):
        raise _invalid(
            "phone",
            gettext(
                "This is not a Kyrgyz mobile number: +996 and nine digits, as +996 700 123 456."
            ),
        )
    return f"+996{national}"


def address_hash(channel: str, address: str) -> str:
    """A keyed hash of a normalised address: how a subscription is found by its address
    (and rate-limited) without the address being searchable in the database or cache."""
    message = f"portal.subscription|{channel}|{address.lower()}".encode()
    return hmac.new(ledger.pepper(), message, hashlib.sha256).hexdigest()


def _invalid(where: str, why: str) -> InvalidInput:
    return InvalidInput("invalid_subscription", why, problems=[Problem(where, why)])


def scrub(error: BaseException, address: str) -> str:
    """An error's kind and text with the address (and anything shaped like one) taken out:
    SMTP refusals quote the recipient, and this text goes to logs and the delivery log."""
    text = f"{type(error).__name__}: {error}"
    if address:
        text = re.sub(re.escape(address), "[address]", text, flags=re.IGNORECASE)
        digits = address.lstrip("+")
        if digits.isdigit():
            text = text.replace(digits, "[address]").replace(digits[3:], "[address]")
    text = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "[address]", text)
    text = re.sub(r"\+?\d[\d ()-]{7,}\d", "[number]", text)
    return text[:200]


# --- what a reader follows ------------------------------------------------------------------


def station_key(number: int) -> str:
    return f"results:station:{number}"


def region_key(code: str) -> str:
    return f"results:region:{code}"


def turnout_key(region_code: str | None) -> str:
    return f"turnout:region:{region_code}" if region_code else "turnout:country"


def region_name(region: Region | None) -> str:
    """The region's name in the active language; the country when there is none."""
    if region is None:
        return gettext("Kyrgyz Republic")
    lang = translation.get_language() or ""
    return {"ky": region.name_ky, "en": region.name_en}.get(lang[:2], "") or region.name_ru


def describe(subscription: Subscription) -> str:
    """What the subscription follows, in the active language (pages and messages)."""
    if subscription.topic == Topic.STATION_RESULTS and subscription.station is not None:
        what = gettext("results of polling station №%(number)s") % {
            "number": subscription.station.number
        }
    elif subscription.topic == Topic.REGION_RESULTS:
        what = gettext("results in %(region)s") % {"region": region_name(subscription.region)}
    else:
        what = gettext("turnout in %(place)s") % {"place": region_name(subscription.region)}
    return f"{what} · {election_title(subscription.election)}"


def election_title(election: Election) -> str:
    """The election's name in the active language where the catalogue of names has one."""
    return str(election.name)


# --- signing up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignUp:
    """A sign-up as typed: the service checks every field and says where each is wrong."""

    topic: str
    channel: str
    email: str = ""
    phone: str = ""
    station: str = ""
    region: str = ""
    #: The election's code; empty for the current election.
    election: str = ""
    language: str = ""


@dataclass(frozen=True)
class SignUpAnswer:
    """What the page says next: check the inbox (e-mail), or type the code at ``code_ref``.

    The answer is the same whether the address was new or already subscribed, so the form
    never tells a stranger who follows what.
    """

    channel: str
    code_ref: str = ""


class SignUpThrottled(Refusal):
    """Too many confirmations to one address today: nothing was sent."""

    http_status = 429
    default_code = "throttled"

    def __init__(self, wait: float | None) -> None:
        super().__init__(
            "throttled",
            gettext(
                "Too many confirmation messages went to this address today. "
                "Please try again tomorrow."
            ),
        )
        self.wait = wait


class AddressThrottle(SimpleRateThrottle):
    """The ``subscribe_address`` rate (``SHAILOO_SUBSCRIBE_ADDRESS_RATE``), per keyed hash of
    an address: confirmations to one inbox or phone, whoever asks for them."""

    scope = "subscribe_address"

    def __init__(self, ident: str) -> None:
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


@dataclass(frozen=True)
class _Checked:
    election: Election
    topic: str
    station: PollingStation | None
    region: Region | None
    key: str
    channel: str
    address: str
    language: str


def _check_station(text: str, problems: list[Problem]) -> PollingStation | None:
    wanted = (text or "").strip().lstrip("№").strip()
    if not wanted:
        problems.append(Problem("station", gettext("Give the polling station's number.")))
        return None
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 9):
        problems.append(Problem("station", gettext("A polling station number is a whole number.")))
        return None
    station = PollingStation.objects.select_related("region").filter(number=int(wanted)).first()
    if station is None:
        problems.append(
            Problem(
                "station",
                gettext("There is no polling station №%(number)s.") % {"number": int(wanted)},
            )
        )
    return station


def _check_region(text: str, required: bool, problems: list[Problem]) -> Region | None:
    code = (text or "").strip()
    if not code:
        if required:
            problems.append(Problem("region", gettext("Choose a region.")))
        return None
    region = Region.objects.filter(code=code[:8]).first() if len(code) <= 8 else None
    if region is None:
        problems.append(Problem("region", gettext("There is no such region.")))
    return region


def check(request: SignUp) -> _Checked:
    """Every field of a sign-up checked, or one refusal naming each field that is wrong."""
    election = election_named(request.election.strip()[:50] or None)
    problems: list[Problem] = []
    station = region = None
    if request.topic == Topic.STATION_RESULTS:
        station = _check_station(request.station, problems)
    elif request.topic in (Topic.REGION_RESULTS, Topic.TURNOUT):
        required = request.topic == Topic.REGION_RESULTS
        region = _check_region(request.region, required, problems)
    else:
        problems.append(Problem("topic", gettext("Choose what to follow.")))
    address = ""
    try:
        if request.channel == Channel.EMAIL:
            address = normalize_email(request.email)
        elif request.channel == Channel.SMS:
            address = normalize_phone(request.phone)
        else:
            problems.append(Problem("channel", gettext("Choose e-mail or SMS.")))
    except InvalidInput as refusal:
        problems.extend(refusal.problems)
    if problems:
        raise InvalidInput(
            "invalid_subscription", gettext("Please correct the details:"), problems=problems
        )
    if station is not None:
        key = station_key(station.number)
    elif request.topic == Topic.REGION_RESULTS:
        assert region is not None
        key = region_key(region.code)
    else:
        key = turnout_key(region.code if region else None)
    language = request.language[:2] if request.language[:2] in LANGUAGES else ""
    return _Checked(
        election,
        request.topic,
        station,
        region,
        key,
        request.channel,
        address,
        language or settings.LANGUAGE_CODE,
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code_hash(ref: str, code: str) -> str:
    """Keyed: six digits hashed without a key would be read back from a dump in a second."""
    message = f"portal.subscription.code|{ref}|{code}".encode()
    return hmac.new(ledger.pepper(), message, hashlib.sha256).hexdigest()


def subscribe(
    request: SignUp, *, now: datetime | None = None, gateway: SmsGateway | None = None
) -> SignUpAnswer:
    """Record a sign-up and send its confirmation: a link by e-mail, a code by SMS.

    An address already confirmed for this topic gets nothing (the answer looks the same);
    one still unconfirmed gets a fresh link or code, which replaces the old one. Refused
    with the fields at fault (:class:`InvalidInput`), with :class:`SignUpThrottled` past the
    per-address rate, or :class:`Unavailable` when the confirmation could not be sent (then
    nothing is kept).
    """
    checked = check(request)
    now = now or timezone.now()
    hashed = address_hash(checked.channel, checked.address)
    same = Subscription.objects.filter(
        election=checked.election,
        topic_key=checked.key,
        channel=checked.channel,
        address_hash=hashed,
    )
    existing = same.first()
    if existing is not None and existing.confirmed_at is not None:
        decoy = secrets.token_urlsafe(16) if checked.channel == Channel.SMS else ""
        return SignUpAnswer(checked.channel, decoy)
    throttle = AddressThrottle(hashed)
    if not throttle.allow_request(None, None):
        raise SignUpThrottled(throttle.wait())
    if checked.channel == Channel.EMAIL:
        secret, code_ref = secrets.token_urlsafe(32), ""
        confirm_hash = _sha256(secret)
    else:
        secret, code_ref = f"{secrets.randbelow(10**6):06d}", secrets.token_urlsafe(16)
        confirm_hash = _code_hash(code_ref, secret)
    fields = {
        "confirm_hash": confirm_hash,
        "code_ref": code_ref,
        "code_attempts": 0,
        "confirmation_sent_at": now,
        "language": checked.language,
    }
    created = existing is None
    try:
        with transaction.atomic():
            if existing is None:
                existing = Subscription.objects.create(
                    election=checked.election,
                    topic=checked.topic,
                    station=checked.station,
                    region=checked.region,
                    topic_key=checked.key,
                    channel=checked.channel,
                    address=checked.address,
                    address_hash=hashed,
                    unsubscribe_token=secrets.token_urlsafe(32),
                    created_at=now,
                    **fields,
                )
            else:
                same.filter(confirmed_at__isnull=True).update(**fields)
                existing.refresh_from_db()
    except IntegrityError:  # the same sign-up sent twice at once: the first one stands
        return SignUpAnswer(checked.channel, secrets.token_urlsafe(16) if code_ref else "")
    try:
        with translation.override(checked.language):
            _send_confirmation(existing, secret, gateway)
    except Exception as exc:
        log.warning(
            "confirmation of subscription %s (%s) not sent: %s",
            existing.pk,
            existing.channel,
            scrub(exc, checked.address),
        )
        if created:
            existing.delete()
        raise Unavailable(
            "not_sent",
            gettext("The confirmation could not be sent just now. Please try again later."),
        ) from None
    log.info(
        "subscription %s (%s, %s): confirmation sent", existing.pk, checked.channel, checked.key
    )
    return SignUpAnswer(checked.channel, code_ref)


def public_url(path: str) -> str:
    """An absolute link on the public portal (``SHAILOO_PUBLIC_URL``)."""
    return f"{settings.PUBLIC_URL}{path}"


def unsubscribe_link(subscription: Subscription) -> str:
    return public_url(reverse("subscriptions:unsubscribe", args=[subscription.unsubscribe_token]))


def _send_confirmation(subscription: Subscription, secret: str, gateway: SmsGateway | None) -> None:
    what = describe(subscription)
    hours = CONFIRM_HOURS
    if subscription.channel == Channel.SMS:
        text = gettext(
            "%(code)s is your code to confirm SMS updates: %(what)s. It is valid for %(hours)s "
            "hours. If you did not ask for them, ignore this message."
        ) % {"code": secret, "what": what, "hours": hours}
        (gateway or sms_gateway()).send(subscription.address, text)
        return
    link = public_url(reverse("subscriptions:confirm", args=[secret]))
    body = "\n".join(
        [
            gettext("Someone, probably you, asked for e-mail updates: %(what)s.") % {"what": what},
            "",
            gettext("To confirm, open this link within %(hours)s hours:") % {"hours": hours},
            link,
            "",
            gettext(
                "If you did not ask for them, ignore this message: nothing more will be sent "
                "and the request is deleted."
            ),
            "",
            "-- ",
            gettext("Central Election Commission of the Kyrgyz Republic"),
        ]
    )
    message = mail.EmailMessage(
        gettext("Confirm your subscription"),
        body,
        None,
        [subscription.address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()


def _expired(subscription: Subscription, now: datetime) -> bool:
    return subscription.confirmation_sent_at < now - timedelta(hours=CONFIRM_HOURS)


def pending_by_token(token: str, *, now: datetime | None = None) -> Subscription | None:
    """The unconfirmed e-mail subscription a confirmation link names, while it is valid."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    found = (
        Subscription.objects.select_related("election", "station", "region")
        .filter(confirm_hash=_sha256(token), code_ref="", confirmed_at__isnull=True)
        .first()
    )
    if found is None or _expired(found, now or timezone.now()):
        return None
    return found


def confirm_email(token: str, *, now: datetime | None = None) -> Subscription:
    """Confirm the subscription of an e-mail link (valid for :data:`CONFIRM_HOURS`)."""
    now = now or timezone.now()
    found = pending_by_token(token, now=now)
    if found is None:
        raise NotFound(
            "confirmation_not_found",
            gettext(
                "This confirmation link is no longer valid: it was used already, or more "
                "than 48 hours have passed. Please sign up again."
            ),
        )
    return _confirm(found, now)


def _confirm(subscription: Subscription, now: datetime) -> Subscription:
    subscription.confirmed_at = now
    subscription.confirm_hash = ""
    subscription.code_ref = ""
    subscription.save(update_fields=["confirmed_at", "confirm_hash", "code_ref"])
    log.info("subscription %s (%s) confirmed", subscription.pk, subscription.channel)
    return subscription


def confirm_code(ref: str, code: str, *, now: datetime | None = None) -> Subscription:
    """Confirm an SMS subscription with its six-digit code; after :data:`MAX_CODE_ATTEMPTS`
    wrong codes the request is deleted (a new sign-up sends a new code)."""
    now = now or timezone.now()
    typed = (code or "").strip().replace(" ", "")
    if not (typed.isascii() and typed.isdigit() and len(typed) == 6):
        raise _invalid("code", gettext("The code has six digits."))
    wrong = InvalidInput(
        "wrong_code",
        gettext("The code is wrong or has expired."),
        problems=[Problem("code", gettext("The code is wrong or has expired."))],
    )
    if not _TOKEN.fullmatch(ref or ""):
        raise wrong
    with transaction.atomic():
        found = (
            Subscription.objects.select_for_update()
            .filter(code_ref=ref, confirmed_at__isnull=True)
            .first()
        )
        if found is None or _expired(found, now):
            raise wrong
        if hmac.compare_digest(found.confirm_hash, _code_hash(ref, typed)):
            return _confirm(found, now)
        found.code_attempts += 1
        if found.code_attempts >= MAX_CODE_ATTEMPTS:
            found.delete()
            cancelled = True
        else:
            found.save(update_fields=["code_attempts"])
            cancelled = False
    if cancelled:
        log.info("subscription request cancelled after %s wrong codes", MAX_CODE_ATTEMPTS)
        why = gettext(
            "Too many wrong codes: the request is cancelled. Sign up again for a new code."
        )
        raise InvalidInput("too_many_codes", why, problems=[Problem("code", why)])
    raise wrong


def by_unsubscribe_token(token: str) -> Subscription | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    return (
        Subscription.objects.select_related("election", "station", "region")
        .filter(unsubscribe_token=token)
        .first()
    )


def unsubscribe(token: str) -> str | None:
    """Delete the subscription an unsubscribe link names; what it followed (in the active
    language), or None when there is none (already unsubscribed: nothing to do)."""
    found = by_unsubscribe_token(token)
    if found is None:
        return None
    what = describe(found)
    pk = found.pk
    found.delete()
    log.info("subscription %s unsubscribed", pk)
    return what


# --- retention ------------------------------------------------------------------------------


def purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the subscriptions left unconfirmed for :data:`CONFIRM_HOURS`; how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=CONFIRM_HOURS)
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=cutoff
    ).delete()
    if deleted:
        log.info("%s unconfirmed subscriptions purged", deleted)
    return deleted
