"""Staff pages of a nomination's papers: signature sheets verified against the register, and
the documents checklist.

**Signature sheets.** The signer list is uploaded (multipart POST) and written by
:class:`SignerListUpload` straight into a private temporary directory under its own
(sanitised) name — never held in memory, never past :data:`MAX_UPLOAD_BYTES` — then
``signature_services.verify_signatures`` reads it, and the directory is removed whatever
happens. A body announced larger than the bound is refused before a byte of it is read. The
upload handler has to be in place before the body is parsed, and the CSRF check parses it,
so the view is exempt from the middleware's check and runs the same check itself
(``csrf_protect``) once the handler is set: Django's documented pattern. A header that is not
a signer list's, or a file that is no CSV at all, is the reader's located refusal, shown
with the file's name and line.

A verification is then its own page: the counts per reason, the verdict with the law's
threshold and citation, the collectors flagged as anomalous, the sample (seed, size, its 95 %
interval, as written to the ledger entry of the verification) and the first
:data:`FINDINGS_SHOWN` invalid signatures by sheet and line. Staff of the candidate's
territory only; each view of it is written to the personal-data access log.

**Documents.** The checklist is ``services.required_documents`` against what was filed; a
missing document is filed through ``services.add_document``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import permission_required
from shailoo.accounts.roles import Permission
from shailoo.candidates import services
from shailoo.candidates.forms import (
    CHECKLIST_NAMES,
    DocumentForm,
    SignatureUploadForm,
    WithdrawForm,
)
from shailoo.candidates.models import Candidate, SignatureSubmission
from shailoo.candidates.signature_services import SIGNATURES, verify_signatures
from shailoo.candidates.signatures import SUFFICIENT, Reason
from shailoo.candidates.signers_file import COLUMNS
from shailoo.candidates.views import _candidate, may
from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry
from shailoo.integrity.verifier import stored_bytes
from shailoo.register.services import ui_lang

#: The largest signer list the page takes (200 MiB: about three million signatures); a larger
#: one is verified with ``shailoo candidates signatures``.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: Room in a request body for the form's other fields and the multipart framing.
FORM_ALLOWANCE = 64 * 1024
#: Invalid signatures listed on the page (the counts always cover all of them).
FINDINGS_SHOWN = 200
#: Problems of a refused file shown.
PROBLEMS_SHOWN = 50


def reason_label(code: str) -> str:
    """The title of a signature's reason in the page's language (the code when unknown)."""
    labels = {
        "VALID": gettext("valid"),
        "MALFORMED": gettext("row could not be read"),
        "NOT_IN_REGISTER": gettext("not in the voter register"),
        "DEAD": gettext("dead on or before the signing date"),
        "NOT_ELIGIBLE": gettext("not a voter in this election"),
        "MOVED": gettext("moved out of the territory before signing"),
        "WRONG_TERRITORY": gettext("registered outside the territory"),
        "NAME_MISMATCH": gettext("name differs from the register"),
        "SIGNED_FOR_OTHER": gettext("signed for another candidate"),
        "DUPLICATE": gettext("signed twice"),
    }
    return labels.get(code, code)


# -- the upload --------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, kept to letters, digits, ``.-_`` and spaces (the name the
    verification keeps and its problems cite); never a path."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")[:120]
    return base or "signers.csv"


class TooLarge(InvalidInput):
    """A signer list over :data:`MAX_UPLOAD_BYTES` (HTTP 413)."""

    http_status = 413
    default_code = "file_too_large"


def too_large() -> TooLarge:
    mib = MAX_UPLOAD_BYTES // (1024 * 1024)
    return TooLarge(
        "file_too_large",
        gettext(
            "The file is larger than %(mib)s MiB: split the signer list, or verify it with "
            "the command `shailoo candidates signatures`."
        )
        % {"mib": mib},
        problems=[("signers", gettext("at most %(mib)s MiB") % {"mib": mib})],
    )


class StoredUpload(UploadedFile):
    """The uploaded signer list as written to disk by :class:`SignerListUpload`."""

    def __init__(self, path: Path, fh: IO[bytes], content_type: str, size: int) -> None:
        super().__init__(fh, path.name, content_type, size)
        self.path = path

    def temporary_file_path(self) -> str:
        return str(self.path)


class SignerListUpload(FileUploadHandler):
    """Writes the one file of the form to a private temporary directory, under its own name,
    and skips it (stored nothing) once it passes ``limit`` bytes."""

    FIELD = "signers"

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.directory: Path | None = None
        self.too_large = False
        self._path: Path | None = None
        self._out: IO[bytes] | None = None
        self._size = 0
        self._done = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self.FIELD or self._done or self._out is not None:
            raise SkipFile  # one signer list a request; nothing else is stored
        self.directory = Path(tempfile.mkdtemp(prefix="shailoo-signers-"))
        self._path = self.directory / safe_file_name(file_name)
        self._out = self._path.open("xb")
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self._out is None:
            raise SkipFile
        self._size += len(raw_data)
        if self._size > self.limit:
            self.too_large = True
            self._discard()
            raise SkipFile
        self._out.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self._out is None or self._path is None:
            return None
        self._out.flush()
        self._out.seek(0)
        self._done = True
        return StoredUpload(self._path, self._out, self.content_type or "", self._size)

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None

    def cleanup(self) -> None:
        """Close and remove whatever was written (called when the request is answered)."""
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def located(problems: tuple[Problem, ...], name: str) -> list[str]:
    """A refused file's problems as ``name:line: where: why``, naming the file as uploaded
    (never the temporary path it was read from)."""
    return [str(Problem(p.where, p.why, p.line, name)) for p in problems[:PROBLEMS_SHOWN]]


def refusal_message(refusal: Refusal) -> str:
    """The refusal's message; a header that is not a signer list's is said in the page's
    language (the CSV reader, a pure engine, says it in English)."""
    if refusal.code == "csv_header_invalid":
        return gettext(
            "The file is not a signer list: its first line must name the columns %(columns)s."
        ) % {"columns": ",".join(COLUMNS)}
    return refusal.message


def _upload_page(
    request: HttpRequest,
    candidate: Candidate,
    form: SignatureUploadForm,
    refusal: Refusal | None,
    file_name: str,
    status: int,
) -> HttpResponse:
    context = {
        "candidate": candidate,
        "form": form,
        "refusal": refusal,
        "message": refusal_message(refusal) if refusal is not None else "",
        "problems": located(refusal.problems, file_name) if refusal is not None else [],
        "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "candidates/signatures_upload.html", context, status=status)


@csrf_exempt  # checked by _verify once the upload handler is in place (module doc)
@require_http_methods(["GET", "POST"])
@permission_required(Permission.CANDIDATES_DECIDE)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify a candidate's signer list (POST, multipart) against the voter register."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_DECIDE)
    if request.method != "POST":
        return _upload_page(request, candidate, SignatureUploadForm(), None, "", 200)
    if _declared_length(request) > MAX_UPLOAD_BYTES + FORM_ALLOWANCE:
        # Refused before the body is read: nothing is stored, nothing is verified.
        return _upload_page(request, candidate, SignatureUploadForm(), too_large(), "", 413)
    handler = SignerListUpload(request, MAX_UPLOAD_BYTES)
    request.upload_handlers = [handler]
    try:
        return _verify(request, candidate, handler)
    finally:
        handler.cleanup()


@csrf_protect
def _verify(request: HttpRequest, candidate: Candidate, handler: SignerListUpload) -> HttpResponse:
    form = SignatureUploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _upload_page(request, candidate, SignatureUploadForm(), too_large(), "", 413)
    if not form.is_valid():
        return _upload_page(request, candidate, form, None, "", 400)
    stored = cast(StoredUpload, form.cleaned_data["signers"])
    data = form.cleaned_data
    try:
        submission, report = verify_signatures(
            request.user, candidate, stored.path, sample=data["sample"], seed=data["seed"]
        )
    except Refusal as error:
        return _upload_page(request, candidate, form, error, stored.path.name, error.http_status)
    text = gettext("Signatures verified: %(valid)s of %(rows)s valid; %(verdict)s.") % {
        "valid": submission.valid,
        "rows": submission.rows,
        "verdict": verdict_label(submission.verdict),
    }
    (messages.success if report.sufficient else messages.warning)(request, text)
    return redirect("candidates:signatures", pk=submission.pk)


# -- a verification ----------------------------------------------------------------------------


def verdict_label(verdict: str) -> str:
    return gettext("sufficient") if verdict == SUFFICIENT else gettext("insufficient")


def recorded(submission: SignatureSubmission) -> dict[str, Any]:
    """What the ledger entry of the verification says (the sample's interval and invalid
    count, the threshold applied); empty when the entry is missing or not what was written."""
    if submission.ledger_index is None:
        return {}
    entry = LedgerEntry.objects.filter(sequence=submission.ledger_index, kind=SIGNATURES).first()
    if entry is None:
        return {}
    try:
        envelope = safe_json.loads(stored_bytes(entry.data), source="ledger")
    except Refusal:
        return {}
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    if not isinstance(payload, dict) or payload.get("subject") != ledger.ref(submission):
        return {}
    data = payload.get("data")
    return data if isinstance(data, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class SampleView:
    """The sample a verification drew, as recorded."""

    seed: int | None
    size: int | None
    invalid: float | None
    share: float | None
    low: float | None
    high: float | None
    estimated_valid: float | None
    verdict: str


def sample_of(submission: SignatureSubmission, data: dict[str, Any]) -> SampleView | None:
    if submission.sample_size is None:
        return None
    sample = data.get("sample")
    sample = sample if isinstance(sample, dict) else {}
    interval = sample.get("share_interval_95")
    low = high = None
    if isinstance(interval, list) and len(interval) == 2:
        low, high = _number(interval[0]), _number(interval[1])
    verdict = sample.get("verdict")
    return SampleView(
        seed=submission.sample_seed,
        size=submission.sample_size,
        invalid=_number(sample.get("invalid")),
        share=_number(sample.get("invalid_share")),
        low=low,
        high=high,
        estimated_valid=_number(sample.get("estimated_valid")),
        verdict=verdict_label(verdict) if isinstance(verdict, str) else "",
    )


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    """One verification of a candidate's signature sheets, with every count and reason."""
    item = get_object_or_404(
        SignatureSubmission.objects.select_related("candidate__election", "candidate__region"),
        pk=pk,
    )
    candidate = item.candidate
    if not may(request.user, Permission.CANDIDATES_VIEW, candidate):
        raise NotFound("unknown_submission", gettext("No such verification in your territory."))
    record_view(request, item, f"{candidate.ref} signatures {item.pk}")
    lang = ui_lang()
    edition = services.edition_of(candidate.election)
    rules = edition.candidates.signatures
    office = services.office_rules(candidate.election, candidate.office)
    data = recorded(item)
    threshold = _number(data.get("invalid_share_max"))
    if threshold is None:
        threshold = float(rules.invalid_share_max.value)
    counts = item.counts if isinstance(item.counts, dict) else {}
    invalid = max(item.rows - item.valid, 0)
    findings = list(item.findings.order_by("sheet", "line", "pk")[:FINDINGS_SHOWN])
    full_verdict = data.get("full_verdict")
    context = {
        "candidate": candidate,
        "submission": item,
        "counts": [
            (reason.name, reason_label(reason.name), counts.get(reason.name, 0))
            for reason in Reason
        ],
        "invalid": invalid,
        "verdict": verdict_label(item.verdict),
        "invalid_pct": item.invalid_share * 100,
        "sufficient": item.verdict == SUFFICIENT,
        "full_verdict": verdict_label(full_verdict) if isinstance(full_verdict, str) else "",
        "threshold_pct": threshold * 100,
        "threshold_basis": rules.invalid_share_max.citation_in(lang),
        "required": office.signatures_min.value if office.signatures_min else None,
        "required_basis": office.signatures_min.citation_in(lang) if office.signatures_min else "",
        "anomalies": [a for a in item.anomalies or [] if isinstance(a, dict)],
        "sample": sample_of(item, data),
        "findings": [(f, reason_label(f.reason)) for f in findings],
        "findings_kept": item.findings.count(),
        "findings_shown": FINDINGS_SHOWN,
    }
    return render(request, "candidates/signatures.html", context)


