"""Every URL pattern, for every role, answers as the one permission matrix says.

The walk reads the real URL configuration (admin, API, staff and portal pages, and whatever
is added later): a pattern missing from ``accounts.roles.URLS`` fails the test, and so does
a matrix entry that no longer matches a pattern. Each pattern is requested as each role
(logged in with password and TOTP), as an anonymous visitor, and as a CEC administrator
who passed only the password step; "denied" means 401/403 or a redirect to a login page that
would come back to the same URL.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import factories as f
from shailoo.accounts.roles import ROLES, URLS, Agency, Grant, Role, Scope, url_allowed
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register.models import ListCorrection

pytestmark = pytest.mark.django_db

MISSING = "999999"


@dataclass(frozen=True)
class Route:
    key: str  # the matrix key: namespaced name, or the route of an unnamed pattern
    name: str | None
    route: str
    params: tuple[str, ...]


def _params(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def walk(patterns: list[Any] | None = None, namespace: str = "", prefix: str = "") -> list[Route]:
    """Every URL pattern under ``patterns`` (the root URLconf by default), recursively."""
    found: list[Route] = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else namespace or ns
            found += walk(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            found.append(Route(name or route, name, route, tuple(_params(entry.pattern))))
    return found


def test_walk_sees_every_kind_of_pattern() -> None:
    keys = {r.key for r in walk()}
    assert {"register:person", "api-person-eligibility", "admin:index", "login"} <= keys
    assert "admin/(?P<url>.*)$" in keys  # unnamed patterns are keyed by their route
    assert "admin/register/person/<path:object_id>/" in keys


def test_every_url_pattern_is_in_the_matrix_and_nothing_else() -> None:
    keys = {r.key for r in walk()}
    assert sorted(keys - set(URLS)) == [], "unmapped URL patterns: add them to accounts.roles"
    assert sorted(set(URLS) - keys) == [], "matrix entries without a URL pattern"


@pytest.fixture
def world() -> dict[str, Any]:
    f.election("kg-2025", datetime.date(2099, 3, 14))
    station = f.station(101)
    person = f.person(station)
    correction = ListCorrection.objects.create(
        pin=person.pin,
        person=person,
        kind="missing",
        details="x",
        requested_at=timezone.now(),
        due_by="2099-01-01",
    )
    return {"station": station, "person": person, "correction": correction}


def _value(route: Route, param: str, world: dict[str, Any]) -> str:
    if param == "pk":
        target = world["correction"] if "correction" in route.key else world["person"]
        return str(target.pk)
    samples = {
        "number": str(world["station"].number),
        "pin": world["person"].pin,
        "app_label": "register",
        "url": "no-such-page/",
    }
    return samples.get(param, MISSING)


def url_of(route: Route, world: dict[str, Any]) -> str:
    """A concrete URL for ``route``, its parameters filled with objects of ``world``."""
    values = {p: _value(route, p, world) for p in route.params}
    if route.name:
        url = reverse(route.name, kwargs=values)
    else:
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route.route)
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], url).rstrip("$")
    if route.name == "admin:autocomplete":
        url += "?app_label=accounts&model_name=roleassignment&field_name=user"
    return url


LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


def is_denied(response: Any, url: str) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code in (301, 302):
        target = urlparse(response["Location"])
        return target.path in LOGIN_PAGES and parse_qs(target.query).get("next") == [url]
    return False


def _territory(role: Role, world: dict[str, Any]) -> Any:
    scope = sorted(ROLES[role].scopes)[0]
    station = world["station"]
    return {
        Scope.COUNTRY: None,
        Scope.REGION: station.region,
        Scope.TEC: station.tec,
        Scope.STATION: station,
    }[scope]


CASES = [*(r.value for r in Role), "password-only"]


@pytest.mark.parametrize("case", CASES)
def test_every_url_answers_as_the_matrix_says(case: str, world: dict[str, Any]) -> None:
    client = Client()
    grants: list[Grant] = []
    user = None
    signed_in = case not in ("public", "password-only")
    if case != "public":
        role = Role.CEC_ADMIN if case == "password-only" else Role(case)
        agency = Agency.POLICE.value if ROLES[role].agency else ""
        territory = _territory(role, world)
        user = make_user(f"u-{case}", role, territory, agency=agency)
        grants = [a.grant() for a in user.role_assignments.all()]

    def sign_in() -> None:
        if user is None:
            return
        if signed_in:
            login_verified(client, user)
        else:
            client.force_login(user)

    sign_in()
    mismatches = []
    for route in walk():
        url = url_of(route, world)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code < 500, (route.key, url, response.status_code)
        allowed = not is_denied(response, url)
        expected = url_allowed(URLS[route.key], grants, signed_in=signed_in)
        if allowed != expected:
            mismatches.append((route.key, url, response.status_code, expected))
        if route.key in ("logout", "admin:logout"):
            sign_in()
    assert mismatches == [], f"{case}: (url, status, expected allowed) {mismatches}"
