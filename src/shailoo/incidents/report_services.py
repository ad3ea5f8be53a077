"""What observers and candidates' agents see of the reports they filed signed in.

An observer or agent files through the staff intake page (``incidents:new``); the case keeps
them as ``filed_by`` (:func:`shailoo.incidents.services.open_case` stores the signed-in user,
so a username that equals a system actor's name picks up nothing of that actor's). They are
not members of a group, so they never see the case itself — its description, the complainant,
the handlers' notes, evidence — only what follows it: reference, category, station, status,
deadline, the outcome and the summary written for the public.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.incidents.models import Case, CaseAppeal

#: The doors a signed-in person files through (``views_staff.intake_source``). A username
#: that happens to equal a system actor's name (``public``, ``demo``) must not pick up the
#: public form's or the platform's own cases, so only these doors count as one's own.
SIGNED_IN_DOORS: tuple[str, ...] = ("observer", "agent", "hotline", "staff")


def my_reports(user: Any) -> QuerySet[Case]:
    """The cases ``user`` filed signed in, newest first, each annotated ``under_appeal``
    (an appeal against its decision is pending); refused without ``incidents.report``."""
    require(user, Permission.INCIDENTS_REPORT)
    pending = CaseAppeal.objects.filter(case=OuterRef("pk"), outcome=CaseAppeal.Outcome.PENDING)
    return (
        Case.objects.filter(filed_by=user, source__in=SIGNED_IN_DOORS)
        .select_related("station")
        .prefetch_related("decisions")
        .annotate(under_appeal=Exists(pending))
        .order_by("-received_at", "-pk")
    )
