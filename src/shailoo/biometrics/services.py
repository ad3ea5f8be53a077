"""Use cases of biometric templates: enrolment, the station gallery, identification, verification.

Enrolment checks the actor's permission over the person's territory, stores every template
sealed at rest and writes one ledger entry naming the person by reference and each template by
its SHA-256, all in one transaction. Identification and verification load templates only into
the matcher (``shailoo.biometrics.identification``) and log every decision without a template
in it. Templates never leave this module other than into the matcher.

Settings read here (with defaults until the lead adds them to ``settings.py``):

- ``BIOMETRICS_THRESHOLDS``: the operating point, a dict of
  :class:`~shailoo.biometrics.identification.IdentificationThresholds` fields
  (``target_fpir`` 1e-3, ``verify_fmr`` 1e-4, ``ambiguity_margin`` 1.0, ``max_candidates`` 10);
- ``BIOMETRICS_FINGER_CALIBRATION``: path of a matcher calibration JSON (default: the one the
  matcher ships);
- ``BIOMETRICS_FACE_CALIBRATIONS``: ``{model id: calibration JSON path}`` replacing the
  shipped ones; a face embedding counts only when its model has a calibration;
- ``BIOMETRICS_FACE_MODEL``: the embedding model galleries hold (default: the first found);
- ``BIOMETRICS_GALLERY_CACHE_SIZE``: stations kept in memory (default 8);
- ``BIOMETRICS_LOG_CANDIDATES``: candidates written per decision (default 5).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.iso19794 import FingerRecord, TemplateError
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.biometrics.models import BiometricEnrolment, BiometricTemplate, IdentificationLog
from shailoo.common.actors import Actor, actor_name, user_of
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.register.models import Person

if TYPE_CHECKING:  # the matcher (numba) loads on first identification, not on enrolment
    from shailoo.biometrics.calibration import ScoreCalibration
    from shailoo.biometrics.identification import Gallery, IdentificationThresholds

ENROL_ENTRY = "biometrics.enrolment"
# Template kinds and log modes as plain strings (the model's choices hold the same values).
FINGER_ISO, FINGER_ANSI, EMBEDDING = "finger_iso", "finger_ansi", "embedding"
IDENTIFY, VERIFY = "identify", "verify"
_CODECS = {FINGER_ISO: iso19794, FINGER_ANSI: ansi378}


@dataclass(frozen=True, slots=True)
class Capture:
    """A template as a capture device delivered it: its format and its bytes."""

    kind: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Probe:
    """What a station captured from the voter in front of it."""

    fingers: dict[int, FingerTemplate]
    face: EmbeddingTemplate | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A logged identification or verification: the decision, candidates and the log row."""

    decision: str
    candidates: list[tuple[int, float]]
    person: Person | None
    log: IdentificationLog


# -- enrolment ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    kind: str
    finger: int | None
    model_id: str
    quality: int
    minutiae: int
    data: bytes


def _split_record(kind: str, data: bytes, index: int) -> list[_Row]:
    """A finger record as one row per finger view, each re-encoded losslessly on its own."""
    codec = _CODECS[kind]
    try:
        record = codec.decode(data)
    except TemplateError as exc:
        raise InvalidInput(
            "template_invalid",
            gettext("Template %(n)d (%(kind)s) is malformed: %(problem)s")
            % {"n": index + 1, "kind": kind, "problem": exc},
        ) from exc
    rows = []
    for view in record.views:
        single = FingerRecord(
            record.width,
            record.height,
            record.x_resolution,
            record.y_resolution,
            (view,),
            record.certification,
            record.device_type,
            record.product,
        )
        raw = data if len(record.views) == 1 else codec.encode(single)
        rows.append(_Row(kind, view.finger, "", view.quality, len(view.minutiae), raw))
    return rows


