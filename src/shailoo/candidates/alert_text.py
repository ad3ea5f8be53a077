"""The alerts the candidates domain raises, as staff read them on a case
(``incidents.alert_text`` finds this module and calls the renderer registered here).

``participants: a foreign participant`` is raised when a representative, trusted person or
observer is refused as a foreign citizen or a stateless person. Its subject is the
participant's record, so the page names the person, the role and each reason in the reader's
language with the law it applies, and links the person and whom they were put forward for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.candidates.models import Candidate, Participant, Party
from shailoo.candidates.views_participants import reason_rows, role_title
from shailoo.incidents.alert_text import AlertView, Item, evidence_items, register
from shailoo.incidents.forms import ALERT_LABELS, label
from shailoo.incidents.models import Case
from shailoo.register.services import ui_lang

#: The evidence of ``candidates.foreign_participant`` named here, not by the generic reader.
OWN_KEYS = frozenset({"for_candidate", "for_party"})
PARTICIPANT_LABELS: dict[str, Any] = {
    "participant": _("Participant"),
    "role": _("Role"),
    "for": _("Put forward for"),
}


def participant_of(subject: str) -> Participant | None:
    """The participant an alert's subject (``candidates.participant:<pk>``) names."""
    model, _colon, pk = subject.rpartition(":")
    if model != "candidates.participant" or not pk.isdigit():
        return None
    return (
        Participant.objects.select_related("election", "for_candidate", "for_party")
        .filter(pk=int(pk))
        .first()
    )


def _for_item(evidence: Mapping[str, Any], participant: Participant | None) -> Item | None:
    """Whom the participant was put forward for: the candidate by name (linked) or the party."""
    name = str(PARTICIPANT_LABELS["for"])
    candidate = participant.for_candidate if participant is not None else None
    party = participant.for_party if participant is not None else None
    if candidate is None and str(evidence.get("for_candidate", "-")) not in ("", "-"):
        candidate = Candidate.objects.filter(
            ref=str(evidence["for_candidate"]),
            **({"election": participant.election} if participant is not None else {}),
        ).first()
    if party is None and str(evidence.get("for_party", "-")) not in ("", "-"):
        party = Party.objects.filter(code=str(evidence["for_party"])).first()
    if candidate is not None:
        url = reverse("candidates:candidate", kwargs={"pk": candidate.pk})
        return Item(name, f"{candidate.full_name} ({candidate.ref})", url, "for_candidate")
    if party is not None:
        return Item(name, party.name, "", "for_party")
    return None


@register("candidates")
def render(case: Case, evidence: Mapping[str, Any]) -> AlertView | None:
    """A refused foreign participant: who, in which role, why (with the law), for whom."""
    if case.alert_kind != "candidates.foreign_participant":
        return None
    lang = ui_lang()
    participant = participant_of(case.alert_subject)
    items: list[Item] = []
    sentence = ""
    if participant is not None:
        role = role_title(participant.role, lang)
        url = reverse("candidates:participant", kwargs={"pk": participant.pk})
        items.append(
            Item(
                str(PARTICIPANT_LABELS["participant"]),
                f"{participant.full_name} ({participant.ref})",
                url,
                "participant",
            )
        )
        items.append(Item(str(PARTICIPANT_LABELS["role"]), role, "", "role"))
        reasons = [r for r in reason_rows(participant, lang) if r.outcome == "refused"]
        for reason in reasons:
            text = f"{reason.rule}: {reason.text}"
            if reason.citation:
                text = f"{text} ({reason.citation})"
            items.append(Item(gettext("Reason"), text, "", reason.code))
        sentence = gettext("%(role)s refused registration") % {"role": role}
    found = _for_item(evidence, participant)
    if found is not None:
        items.append(found)
    items.extend(evidence_items(evidence, skip=OWN_KEYS))
    return AlertView(label(ALERT_LABELS, case.alert_kind), sentence, items)
