"""The personal-data access log: every staff view of a person's record leaves a row."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest

from shailoo.accounts.models import PersonalDataAccess


def view_name(request: HttpRequest, default: str) -> str:
    """The URL name that served ``request`` (``namespace:name``), or ``default``."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None and match.view_name else default)[:120]


def record_view(
    request: HttpRequest, subject: Model, label: str, view: str = ""
) -> PersonalDataAccess:
    """Log that ``request.user`` viewed ``subject``; ``label`` must not be a full identifier.

    Called after the permission and scope checks passed, before the record is shown.
    """
    user = request.user
    meta = subject._meta
    return PersonalDataAccess.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "anonymous",
        subject_type=f"{meta.app_label}.{meta.model_name}",
        subject_id=subject.pk,
        subject_label=label[:100],
        view=view or view_name(request, "unknown"),
        ip=request.META.get("REMOTE_ADDR") or None,
    )