def _rows_of(templates: Sequence[Capture | FingerTemplate | EmbeddingTemplate]) -> list[_Row]:
    rows: list[_Row] = []
    for i, item in enumerate(templates):
        if isinstance(item, FingerTemplate):
            try:
                data = iso19794.to_bytes([item])
            except ValueError as exc:
                raise InvalidInput(
                    "template_invalid",
                    gettext("Template %(n)d (finger) cannot be stored: %(problem)s")
                    % {"n": i + 1, "problem": exc},
                ) from exc
            rows.extend(_split_record(FINGER_ISO, data, i))
        elif isinstance(item, EmbeddingTemplate):
            rows.append(_Row(EMBEDDING, None, item.model_id, 0, 0, item.to_bytes()))
        elif item.kind in _CODECS:
            rows.extend(_split_record(item.kind, bytes(item.data), i))
        elif item.kind == EMBEDDING:
            try:
                emb = EmbeddingTemplate.from_bytes(item.data)
            except TemplateError as exc:
                raise InvalidInput(
                    "template_invalid",
                    gettext("Template %(n)d (embedding) is malformed: %(problem)s")
                    % {"n": i + 1, "problem": exc},
                ) from exc
            rows.append(_Row(EMBEDDING, None, emb.model_id, 0, 0, bytes(item.data)))
        else:
            raise Refusal(
                "template_kind", gettext("Unknown template kind %(kind)s") % {"kind": item.kind}
            )
    if not rows:
        raise InvalidInput("no_templates", gettext("An enrolment needs at least one template."))
    fingers = [r.finger for r in rows if r.finger is not None]
    if len(fingers) != len(set(fingers)):
        raise InvalidInput(
            "finger_twice", gettext("A finger position appears twice in one enrolment.")
        )
    models = [r.model_id for r in rows if r.kind == EMBEDDING]
    if len(models) != len(set(models)):
        raise InvalidInput("embedding_twice", gettext("Two embeddings of one model were given."))
    return rows


def enrol(
    person: Person,
    templates: Sequence[Capture | FingerTemplate | EmbeddingTemplate],
    actor: Actor,
    *,
    device_key: str = "",
    captured_at: datetime.datetime | None = None,
) -> BiometricEnrolment:
    """Store a capture session's templates for ``person``, superseding earlier enrolments.

    Needs ``biometrics.enrol`` over the person's territory. Malformed templates are refused
    before anything is written (:class:`InvalidInput` ``template_invalid`` naming the template, byte
    offset and reason). ``captured_at`` is the kit's capture time when it reports one.
    """
    require(actor, Permission.BIOMETRIC_ENROL, person)
    rows = _rows_of(templates)
    with transaction.atomic():
        previous = list(
            BiometricEnrolment.objects.select_for_update()
            .filter(person=person, active=True)
            .values_list("pk", flat=True)
        )
        BiometricEnrolment.objects.filter(pk__in=previous).update(active=False)
        enrolment = BiometricEnrolment.objects.create(
            person=person,
            captured_at=captured_at or timezone.now(),
            captured_by=actor_name(actor),
            device_key=device_key[:64],
        )
        stored = BiometricTemplate.objects.bulk_create(
            BiometricTemplate(
                enrolment=enrolment,
                kind=row.kind,
                finger=row.finger,
                model_id=row.model_id,
                quality=row.quality,
                minutiae=row.minutiae,
                sha256=hashlib.sha256(row.data).hexdigest(),
                data=row.data,
            )
            for row in rows
        )
        ledger.record(
            ENROL_ENTRY,
            actor=actor_name(actor),
            subject=ledger.ref(enrolment),
            data={
                "person": ledger.ref(person),
                "pin_ref": ledger.pin_ref(person.pin),
                "device_key": enrolment.device_key,
                "superseded": previous,
                "templates": [
                    {"kind": t.kind, "finger": t.finger, "model_id": t.model_id, "sha256": t.sha256}
                    for t in stored
                ],
            },
        )
        transaction.on_commit(forget_galleries)
    return enrolment


def decode_stored(template: BiometricTemplate) -> FingerTemplate | EmbeddingTemplate:
    """The matcher's view of a stored template (opened by the encrypted field)."""
    data = bytes(template.data)
    if template.kind == EMBEDDING:
        return EmbeddingTemplate.from_bytes(data)
    (finger,) = _CODECS[template.kind].from_bytes(data)
    return finger


# -- the station gallery -----------------------------------------------------------------------


def voters_at(station: PollingStation) -> QuerySet[Person]:
    """Persons on ``station``'s list on polling day: home voters and remote-station voters."""
    return Person.objects.filter(
        Q(station=station, remote_station__isnull=True) | Q(remote_station=station),
        eligible=True,
    )


