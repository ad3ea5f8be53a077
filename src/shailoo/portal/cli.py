"""``shailoo portal``: the public portal's background work — readers' subscriptions.

``send-notifications`` sends the result and turnout updates waiting in the outbox (run it
from a timer, or with ``--every``); ``purge-subscriptions`` deletes unconfirmed sign-ups
past 48 hours and old delivery-log rows; ``subscriptions`` counts what there is. None of
them prints an address.

Exit codes: 0 done; 2 bad input.
"""

from __future__ import annotations

import time

import typer
from rich.table import Table

from shailoo.common.cli import console, django_setup

app = typer.Typer(
    help="The public portal: readers' subscriptions to results and turnout.",
    no_args_is_help=True,
)


@app.command("send-notifications")
def send_notifications(
    limit: int = typer.Option(
        1000, "--limit", min=1, max=100_000, help="At most this many notices and messages a run"
    ),
    every: int = typer.Option(
        0, "--every", min=0, max=3600, help="Run again every N seconds until stopped (0: once)"
    ),
) -> None:
    """Send the waiting updates to confirmed subscribers: once each, retried with backoff."""
    django_setup()
    from shailoo.portal import subscription_sending

    while True:
        report = subscription_sending.send_notifications(limit=limit)
        console.print(report.line(), highlight=False)
        if not every:
            return
        time.sleep(every)


@app.command("purge-subscriptions")
def purge_subscriptions(
    log_days: int = typer.Option(
        90, "--log-days", min=1, max=3650, help="Keep the delivery log this many days"
    ),
) -> None:
    """Delete sign-ups left unconfirmed for 48 hours, and delivery-log rows past --log-days."""
    django_setup()
    from shailoo.portal import subscription_sending, subscriptions

    unconfirmed = subscriptions.purge_unconfirmed()
    rows = subscription_sending.purge_delivery_log(log_days)
    console.print(
        f"{unconfirmed} unconfirmed subscriptions deleted, {rows} delivery-log rows deleted",
        highlight=False,
    )


@app.command("subscriptions")
def subscriptions_summary() -> None:
    """Subscriptions by topic kind and channel (confirmed and waiting), deliveries by status."""
    django_setup()
    from django.db.models import Count, Q

    from shailoo.portal.models import Delivery, Subscription

    table = Table("topic", "channel", "confirmed", "unconfirmed")
    rows = (
        Subscription.objects.values("topic", "channel")
        .annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        .order_by("topic", "channel")
    )
    for row in rows:
        table.add_row(row["topic"], row["channel"], str(row["confirmed"]), str(row["waiting"]))
    console.print(table)
    statuses = Delivery.objects.values("status").annotate(n=Count("pk")).order_by("status")
    deliveries = Table("delivery status", "messages")
    for row in statuses:
        deliveries.add_row(row["status"], str(row["n"]))
    console.print(deliveries)