# -- documents and the candidate page's forms ---------------------------------------------------


def checklist(candidate: Candidate) -> tuple[list[tuple[str, str, Any]], list[str]]:
    """The documents the law asks of the nomination, each with the one filed (or None), and
    the kinds still missing."""
    try:
        required = services.required_documents(candidate)
        missing = services.missing_documents(candidate)
    except Refusal:  # an office the election's law no longer covers: no checklist to show
        return [], []
    filed = {d.kind: d for d in candidate.documents.order_by("received_on", "pk")}
    return [(kind, str(CHECKLIST_NAMES.get(kind, kind)), filed.get(kind)) for kind in required], (
        missing
    )


def candidate_panels(request: HttpRequest, candidate: Candidate) -> dict[str, Any]:
    """What the candidate page shows of the nomination's papers and its end: the documents
    checklist and its form, the signature upload form, the withdrawal and replacement."""
    lang = ui_lang()
    rows, missing = checklist(candidate)
    nomination = services.edition_of(candidate.election).candidates.nomination
    closed = candidate.status in (Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED)
    return {
        "checklist": rows,
        "missing_documents": [str(CHECKLIST_NAMES.get(k, k)) for k in missing],
        "document_form": DocumentForm(missing=missing),
        "signature_form": SignatureUploadForm(),
        "max_upload_mib": MAX_UPLOAD_BYTES // (1024 * 1024),
        "withdraw_form": WithdrawForm(),
        "may_end": not closed,
        "may_replace": not closed and candidate.party_id is not None,
        "withdrawal_days": nomination.withdrawal_days_before.value,
        "withdrawal_basis": nomination.withdrawal_days_before.citation_in(lang),
        "replacement_days": nomination.replacement_days_before.value,
        "replacement_basis": nomination.replacement_days_before.citation_in(lang),
    }


@require_POST
@permission_required(Permission.CANDIDATES_NOMINATE)
def file_document(request: HttpRequest, pk: int) -> HttpResponse:
    """File one more document of the checklist, with its number and the day received."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_NOMINATE)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("candidates:candidate", pk=pk)
    data = form.cleaned_data
    try:
        services.add_document(
            request.user, candidate, data["kind"], data["number"], data["received_on"]
        )
    except Refusal as error:
        text = error.message
        if error.citation:
            text = f"{text} {gettext('Basis')}: {error.citation}"
        messages.error(request, text)
    else:
        name = CHECKLIST_NAMES.get(data["kind"], data["kind"])
        messages.success(request, gettext("Document filed: %(name)s.") % {"name": name})
    return redirect("candidates:candidate", pk=pk)