def _active_templates(station: PollingStation) -> QuerySet[BiometricTemplate]:
    return BiometricTemplate.objects.filter(
        enrolment__active=True, enrolment__person__in=voters_at(station)
    )


def _stamp(station: PollingStation) -> tuple[Any, ...]:
    """Cheap fingerprint of the station's enrolled templates: any change makes a new stamp,
    so a gallery cached by another process's enrolment is never used stale."""
    agg = _active_templates(station).aggregate(
        n=Count("pk"), last=Max("pk"), persons=Sum("enrolment__person_id")
    )
    return (agg["n"], agg["last"], agg["persons"])


def _person_templates(person: Person) -> QuerySet[BiometricTemplate]:
    return BiometricTemplate.objects.filter(enrolment__active=True, enrolment__person=person)


def _entries_of(
    templates: QuerySet[BiometricTemplate],
) -> Iterable[tuple[str, dict[int, FingerTemplate], EmbeddingTemplate | None]]:
    """Gallery entries ``(person id, fingers, face)`` from stored templates, decoded."""
    people: dict[int, tuple[dict[int, FingerTemplate], list[EmbeddingTemplate]]] = {}
    query = templates.select_related("enrolment").order_by("enrolment__person_id", "pk")
    for template in query.iterator(chunk_size=2000):
        fingers, faces = people.setdefault(template.enrolment.person_id, ({}, []))
        value = decode_stored(template)
        if isinstance(value, EmbeddingTemplate):
            faces.append(value)
        elif template.finger is not None:
            fingers[template.finger] = value
    model = face_model()
    for person_id, (fingers, faces) in people.items():
        face = next((f for f in faces if model is None or f.model_id == model), None)
        yield str(person_id), fingers, face


def face_model() -> str | None:
    """The embedding model galleries use (``BIOMETRICS_FACE_MODEL``; None: the first found)."""
    return getattr(settings, "BIOMETRICS_FACE_MODEL", None)


