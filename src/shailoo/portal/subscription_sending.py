"""Subscriptions, the sending side: the outbox written after the commission's commits, and
the sender that turns it into messages.

Accepting a protocol or publishing turnout sends a signal once its own transaction has
committed (``counting.results.decisions.protocol_accepted``,
``polling.turnout.turnout_published``); the receivers here only write :class:`Notice` rows,
and only for topics someone confirmed, so the commission's work is never slowed or failed by
a mail server. :func:`send_notifications` (``shailoo portal send-notifications``) turns each
notice into one :class:`Delivery` per confirmed subscriber and sends what is due, with the
figures as they are at sending time, in each reader's language.

Re-running it sends nothing twice: a delivery is claimed (a conditional update) before it is
sent; a subscriber with a message still waiting gets no second one for the same topic (the
waiting one carries the newest figures); and a delivery whose sender stopped mid-way is
marked ``unknown`` rather than sent again — one missed update is better than a duplicate to
a reader who may pay for SMS. A failure is retried after 1, 2, 4, 8 and 16 minutes, then
given up; the delivery log (the :class:`Delivery` rows) keeps channel, status, attempts and
the error with the address taken out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core import mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from shailoo.counting.results import aggregation
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.incidents.notify import SmsGateway, sms_gateway
from shailoo.polling.models import TurnoutPublication
from shailoo.portal.models import Channel, Delivery, Notice, Subscription, Topic
from shailoo.portal.subscriptions import (
    describe,
    election_title,
    public_url,
    region_key,
    region_name,
    scrub,
    station_key,
    turnout_key,
    unsubscribe_link,
)

log = logging.getLogger("shailoo.portal.subscriptions")

#: Tries of one delivery before it is given up; waits double from :data:`FIRST_RETRY`.
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
#: A delivery claimed longer ago than this by a sender that never finished is not resent.
STALE_CLAIM = timedelta(minutes=15)
#: Options of each contest an SMS names (the leaders); the e-mail names every option.
SMS_OPTIONS = 3


# --- the outbox -----------------------------------------------------------------------------


def queue(
    election_id: int, keys: Iterable[str], source: str, *, now: datetime | None = None
) -> int:
    """Write a notice for each topic in ``keys`` that a confirmed subscriber follows (once per
    ``source``: a repeated signal changes nothing); how many were written."""
    keys = list(dict.fromkeys(keys))
    followed = set(
        Subscription.objects.filter(
            election_id=election_id, topic_key__in=keys, confirmed_at__isnull=False
        )
        .values_list("topic_key", flat=True)
        .distinct()
    )
    now = now or timezone.now()
    notices = [
        Notice(election_id=election_id, topic_key=key, source=source, created_at=now)
        for key in keys
        if key in followed
    ]
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)


def on_protocol_accepted(sender: Any, *, protocol: Any, decision: Any, **kwargs: Any) -> None:
    """Receiver of ``counting.results.decisions.protocol_accepted`` (after the commit): the
    results of the station and of its region changed."""
    number, region = PollingStation.objects.values_list("number", "region__code").get(
        pk=protocol.station_id
    )
    queue(
        protocol.election_id, [station_key(number), region_key(region)], f"decision:{decision.pk}"
    )


def on_turnout_published(sender: Any, *, publication: Any, **kwargs: Any) -> None:
    """Receiver of ``polling.turnout.turnout_published`` (after the commit): turnout of the
    country and of every region is out for a new reporting time."""
    regions = sorted((publication.figures or {}).get("regions", {}))
    keys = [turnout_key(None), *(turnout_key(code) for code in regions)]
    queue(publication.election_id, keys, f"turnout:{publication.pk}")


# --- sending --------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What one run of the sender did (counts only: the delivery log has the rest)."""

    notices: int = 0
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    unknown: int = 0

    def line(self) -> str:
        return (
            f"notices {self.notices}, queued {self.queued}, sent {self.sent}, "
            f"retrying {self.retrying}, failed {self.failed}, dropped {self.dropped}, "
            f"unknown {self.unknown}"
        )


def send_notifications(
    *,
    now: datetime | None = None,
    gateway: SmsGateway | None = None,
    limit: int = 1000,
) -> SendReport:
    """Turn waiting notices into deliveries and send what is due (at most ``limit`` of each).

    Idempotent: run it as often as you like (a timer, ``--every``); a message is sent at
    most once. A failed delivery is tried again after 1, 2, 4, 8 and 16 minutes, then given
    up (``failed``); every outcome is in the delivery log, never the address.
    """
    now = now or timezone.now()
    report = SendReport()
    report.unknown = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Delivery.Status.UNKNOWN)
    _expand(now, limit, report)
    _send_due(now, gateway, limit, report)
    return report


