"""Which pages the accessibility and layout sweeps open, found in the demo's own process.

Run as ``python site_pages.py OUT.json`` with the demo's ``SHAILOO_VAR_DIR``: it walks every
URL pattern of the site (the permission-matrix walk), fills each route's parameters from the
demo's rows (the current election, a station with accepted protocols, its region and TEC,
a candidate, a case of the public register, a fund, a subscription signed up through the
service, ...), asks each URL with Django's test client as a visitor, as a superuser and as a
PEC clerk, and keeps the ones that answer an HTML page. It also signs the two staff users in
(password and second factor, as ``accounts.testing`` does) and writes their session keys, a
voter for the self-check, and the open-data downloads.

Nothing here decides what passes: the browser tests do. A route that takes parameters this
file cannot fill is listed under ``unfilled`` so that the tests can say so.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(TESTS), str(TESTS / "accounts")]

#: Routes that are not pages: leaving the session, admin redirects to a row's public page
#: and the admin's catch-all (a 404 or a redirect for any path).
NOT_PAGES = frozenset({"logout", "admin:logout", "admin:view_on_site", "admin/(?P<url>.*)$"})

#: Routes with a primary key, by the model whose rows they show (the first route prefix that
#: matches wins); the filters pick a row with something to show.
PK_MODELS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("staff/persons/", "register.Person", {"eligible": True}),
    ("staff/corrections/", "register.ListCorrection", {}),
    ("staff/counting/sheets/", "counting.ScannedSheet", {"state": "pending"}),
    ("staff/results/protocols/", "counting_results.Protocol", {"status": "blocked"}),
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
    rows = model.objects.order_by("pk")
    return rows.filter(**filters).first() or rows.first()


def _subscription_tokens(station_number: int) -> dict[str, str]:
    """An e-mail sign-up made through the service; its confirmation link read from the mail
    it sent (the locmem outbox), and its unsubscribe link from the row."""
    from django.core import mail
    from django.test.utils import override_settings

    from shailoo.portal import subscriptions
    from shailoo.portal.models import Subscription

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        try:
            subscriptions.subscribe(
                subscriptions.SignUp(
                    topic="station_results",
                    channel="email",
                    email="a11y-sweep@example.kg",
                    station=str(station_number),
                    language="ky",
                )
            )
        except Exception as error:  # the routes stay unfilled, and the tests say so
            print(f"no subscription for the sweep: {error!r}", file=sys.stderr)
            return {}
        body = "\n".join(m.body for m in mail.outbox)
    link = re.search(r"/subscribe/confirm/([\w-]+)/", body)
    row = Subscription.objects.order_by("-pk").first()
    return {
        "token": link.group(1) if link else "",
        "unsubscribe": row.unsubscribe_token if row else "",
    }


def values() -> dict[str, Any]:
    """Route parameters from the demo's rows, and the rows the tests need by name."""
    from shailoo.candidates.models import Candidate, Party
    from shailoo.counting.models import Contest
    from shailoo.counting.results.models import Protocol
    from shailoo.elections.models import Election
    from shailoo.finance.models import Fund
    from shailoo.incidents.views_public import public_cases

    election = Election.objects.filter(is_current=True).first() or Election.objects.first()
    accepted = Protocol.objects.filter(status="accepted").select_related("station")
    station = accepted.order_by("station__number").first().station
    disputed = Protocol.objects.filter(status="disputed").select_related("station")
    disputed = disputed.order_by("station__number").first()
    contest = Contest.objects.filter(election=election).order_by("position").first()
    case = public_cases().order_by("pk").first()
    fund = Fund.objects.filter(election=election).order_by("pk").first()
    listed = Candidate.objects.filter(election=election, list_position__isnull=False)
    party = Party.objects.filter(pk__in=listed.values("party")).order_by("code").first()
    return {
        "election": election.code,
        "contest": contest.code if contest else None,
        "station": station.number,
        "disputed_station": disputed.station.number if disputed else None,
        "region": station.region.code,
        "tec": station.tec.code,
        "case": case.reference if case else None,
        "fund": fund.account if fund else None,
        "party": party.code if party else None,
        **_subscription_tokens(station.number),
    }


def _admin_rows() -> dict[str, Any]:
    from django.contrib import admin

    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}": model
        for model in admin.site._registry
    }