class _GalleryCache:
    """Station galleries by station id, least recently used dropped first; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: OrderedDict[int, tuple[tuple[Any, ...], Gallery, int]] = OrderedDict()

    def get(self, station_id: int, stamp: tuple[Any, ...]) -> tuple[Gallery, int] | None:
        with self.lock:
            hit = self.items.get(station_id)
            if hit is None or hit[0] != stamp:
                return None
            self.items.move_to_end(station_id)
            return hit[1], hit[2]

    def put(self, station_id: int, stamp: tuple[Any, ...], gallery: Gallery, size: int) -> None:
        limit = max(int(getattr(settings, "BIOMETRICS_GALLERY_CACHE_SIZE", 8)), 1)
        with self.lock:
            self.items[station_id] = (stamp, gallery, size)
            self.items.move_to_end(station_id)
            while len(self.items) > limit:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_galleries = _GalleryCache()


def forget_galleries() -> None:
    """Drop every cached gallery (after an enrolment; tests)."""
    _galleries.clear()


def thresholds() -> IdentificationThresholds:
    """The configured operating point (``BIOMETRICS_THRESHOLDS``)."""
    from shailoo.biometrics.identification import IdentificationThresholds

    return IdentificationThresholds.from_mapping(getattr(settings, "BIOMETRICS_THRESHOLDS", {}))


@lru_cache(maxsize=4)
def _calibrations(
    finger: str | None, faces: tuple[tuple[str, str], ...]
) -> tuple[ScoreCalibration, dict[str, ScoreCalibration]]:
    from shailoo.biometrics.calibration import (
        default_calibration,
        default_face_calibrations,
        load_calibration,
    )

    finger_cal = load_calibration(Path(finger)) if finger else default_calibration()
    if faces:
        return finger_cal, {model: load_calibration(Path(path)) for model, path in faces}
    return finger_cal, dict(default_face_calibrations())


def calibrations() -> tuple[ScoreCalibration, dict[str, ScoreCalibration]]:
    """The calibrations in force: the finger matcher's (``BIOMETRICS_FINGER_CALIBRATION``,
    else the shipped table) and one per face model (``BIOMETRICS_FACE_CALIBRATIONS`` when
    set, else the shipped ones)."""
    finger = getattr(settings, "BIOMETRICS_FINGER_CALIBRATION", None)
    faces = getattr(settings, "BIOMETRICS_FACE_CALIBRATIONS", {}) or {}
    return _calibrations(
        str(finger) if finger else None, tuple(sorted((k, str(v)) for k, v in faces.items()))
    )


def build_gallery(
    entries: Iterable[tuple[str, dict[int, FingerTemplate], EmbeddingTemplate | None]],
) -> Gallery:
    """A matcher gallery with the calibrations in force."""
    from shailoo.biometrics.identification import Gallery

    finger_cal, face_cals = calibrations()
    return Gallery.build(entries, calibration=finger_cal, face_calibrations=face_cals)


def station_gallery(station: PollingStation) -> tuple[Gallery, int]:
    """The matcher gallery of ``station``'s enrolled voters and its size, built once and cached.

    Building decrypts and decodes every template of the station (about 3,000 voters);
    afterwards each call costs one aggregate query that detects enrolments made since. The
    prepared gallery is also kept on disk, sealed with the master key
    (``BIOMETRICS_GALLERY_DIR``), so that a server restarted on polling day reads it back in
    milliseconds instead of preparing every template again.
    """
    stamp = _stamp(station)
    hit = _galleries.get(station.pk, stamp)
    if hit is not None:
        return hit
    stored = _read_gallery(station, stamp)
    if stored is not None:
        _galleries.put(station.pk, stamp, *stored)
        return stored
    entries = list(_entries_of(_active_templates(station)))
    gallery = build_gallery(entries)
    _galleries.put(station.pk, stamp, gallery, len(entries))
    _write_gallery(station, stamp, gallery, len(entries))
    return gallery, len(entries)


def _gallery_path(station: PollingStation) -> Path | None:
    folder = getattr(settings, "BIOMETRICS_GALLERY_DIR", None)
    return Path(folder) / f"station-{station.pk}.sealed" if folder else None


def _gallery_context(station: PollingStation, stamp: tuple[Any, ...]) -> str:
    """The sealing context: a gallery opens only for its station and its enrolments' stamp."""
    return f"biometrics.gallery:{station.pk}:{':'.join(str(part) for part in stamp)}"


def _read_gallery(station: PollingStation, stamp: tuple[Any, ...]) -> tuple[Gallery, int] | None:
    """The gallery stored for this station and stamp, or None (absent, stale or damaged)."""
    from shailoo.accounts.crypto import CryptoError
    from shailoo.accounts.keys import keyring

    path = _gallery_path(station)
    if path is None or not path.exists():
        return None
    try:
        # Unpickled only after AES-GCM authenticated it: only the master key's holder made it.
        plain = keyring().open(path.read_bytes(), _gallery_context(station, stamp))
        gallery, size = pickle.loads(plain)
    except (CryptoError, OSError, ValueError, pickle.UnpicklingError):
        return None  # another stamp (enrolments since), another key, or damaged: rebuild
    return gallery, int(size)


def _write_gallery(
    station: PollingStation, stamp: tuple[Any, ...], gallery: Gallery, size: int
) -> None:
    from shailoo.accounts.keys import keyring

    path = _gallery_path(station)
    if path is None:
        return
    sealed = keyring().seal(
        pickle.dumps((gallery, size), protocol=pickle.HIGHEST_PROTOCOL),
        _gallery_context(station, stamp),
    )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(sealed)
        os.replace(partial, path)
    except OSError:
        pass  # a cache: the gallery in memory serves; the next build tries again


# -- identification and verification -----------------------------------------------------------


