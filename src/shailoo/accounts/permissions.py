"""Permission checks for services, views and the API, all decided by ``accounts.roles``.

Services call :func:`require` with the actor (see :mod:`shailoo.common.actors`) and the
object acted on, and it raises :class:`~shailoo.common.refusals.PermissionRefused`; views use
:func:`permission_required`; DRF views use :func:`permission_class`. Each asks the same
question of the same matrix: does one of the user's active role assignments grant this
permission over the object's territory? Anything else is refused (deny by default).

A web request must also have passed the second factor: the OTP middleware marks the user
``is_verified()``; a user object without that mark (a request that bypassed the middleware)
counts as unverified in views. Services called outside a request (the CLI) check the role
and scope alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from shailoo.accounts.roles import Grant, Permission, Place, Scope, allowed, grants_permission
from shailoo.common.actors import is_system
from shailoo.common.refusals import PermissionRefused
from shailoo.geo.models import District, PollingStation, Region, TerritorialCommission

View = Callable[..., HttpResponse]
_GRANTS = "_shailoo_grants"


def grants_of(user: Any) -> tuple[Grant, ...]:
    """The user's active assignments (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    if not getattr(user, "is_active", False):
        return ()
    cached = getattr(user, _GRANTS, None)
    if cached is None:
        from shailoo.accounts.models import RoleAssignment

        cached = tuple(a.grant() for a in RoleAssignment.objects.active().filter(user=user))
        setattr(user, _GRANTS, cached)
    return cached


def forget(user: Any) -> None:
    """Drop the cached assignments, after granting or revoking a role."""
    if hasattr(user, _GRANTS):
        delattr(user, _GRANTS)


def is_verified(user: Any) -> bool:
    """Whether the request's user passed the second factor (False when nobody checked)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def _station_place(station: PollingStation) -> Place:
    return Place(station.region_id, station.tec_id, station.pk)


def places_of(obj: object) -> list[Place]:
    """Where ``obj`` lies. A person lies at the home station and at a remote-voting one.

    Geography is placed directly; any other object through its ``station`` and
    ``remote_station`` or its ``person``. An object with none of these is a programming
    error (TypeError), never silently allowed.
    """
    if isinstance(obj, PollingStation):
        return [_station_place(obj)]
    if isinstance(obj, TerritorialCommission):
        return [Place(obj.region_id, obj.pk, None)]
    if isinstance(obj, Region):
        return [Place(obj.pk)]
    if isinstance(obj, District):
        return [Place(obj.region_id)]
    if hasattr(obj, "station"):
        stations = [obj.station, getattr(obj, "remote_station", None)]
        return [_station_place(s) for s in stations if s is not None]
    if hasattr(obj, "person"):
        person = obj.person
        return [] if person is None else places_of(person)
    raise TypeError(f"no territory is known for {type(obj).__name__}")


def has_permission(user: Any, permission: Permission, scope_object: object = None) -> bool:
    """Whether ``user`` may use ``permission`` (over ``scope_object``, when given)."""
    if getattr(user, "is_verified", None) is not None and not is_verified(user):
        return False
    grants = grants_of(user)
    if not grants:
        return False
    places: Sequence[Place] | None = None if scope_object is None else places_of(scope_object)
    return allowed(grants, permission, places)


def require(
    actor: Any, permission: Permission, scope_object: object = None, message: str = ""
) -> None:
    """The one permission check of services, views, the API and the CLI.

    A named system actor (a non-empty string such as ``"cli"``) runs with the operator's
    shell access and passes; an active user passes when one of their role assignments grants
    ``permission`` over ``scope_object``'s territory. Anyone and anything else — an empty
    name, an anonymous or inactive user, a device key (devices are checked by the use case
    that knows their station) — is refused with :class:`PermissionRefused` (deny by default).
    """
    if is_system(actor):
        return
    if (
        not isinstance(actor, str)
        and getattr(actor, "is_active", False)
        and has_permission(actor, permission, scope_object)
    ):
        return
    raise PermissionRefused(
        "forbidden", message or gettext("Your role does not allow this here."), citation=""
    )


def scope_filter(
    user: Any, permission: Permission, queryset: QuerySet[Any], *station_paths: str
) -> QuerySet[Any]:
    """``queryset`` cut down to rows whose station (at any of ``station_paths``) is in scope.

    ``""`` as a path means the rows are polling stations themselves. Rows with no station
    stay visible only to country-wide assignments.
    """
    if not has_permission(user, permission):
        return queryset.none()
    condition = Q(pk__in=[])
    for grant in grants_of(user):
        if not grants_permission(grant, permission):
            continue
        if grant.scope is Scope.COUNTRY:
            return queryset
        for path in station_paths or ("",):
            prefix = f"{path}__" if path else ""
            if grant.scope is Scope.REGION:
                condition |= Q(**{f"{prefix}region": grant.region_id})
            elif grant.scope is Scope.TEC:
                condition |= Q(**{f"{prefix}tec": grant.tec_id})
            else:
                condition |= Q(**{path or "pk": grant.station_id})
    return queryset.filter(condition)


# -- views ---------------------------------------------------------------------------------


def permission_required(permission: Permission) -> Callable[[View], View]:
    """Page decorator: login (password and TOTP) first, then the permission, else 403.

    The object-level scope check stays in the view or service, which knows the object.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or not is_verified(user):
                return redirect_to_login(request.get_full_path())
            if not has_permission(user, permission):
                raise PermissionRefused("forbidden", gettext("Your role does not allow this here."))
            return view(request, *args, **kwargs)

        wrapper.shailoo_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


# -- API -----------------------------------------------------------------------------------


class DenyAll(BasePermission):
    """The API's default: an endpoint that names no permission is closed."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class RolePermission(BasePermission):
    """Base of :func:`permission_class`: authenticated, second factor passed, role grants."""

    permission: Permission

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user is not None
            and user.is_authenticated
            and is_verified(user)
            and has_permission(user, self.permission)
        )


def permission_class(permission: Permission) -> type[BasePermission]:
    """A DRF permission class for ``permission`` (object scope is checked in the view)."""
    name = "Has" + "".join(part.title() for part in permission.name.split("_"))
    return type(name, (RolePermission,), {"permission": permission})