def _expand(now: datetime, limit: int, report: SendReport) -> None:
    waiting = Notice.objects.filter(expanded_at__isnull=True).order_by("created_at", "pk")
    for notice in list(waiting[:limit]):
        with transaction.atomic():
            if not Notice.objects.filter(pk=notice.pk, expanded_at__isnull=True).update(
                expanded_at=now
            ):
                continue  # another sender took it
            followers = Subscription.objects.filter(
                election_id=notice.election_id,
                topic_key=notice.topic_key,
                confirmed_at__isnull=False,
            )
            # A subscriber whose message about this topic is still waiting gets that one
            # (written with the figures as they are when it goes), not a second.
            already = set(
                Delivery.objects.filter(
                    status=Delivery.Status.PENDING, subscription__in=followers
                ).values_list("subscription_id", flat=True)
            )
            rows = [
                Delivery(
                    notice=notice,
                    subscription_id=pk,
                    channel=channel,
                    next_attempt_at=now,
                    created_at=now,
                )
                for pk, channel in followers.values_list("pk", "channel")
                if pk not in already
            ]
            Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        report.notices += 1
        report.queued += len(rows)


@dataclass
class Content:
    """A message's figures in one language, shared by every subscriber of the topic."""

    subject: str
    lines: list[str]
    short: str
    link: str


@dataclass
class _Composer:
    """Each topic's content composed once per run and language."""

    done: dict[tuple[int, str, str], Content | None] = field(default_factory=dict)

    def content(self, subscription: Subscription) -> Content | None:
        key = (subscription.election_id, subscription.topic_key, subscription.language)
        if key not in self.done:
            with translation.override(subscription.language):
                self.done[key] = compose(subscription)
        return self.done[key]


def _send_due(now: datetime, gateway: SmsGateway | None, limit: int, report: SendReport) -> None:
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return
    composer = _Composer()
    # One SMTP session for the run (opened at the first e-mail, reopened after a failure).
    connection = mail.get_connection()
    sms = gateway
    try:
        for pk in due:
            claimed = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
            if not claimed:
                continue  # another sender has it
            delivery = Delivery.objects.select_related(
                "subscription__election", "subscription__station", "subscription__region"
            ).get(pk=pk)
            subscription = delivery.subscription
            if subscription is None or subscription.confirmed_at is None:
                _finish(delivery, status=Delivery.Status.DROPPED)
                report.dropped += 1
                continue
            try:
                content = composer.content(subscription)
                if content is None:  # nothing to say any more (a protocol disputed since)
                    _finish(delivery, status=Delivery.Status.DROPPED)
                    report.dropped += 1
                    continue
                with translation.override(subscription.language):
                    if subscription.channel == Channel.SMS:
                        sms = sms or sms_gateway()
                        sms.send(subscription.address, sms_text(content, subscription))
                    else:
                        connection.open()
                        email_message(content, subscription, connection).send()
            except Exception as exc:
                if subscription.channel == Channel.EMAIL:
                    connection.close()  # a broken session is not reused
                _failed(delivery, subscription, exc, now, report)
                continue
            _finish(delivery, status=Delivery.Status.SENT, sent_at=now)
            Subscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
            report.sent += 1
            log.info(
                "delivery %s (%s, subscription %s, %s): sent",
                delivery.pk,
                delivery.channel,
                subscription.pk,
                subscription.topic_key,
            )
    finally:
        connection.close()


def _finish(delivery: Delivery, **fields: Any) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _failed(
    delivery: Delivery,
    subscription: Subscription,
    error: Exception,
    now: datetime,
    report: SendReport,
) -> None:
    why = scrub(error, subscription.address)
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, status=Delivery.Status.FAILED, last_error=why)
        report.failed += 1
        outcome = "given up"
    else:
        wait = FIRST_RETRY * 2 ** (delivery.attempts - 1)
        _finish(
            delivery, status=Delivery.Status.PENDING, last_error=why, next_attempt_at=now + wait
        )
        report.retrying += 1
        outcome = f"retry in {int(wait.total_seconds())} s"
    log.warning(
        "delivery %s (%s, subscription %s) attempt %s failed, %s: %s",
        delivery.pk,
        delivery.channel,
        subscription.pk,
        delivery.attempts,
        outcome,
        why,
    )


# --- the messages ---------------------------------------------------------------------------


def number(value: int | Decimal, decimals: int = 0) -> str:
    """A figure as the reader's language writes it (121 089; 54,55 in Kyrgyz and Russian)."""
    return formats.number_format(
        value, decimal_pos=decimals or None, use_l10n=True, force_grouping=True
    )


def _results_link(election: Election, subscription: Subscription) -> str:
    if subscription.station is not None:
        return reverse("results:station", args=[election.code, subscription.station.number])
    if subscription.region is not None:
        try:  # the region's own page, where the results pages have one
            return reverse("results:region", args=[election.code, subscription.region.code])
        except NoReverseMatch:
            pass
    return reverse("results:election", args=[election.code])