def _log(
    mode: str,
    decision: str,
    candidates: list[tuple[int, float]],
    threshold: float,
    probe: Probe,
    actor: Actor,
    *,
    station: PollingStation | None,
    gallery_size: int,
    device_key: str,
    started: float,
) -> Decision:
    keep = max(int(getattr(settings, "BIOMETRICS_LOG_CANDIDATES", 5)), 1)
    candidates = candidates[:keep]
    top = candidates[0][0] if candidates and decision in {"identified", "verified"} else None
    person = Person.objects.filter(pk=top).first() if top is not None else None
    log = IdentificationLog.objects.create(
        mode=mode,
        station=station,
        decision=decision,
        candidate=person,
        scores=[list(c) for c in candidates],
        threshold=round(threshold, 4),
        gallery_size=gallery_size,
        fingers=",".join(str(f) for f in sorted(probe.fingers)),
        face=probe.face is not None,
        actor=actor_name(actor),
        user=user_of(actor),
        device_key=device_key[:64],
        elapsed_ms=round((time.perf_counter() - started) * 1000.0, 2),
    )
    return Decision(decision, candidates, person, log)


def probe_of(captures: Sequence[Capture]) -> Probe:
    """A probe from what a capture device sent: finger records (ISO/IEC 19794-2 or ANSI 378,
    one or more views) and at most one face embedding; a malformed one is refused by number."""
    fingers: dict[int, FingerTemplate] = {}
    face: EmbeddingTemplate | None = None
    for i, capture in enumerate(captures):
        try:
            if capture.kind == EMBEDDING:
                face = EmbeddingTemplate.from_bytes(bytes(capture.data))
            elif capture.kind in _CODECS:
                for template in _CODECS[capture.kind].decode(bytes(capture.data)).templates():
                    fingers.setdefault(template.finger, template)
            else:
                raise InvalidInput(
                    "template_kind",
                    gettext("Template %(n)d: unknown kind %(kind)s")
                    % {"n": i + 1, "kind": capture.kind[:20]},
                )
        except TemplateError as exc:
            raise InvalidInput(
                "template_invalid",
                gettext("Template %(n)d (%(kind)s) is malformed: %(problem)s")
                % {"n": i + 1, "kind": capture.kind, "problem": exc},
            ) from exc
    probe = Probe(fingers, face)
    _check_probe(probe)
    return probe


def _check_probe(probe: Probe) -> None:
    if not probe.fingers and probe.face is None:
        raise InvalidInput("empty_probe", gettext("The probe holds no finger and no face."))


def identify_at_station(
    station: PollingStation, probe: Probe, actor: Actor, *, device_key: str = ""
) -> Decision:
    """1:N identification among the station's voters; the decision is logged.

    Needs ``biometrics.view`` over the station (PEC/TEC operators, system actors such as the
    check-in device service).
    """
    require(actor, Permission.BIOMETRIC_VIEW, station)
    _check_probe(probe)
    started = time.perf_counter()
    gallery, size = station_gallery(station)
    result = gallery.identify(probe.fingers, face=probe.face, thresholds=thresholds())
    return _log(
        IDENTIFY,
        result.decision,
        [(int(ref), float(score)) for ref, score in result.candidates],
        result.threshold,
        probe,
        actor,
        station=station,
        gallery_size=size,
        device_key=device_key,
        started=started,
    )


def verify_person(person: Person, probe: Probe, actor: Actor, *, device_key: str = "") -> Decision:
    """1:1 verification of ``probe`` against ``person``'s enrolment; the decision is logged."""
    require(actor, Permission.BIOMETRIC_VIEW, person)
    _check_probe(probe)
    started = time.perf_counter()
    entries = list(_entries_of(_person_templates(person)))
    if not entries:
        raise NotFound("not_enrolled", gettext("This person has no biometric enrolment."))
    ref = str(person.pk)
    result = build_gallery(entries).verify(
        ref, probe.fingers, face=probe.face, thresholds=thresholds()
    )
    return _log(
        VERIFY,
        result.decision,
        [(person.pk, float(result.score))],
        result.threshold,
        probe,
        actor,
        station=person.voting_station,
        gallery_size=1,
        device_key=device_key,
        started=started,
    )


def verify_pin(pin: str, probe: Probe, actor: Actor, *, device_key: str = "") -> Decision:
    """1:1 verification of the person holding ``pin`` (read from an identity document).

    An unknown or malformed PIN is refused without echoing it; the log names the person.
    """
    person = Person.objects.select_related("station", "remote_station").filter(pin=pin).first()
    if person is None:
        raise NotFound("unknown_pin", gettext("No person with this PIN is in the register."))
    return verify_person(person, probe, actor, device_key=device_key)