def urls(found: dict[str, Any], unfilled: list[str]) -> Iterator[tuple[str, str]]:
    """``(route key, URL)`` for every route whose parameters the demo's rows fill."""
    from django.urls import NoReverseMatch, reverse
    from test_accounts_matrix_walk import walk

    admin_models = _admin_rows()
    by_param: dict[str, Callable[[str], Any]] = {
        "code": lambda key: {
            "staff_results:contest": found["contest"],
            "candidates:list": found["party"],
        }.get(key, found["election"]),
        "contest_id": lambda key: found["contest"],
        "number": lambda key: found["station"],
        "region_code": lambda key: found["region"],
        "tec_code": lambda key: found["tec"],
        "reference": lambda key: found["case"],
        "account": lambda key: found["fund"],
        "ref": lambda key: "a11y-sweep-reference",  # any reference shows the same form
        "token": lambda key: found.get("unsubscribe" if "unsubscribe" in key else "token"),
        "app_label": lambda key: "counting_results",
    }
    for route in walk():
        if route.key in NOT_PAGES or route.name is None:
            continue
        kwargs: dict[str, str] = {}
        for param in route.params:
            value: Any = None
            if param == "pk":
                row = next(
                    (
                        _first(label, **filters)
                        for prefix, label, filters in PK_MODELS
                        if route.route.startswith(prefix)
                    ),
                    None,
                )
                value = row.pk if row is not None else None
            elif param == "object_id":
                model = admin_models.get(route.name.rsplit("_", 1)[0])
                row = model.objects.order_by("pk").first() if model else None
                value = row.pk if row is not None else None
            elif param in by_param:
                value = by_param[param](route.key)
            if value in (None, ""):
                break
            kwargs[param] = str(value)
        else:
            try:
                yield route.key, reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                unfilled.append(route.key)
            continue
        unfilled.append(route.key)


def _is_download(url: str, response: Any) -> bool:
    """Open data a reader downloads (CSV, JSON, JSON lines), not the API's answers."""
    kind = response.get("Content-Type", "")
    return not url.startswith(("/api/", "/open311/", "/healthz")) and any(
        t in kind for t in ("text/csv", "application/json", "jsonl", "ndjson")
    )


def _is_page(response: Any) -> bool:
    return response.status_code == 200 and "text/html" in response.get("Content-Type", "")


def main(out: Path) -> None:
    from shailoo.common.cli import django_setup

    django_setup(migrate=False)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from shailoo.accounts.roles import URLS, Open, Role
    from shailoo.accounts.testing import login_verified, make_user
    from shailoo.counting.results.models import Protocol
    from shailoo.geo.models import PollingStation
    from shailoo.register.models import Person

    found = values()
    get_user_model().objects.filter(username__in=("a11y-superuser", "a11y-pec-clerk")).delete()
    superuser = make_user("a11y-superuser", Role.CEC_ADMIN)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    # The PEC clerk of a station whose protocol waits: the pages of the station's own work.
    blocked = Protocol.objects.filter(status="blocked").select_related("station").order_by("pk")
    own: PollingStation = blocked[0].station if blocked else PollingStation.objects.first()
    clerk = make_user("a11y-pec-clerk", Role.PEC_OPERATOR, own)
    clients = {"visitor": Client(), "superuser": Client(), "clerk": Client()}
    login_verified(clients["superuser"], superuser)
    login_verified(clients["clerk"], clerk)
    for client in clients.values():
        client.raise_request_exception = False

    unfilled: list[str] = []
    pages: dict[str, list[dict[str, str]]] = {who: [] for who in clients}
    downloads: list[dict[str, str]] = []
    for who, where in (
        ("visitor", found),
        ("superuser", found),
        ("clerk", {**found, "station": own.number}),
    ):
        for key, url in urls(where, unfilled):
            public = URLS[key] is Open.PUBLIC
            if public != (who == "visitor"):
                continue
            response = clients[who].get(url, headers={"accept-language": "ky"})
            if _is_page(response):
                pages[who].append({"key": key, "url": url})
            elif public and response.status_code == 200 and _is_download(url, response):
                kind = response.get("Content-Type", "").split(";")[0]
                downloads.append({"key": key, "url": url, "type": kind})
    if found["disputed_station"]:  # a station whose protocol was corrected: its history
        from django.urls import reverse

        url = reverse(
            "results:station",
            kwargs={"code": found["election"], "number": found["disputed_station"]},
        )
        pages["visitor"].append({"key": "results:station", "url": url})

    voter = Person.objects.filter(eligible=True, station=own).order_by("pk").first()
    name = settings.SESSION_COOKIE_NAME
    out.write_text(
        json.dumps(
            {
                "pages": pages,
                "downloads": downloads,
                "unfilled": sorted(set(unfilled)),
                "unfilled_public": sorted({k for k in unfilled if URLS[k] is Open.PUBLIC}),
                "values": found,
                "voter": {"pin": voter.pin, "birth_date": voter.birth_date.isoformat()},
                "cookie": name,
                "sessions": {
                    who: clients[who].cookies[name].value for who in ("superuser", "clerk")
                },
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
