"""Staff pages for ballot adjudication: the queue, one sheet, its image, the decision.

Every page needs ``counting.ballot_adjudicate``; lists are cut down to the user's territory
and a sheet outside it is refused (403). The sheet image is served by a view that checks the
same permission on that sheet: ballot images never get a public URL. Views only read forms
and call ``counting.services``, which checks the actor again and writes the ledger entry.
"""

from __future__ import annotations

import importlib
import io
import logging
import mimetypes
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.permissions import permission_required, require, scope_filter
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import NotFound, Refusal
from shailoo.counting import services
from shailoo.counting.forms import ContestDecisionForm, SheetInvalidForm
from shailoo.counting.labels import contest_title, option_name, reasons, style_name
from shailoo.counting.models import Adjudication, ContestInterpretation, ScannedSheet
from shailoo.counting.reads import SheetRead

log = logging.getLogger(__name__)
PERMISSION = Permission.BALLOT_ADJUDICATE


def _pending(request: HttpRequest) -> Any:
    sheets = ScannedSheet.objects.filter(state=ScannedSheet.State.PENDING)
    return scope_filter(request.user, PERMISSION, sheets, "station")


@require_GET
@permission_required(PERMISSION)
def queue(request: HttpRequest) -> HttpResponse:
    """Sheets of the user's territory that wait for a person, oldest station first."""
    pending = (
        _pending(request)
        .select_related("election", "station", "style")
        .prefetch_related("style__contests")
    )
    page = Paginator(pending.order_by("election__code", "station__number", "serial"), 100).get_page(
        request.GET.get("page")
    )
    decided = (
        scope_filter(request.user, PERMISSION, Adjudication.objects.all(), "sheet__station")
        .select_related("sheet__station", "contest")
        .prefetch_related("contest__options")
        .order_by("-decided_at", "-pk")[:20]
    )
    rows = [
        {
            "sheet": sheet,
            "style": style_name(sheet.style) if sheet.style is not None else "",
            "reasons": reasons(sheet.reasons),
        }
        for sheet in page.object_list
    ]
    context = {"page": page, "rows": rows, "decided": decision_rows(decided)}
    return render(request, "counting/queue.html", context)


def decision_rows(adjudications: Any) -> list[dict[str, Any]]:
    """Each decision with its contest's title and the names of the options it counted."""
    rows = []
    for a in adjudications:
        contest = a.contest
        names = {o.code: o for o in contest.options.all()} if contest is not None else {}
        rows.append(
            {
                "a": a,
                "contest": contest_title(contest) if contest is not None else "",
                "votes": [
                    option_name(names[code]) if code in names else str(code) for code in a.votes
                ],
            }
        )
    return rows


def _sheet_in_scope(request: HttpRequest, pk: int) -> ScannedSheet:
    sheet = get_object_or_404(
        ScannedSheet.objects.select_related("election", "station", "style"), pk=pk
    )
    require(request.user, PERMISSION, sheet)
    return sheet


def _contest_forms(sheet: ScannedSheet, data: Any = None) -> list[dict[str, Any]]:
    """One block per contest: its read, its fills, and a form where a person must decide."""
    blocks = []
    rows = sheet.contests.select_related("contest").prefetch_related("contest__options")
    for row in rows:
        names = {o.code: o for o in row.contest.options.all()}
        form = None
        if row.needs_decision and not row.decided and sheet.state == ScannedSheet.State.PENDING:
            form = ContestDecisionForm(data, contest=row.contest)
        blocks.append({"row": row, "fills": _fills(row, names), "form": form, "style": ""})
    for style in services.adjudicable_styles(sheet):
        for contest in style.contests.prefetch_related("options").order_by("position"):
            blocks.append(
                {
                    "row": None,
                    "contest": contest,
                    "fills": [],
                    "form": ContestDecisionForm(data, contest=contest, style=style.code),
                    "style": style.code,
                }
            )
    return blocks


def _fills(row: ContestInterpretation, names: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"option": names.get(code), "code": code, "fill": fill, "marked": marked}
        for code, fill, marked in row.fills
    ]


def _render_sheet(
    request: HttpRequest, sheet: ScannedSheet, blocks: list[dict[str, Any]], status: int = 200
) -> HttpResponse:
    focus = request.GET.get("contest") or next(
        (b["row"].contest.code for b in blocks if b["row"] is not None and b["form"] is not None),
        "",
    )
    titles = {b["row"].contest.code: contest_title(b["row"].contest) for b in blocks if b["row"]}
    context = {
        "sheet": sheet,
        "style": style_name(sheet.style) if sheet.style is not None else "",
        "reasons": reasons(sheet.reasons),
        "blocks": blocks,
        "focus": focus,
        "focus_title": titles.get(focus, ""),
        "highlight": _locator() is not None,
        "invalid_form": SheetInvalidForm(
            request.POST if request.method == "POST" and "sheet-reason" in request.POST else None
        ),
        "decisions": decision_rows(
            sheet.decisions.select_related("contest", "decided_by").prefetch_related(
                "contest__options"
            )
        ),
        "pending": sheet.state == ScannedSheet.State.PENDING,
    }
    return render(request, "counting/sheet.html", context, status=status)


