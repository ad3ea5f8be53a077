"""Pages of the subscriptions: sign up, type the SMS code, confirm by link, unsubscribe.

Thin: the form is parsed here, every rule is in ``portal.subscriptions``. Sign-ups and codes
are rate-limited per client (``subscribe``, the way the self-check is), confirmations per
address inside the service. A link from a message is never acted on by a GET alone (mail
scanners open links): confirming and unsubscribing take a button, except the RFC 8058
one-click POST a mail client sends to the unsubscribe link, which needs no CSRF token (the
unguessable token in the link is the authority, and unsubscribing is all it can do).
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from shailoo.common.refusals import InvalidInput, Refusal
from shailoo.elections.services import election_named
from shailoo.geo.models import Region
from shailoo.portal import subscriptions
from shailoo.portal.models import Channel, Topic


class SubscribeThrottle(SimpleRateThrottle):
    """The ``subscribe`` rate (``SHAILOO_SUBSCRIBE_RATE``) per client address: sign-ups and
    codes typed, so that one client cannot walk a list of addresses or guess codes."""

    scope = "subscribe"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SubscribeForm(forms.Form):
    """What to follow and where to send it; the service checks each value and says where."""

    topic = forms.ChoiceField(
        label=_("What to follow"),
        choices=Topic.choices,
        initial=Topic.STATION_RESULTS,
        widget=forms.RadioSelect,
    )
    station = forms.CharField(
        label=_("Polling station number"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=8)
    channel = forms.ChoiceField(
        label=_("Send updates by"),
        choices=Channel.choices,
        initial=Channel.EMAIL,
        widget=forms.RadioSelect,
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=32,
        help_text=_("A Kyrgyz mobile number, such as +996 700 123 456."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    election = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.order_by("code")
        choices = [("", _("The whole country (turnout only)"))]
        choices += [(r.code, subscriptions.region_name(r)) for r in regions]
        self.fields["region"].widget = forms.Select(choices=choices)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _prefill(query: Any) -> dict[str, Any]:
    """``?station=N``, ``?region=CODE``, ``?topic=turnout`` (and ``?election=CODE``) from the
    results and turnout pages' links."""
    initial: dict[str, Any] = {}
    station = query.get("station", "").strip()[:12]
    region = query.get("region", "").strip()[:8]
    topic = query.get("topic", "").strip()[:20]
    if station:
        initial.update(topic=Topic.STATION_RESULTS, station=station)
    if region:
        initial.update(topic=Topic.REGION_RESULTS, region=region)
    if topic in Topic.values:
        initial["topic"] = topic
    election = query.get("election", "").strip()[:50]
    if election:
        initial["election"] = election
    return initial


def _too_many(request: HttpRequest, template: str, context: dict[str, Any], wait: Any) -> Any:
    context["throttled"] = True
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait))) if wait is not None else "60"
    return response


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The sign-up form (prefilled from the query), and the sign-up itself."""
    template = "portal/subscribe.html"
    try:
        election = election_named(
            (request.POST if request.method == "POST" else request.GET).get("election", "")[:50]
            or None
        )
    except Refusal as refusal:
        return render(request, template, {"refusal": refusal}, status=refusal.http_status)
    if request.method == "GET":
        form = SubscribeForm(initial={"election": election.code, **_prefill(request.GET)})
        return render(request, template, {"form": form, "election": election})
    form = SubscribeForm(request.POST)
    context: dict[str, Any] = {"form": form, "election": election}
    throttle = SubscribeThrottle()
    if not throttle.allow_request(request, None):
        return _too_many(request, template, context, throttle.wait())
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    try:
        answer = subscriptions.subscribe(
            subscriptions.SignUp(
                topic=data["topic"],
                channel=data["channel"],
                email=data["email"],
                phone=data["phone"],
                station=data["station"],
                region=data["region"],
                election=election.code,
                language=translation.get_language() or "",
            )
        )
    except InvalidInput as refusal:
        for problem in refusal.problems:
            form.add_error(problem.where if problem.where in form.fields else None, problem.why)
        return render(request, template, context, status=400)
    except subscriptions.SignUpThrottled as refusal:
        context["refusal"] = refusal
        return _too_many(request, template, context, refusal.wait)
    except Refusal as refusal:
        context["refusal"] = refusal
        return render(request, template, context, status=refusal.http_status)
    if answer.channel == Channel.SMS:
        return redirect("subscriptions:code", ref=answer.code_ref)
    return redirect("subscriptions:sent")


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """After an e-mail sign-up: look for the confirmation link."""
    return render(request, "portal/subscribe_sent.html")


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest, ref: str) -> HttpResponse:
    """Type the SMS code. The page looks the same for any reference, so it tells nobody
    whether a number signed up."""
    template = "portal/subscribe_code.html"
    if request.method == "GET":
        return render(request, template, {"form": CodeForm(), "ref": ref})
    form = CodeForm(request.POST)
    context: dict[str, Any] = {"form": form, "ref": ref}
    throttle = SubscribeThrottle()
    if not throttle.allow_request(request, None):
        return _too_many(request, template, context, throttle.wait())
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        confirmed = subscriptions.confirm_code(ref, form.cleaned_data["code"])
    except InvalidInput as refusal:
        for problem in refusal.problems:
            form.add_error("code", problem.why)
        return render(request, template, context, status=400)
    what = subscriptions.describe(confirmed)
    return render(request, "portal/subscribe_confirm.html", {"confirmed": True, "what": what})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail link: a button that confirms (a GET changes nothing)."""
    template = "portal/subscribe_confirm.html"
    if request.method == "GET":
        pending = subscriptions.pending_by_token(token)
        if pending is None:
            return render(request, template, {"invalid": True}, status=404)
        context = {"token": token, "what": subscriptions.describe(pending)}
        return render(request, template, context)
    try:
        confirmed = subscriptions.confirm_email(token)
    except Refusal as refusal:
        return render(
            request, template, {"invalid": True, "refusal": refusal}, status=refusal.http_status
        )
    what = subscriptions.describe(confirmed)
    return render(request, template, {"confirmed": True, "what": what})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link would stop, and a button; POST (the button, or a mail client's
    RFC 8058 ``List-Unsubscribe=One-Click``): stop it. Repeating the POST is harmless."""
    template = "portal/subscribe_unsubscribe.html"
    if request.method == "GET":
        found = subscriptions.by_unsubscribe_token(token)
        if found is None:
            return render(request, template, {"gone": True}, status=404)
        return render(request, template, {"token": token, "what": subscriptions.describe(found)})
    what = subscriptions.unsubscribe(token)
    return render(request, template, {"done": True, "what": what})