def compose(subscription: Subscription) -> Content | None:
    """The topic's figures now, in the active language; None when there is nothing to say
    (no accepted protocol any more, no turnout published)."""
    if subscription.topic == Topic.TURNOUT:
        return _turnout_content(subscription)
    return _results_content(subscription)


def _stations(subscription: Subscription) -> QuerySet[PollingStation]:
    if subscription.station is not None:
        return PollingStation.objects.filter(pk=subscription.station_id)
    return PollingStation.objects.filter(region_id=subscription.region_id)


def _results_content(subscription: Subscription) -> Content | None:
    election = subscription.election
    stations = _stations(subscription)
    found = aggregation.results(election, stations)
    if not found:
        return None
    names = "ky" if (translation.get_language() or "")[:2] == "ky" else "ru"
    labels = aggregation.option_labels(election, names)
    titles = aggregation.contest_titles(election, names)
    total, _ = aggregation.status_counts(election, stations, level="region")
    if subscription.station is not None:
        title = gettext("Results at polling station №%(number)s") % {
            "number": subscription.station.number
        }
    else:
        title = gettext("Results in %(region)s") % {"region": region_name(subscription.region)}
    lines = [
        title,
        election_title(election),
        gettext("Accepted protocols: %(accepted)s of %(expected)s")
        % {"accepted": number(total.accepted), "expected": number(total.expected)},
    ]
    short: list[str] = [f"{title}:"]
    for contest_id, contest in found.items():
        tally = contest.country  # the sum over the subscription's stations
        order = labels.get(contest_id, {})
        lines += ["", titles.get(contest_id, contest_id)]
        rows = tally.rows(order)
        for option, votes, share in rows:
            lines.append(f"  {order.get(option, option)}: {number(votes)} ({number(share, 2)} %)")
        leaders = sorted(rows, key=lambda row: -row[1])[:SMS_OPTIONS]
        short.append(
            ", ".join(f"{order.get(o, o)} {number(v)} ({number(s, 2)} %)" for o, v, s in leaders)
        )
    link = public_url(_results_link(election, subscription))
    return Content(f"{title} · {election_title(election)}", lines, " ".join(short), link)


def _turnout_content(subscription: Subscription) -> Content | None:
    election = subscription.election
    latest = TurnoutPublication.objects.filter(election=election).order_by("-as_of").first()
    if latest is None:
        return None
    figures = latest.figures or {}
    if subscription.region is None:
        figure = figures.get("country")
    else:
        figure = figures.get("regions", {}).get(subscription.region.code)
    if not figure:
        return None
    clock = timezone.localtime(latest.as_of).strftime("%H:%M")
    place = region_name(subscription.region)
    title = gettext("Turnout at %(time)s: %(place)s") % {"time": clock, "place": place}
    voted = gettext("Voted: %(voted)s of %(listed)s") % {
        "voted": number(int(figure.get("voted", 0))),
        "listed": number(int(figure.get("listed", 0))),
    }
    share = figure.get("turnout")
    turnout = (
        f"{gettext('Turnout')}: {number(Decimal(str(share)), 2)} %" if share is not None else ""
    )
    lines = [title, election_title(election), voted, *([turnout] if turnout else [])]
    link = public_url(f"{reverse('polling:public')}?election={election.code}")
    short = f"{title}. {turnout or voted}."
    return Content(f"{title} · {election_title(election)}", lines, short, link)


def email_message(
    content: Content, subscription: Subscription, connection: Any = None
) -> mail.EmailMessage:
    """The update by e-mail, with RFC 8058 one-click unsubscribe headers (the mail server
    must sign them with DKIM for mailbox providers to show the button)."""
    unsubscribe_url = unsubscribe_link(subscription)
    body = "\n".join(
        [
            *content.lines,
            "",
            gettext("More: %(link)s") % {"link": content.link},
            "",
            "-- ",
            gettext("You get this message because this address subscribed to %(what)s.")
            % {"what": describe(subscription)},
            gettext("Unsubscribe with one click: %(link)s") % {"link": unsubscribe_url},
        ]
    )
    return mail.EmailMessage(
        content.subject,
        body,
        None,
        [subscription.address],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def sms_text(content: Content, subscription: Subscription) -> str:
    """The update by SMS: the figures, the link, and how to stop."""
    stop = gettext("Stop: %(link)s") % {"link": unsubscribe_link(subscription)}
    return f"{content.short} {content.link} {stop}"


FINAL = (
    Delivery.Status.SENT,
    Delivery.Status.FAILED,
    Delivery.Status.DROPPED,
    Delivery.Status.UNKNOWN,
)


def purge_delivery_log(days: int, *, now: datetime | None = None) -> int:
    """Delete finished deliveries and spent notices older than ``days``; how many rows."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deliveries, _ = Delivery.objects.filter(status__in=FINAL, created_at__lt=cutoff).delete()
    notices, _ = Notice.objects.filter(expanded_at__lt=cutoff, deliveries__isnull=True).delete()
    return deliveries + notices