@require_GET
@permission_required(PERMISSION)
def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One sheet: the image with the contest highlighted, the fills, the reasons, the forms."""
    sheet = _sheet_in_scope(request, pk)
    return _render_sheet(request, sheet, _contest_forms(sheet))


@require_POST
@permission_required(PERMISSION)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision on a contest of the sheet, or declare the whole sheet invalid."""
    sheet = _sheet_in_scope(request, pk)
    if "sheet-reason" in request.POST:
        invalid = SheetInvalidForm(request.POST)
        if not invalid.is_valid():
            messages.error(request, gettext("Write the reason for declaring the sheet invalid."))
            return _render_sheet(request, sheet, _contest_forms(sheet), status=400)
        call: dict[str, Any] = {
            "decision": "sheet-invalid",
            "reason": invalid.cleaned_data["reason"],
        }
    else:
        blocks = _contest_forms(sheet, request.POST)
        chosen = _submitted(blocks, request.POST)
        if chosen is None or not chosen.is_valid():
            messages.error(request, gettext("Choose a decision and write its reason."))
            return _render_sheet(request, sheet, blocks, status=400)
        data = chosen.cleaned_data
        call = {
            "decision": data["decision"],
            "reason": data["reason"],
            "contest_code": data["contest"],
            "option_codes": data["options"],
            "style_code": data["style"] or None,
        }
    try:
        services.decide(sheet, user=request.user, **call)
    except Refusal as error:
        messages.error(request, error.message)
        return redirect("counting:sheet", pk=sheet.pk)
    messages.success(request, gettext("Decision recorded on the ledger."))
    sheet.refresh_from_db(fields=["state"])
    if sheet.state == ScannedSheet.State.PENDING:
        return redirect("counting:sheet", pk=sheet.pk)
    following = _pending(request).filter(station=sheet.station_id).order_by("serial").first()
    if following is not None:
        return redirect("counting:sheet", pk=following.pk)
    return redirect("counting:queue")


def _submitted(blocks: list[dict[str, Any]], post: Any) -> ContestDecisionForm | None:
    """The one contest form whose fields came in the POST."""
    for block in blocks:
        form: ContestDecisionForm | None = block["form"]
        if form is not None and form.add_prefix("reason") in post:
            return form
    return None


def _locator() -> Any:
    """The OMR engine's contest locator, when the reading engine provides one."""
    try:
        module = importlib.import_module("shailoo.counting.omr")
    except ImportError:
        return None
    return getattr(module, "locate_contest", None)


@require_GET
@permission_required(PERMISSION)
def sheet_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored image of a sheet in scope, with ``?contest=`` drawn in a frame if asked."""
    sheet = _sheet_in_scope(request, pk)
    if not sheet.image_path:
        raise NotFound("image_not_stored", gettext("No image is stored for this sheet."))
    root = services.ballots_root().resolve()
    path = (root.parent / sheet.image_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("image_missing", gettext("The image file of this sheet is missing."))
    contest = request.GET.get("contest", "")
    shown = _prepared(sheet, path, contest)
    if shown is not None:
        response: HttpResponse = HttpResponse(shown, content_type="image/png")
    else:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response = FileResponse(path.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


def _turns(sheet: ScannedSheet) -> int:
    """Degrees the page is turned clockwise in the scan, as the reader found (0 if unknown)."""
    try:
        turned = int(float(sheet.read.get("geometry", {}).get("orientation", 0)))
    except (TypeError, ValueError, AttributeError):
        return 0
    return turned if turned in (90, 180, 270) else 0


def _prepared(sheet: ScannedSheet, path: Path, contest: str) -> bytes | None:
    """The image as the adjudicator needs it: upright, ``contest`` framed in red.

    None when neither applies (the stored file is then served as it is), or the image cannot
    be decoded here.
    """
    turns = _turns(sheet)
    locate = _locator() if contest else None
    if not turns and locate is None:
        return None
    import numpy as np
    from PIL import Image, ImageDraw

    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
    except OSError:
        return None
    if locate is not None:
        try:
            box = locate(
                np.asarray(image.convert("L")),
                services.current_definition(sheet.election),
                SheetRead.from_json(sheet.read),
                contest,
            )
        except Exception:  # LookupError, OpenCV errors: never hide the image from a person
            log.warning("cannot locate contest %s on sheet %s", contest, sheet.pk, exc_info=True)
        else:
            x, y, w, h = (int(v) for v in box)  # the engine's box: left, top, width, height
            line = max(3, image.width // 250)
            ImageDraw.Draw(image).rectangle((x, y, x + w, y + h), outline=(220, 0, 0), width=line)
    if turns:  # the page is turned clockwise: turn it back (PIL's turns are anticlockwise)
        image = image.transpose(
            {
                90: Image.Transpose.ROTATE_90,
                180: Image.Transpose.ROTATE_180,
                270: Image.Transpose.ROTATE_270,
            }[turns]
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
