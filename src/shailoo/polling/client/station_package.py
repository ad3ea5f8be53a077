"""The station package as a device opens it: what the device decides with when offline.

A sealed package (``shailoo-station-package/1``, built by ``polling.sealing``) is accepted only
from the commission key the device pinned at enrolment, for its own station, and is opened with
the device's X25519 key in memory only. Its content (``shailoo-station-list/1``) is checked
field by field before anything of it is used: a package that does not open or does not read is
refused whole, with the place of the first fault, so a device never works from half a list.
The list carries no PIN, only its salted hash, enough for the 1:1 check of a document.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from shailoo.biometrics.calibration import ScoreCalibration
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.identification import Gallery, IdentificationThresholds
from shailoo.biometrics.iso19794 import TemplateError
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.polling import sealing
from shailoo.polling.client.captures import decode_template
from shailoo.polling.client.state import DeviceState

LIST_FORMAT: Final = "shailoo-station-list/1"


class PackageContentError(InvalidInput):
    """An opened station package whose content is not what a device can work with."""

    default_code = "package_content"


class NoPackage(Conflict):
    """The device has no station package yet: it cannot decide offline."""

    default_code = "no_package"


@dataclass(frozen=True, slots=True)
class ListRow:
    """One voter on the station's list, as the package gives it (no PIN: its salted hash)."""

    ref: int
    row: int
    surname: str
    given_name: str
    patronymic: str
    birth_year: int
    pin_sha256: str
    ballot_style: str
    remote: bool

    def voter(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "surname": self.surname,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "birth_year": self.birth_year,
            "row": self.row,
        }


@dataclass(slots=True)
class StationPackage:
    """The opened package: list, PIN index, gallery and the rules the device applies offline."""

    sha256: str
    station: int
    election: str
    polling_day: str
    salt: str
    identification_attempts: int
    manual_reasons: tuple[str, ...]
    thresholds: IdentificationThresholds
    rows: dict[int, ListRow]
    by_pin: dict[str, int]
    gallery: Gallery

    def row_of_pin(self, pin: str) -> ListRow | None:
        ref = self.by_pin.get(hashlib.sha256(f"{self.salt}:{pin}".encode()).hexdigest())
        return None if ref is None else self.rows[ref]


def _content_error(where: str, why: str) -> PackageContentError:
    return PackageContentError(
        "package_content", f"station package: {where}: {why}", problems=[Problem(where, why)]
    )


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int,))):
        raise _content_error(f"{where}{name}", "missing or of the wrong type")
    return value


def open_station_package(
    raw: bytes,
    *,
    state: DeviceState,
    calibration: ScoreCalibration | None = None,
    face_calibrations: Mapping[str, ScoreCalibration] | None = None,
) -> StationPackage:
    """Verify (pinned commission key), open (the device's X25519 key) and index a package.

    Refuses with :class:`sealing.PackageError` (signature, station, recipient, hash, AEAD) or
    :class:`PackageContentError` (located) — nothing of a refused package is used.
    """
    config = state.config
    sealed = sealing.SealedPackage.from_json(raw)
    if sealed.signer != config.commission_key_id:
        raise sealing.PackageError(
            "bad_signature", "the package is not signed by the commission key this device pinned"
        )
    content = sealing.open_package(
        sealed,
        recipient_private=state.seal_key,
        signer_public=bytes.fromhex(config.commission_key),
        station=config.station,
    )
    data = safe_json.loads(content, source="station package")
    if not isinstance(data, dict) or data.get("format") != LIST_FORMAT:
        raise _content_error("format", f"not a {LIST_FORMAT} document")
    if _field(data, "station", int, "") != config.station:
        raise _content_error("station", "names another station")
    if data.get("election") != sealed.election:
        raise _content_error("election", "differs from the sealed header")
    rules = _field(data, "rules", dict, "")
    reasons = _field(rules, "manual_reasons", list, "rules.")
    attempts = _field(rules, "identification_attempts", int, "rules.")
    try:
        thresholds = IdentificationThresholds.from_mapping(_field(data, "thresholds", dict, ""))
    except ValueError as exc:
        raise _content_error("thresholds", str(exc)) from None
    rows: dict[int, ListRow] = {}
    by_pin: dict[str, int] = {}
    for i, item in enumerate(_field(data, "list", list, "")):
        where = f"list.{i}."
        if not isinstance(item, dict):
            raise _content_error(f"list.{i}", "not an object")
        row = ListRow(
            ref=_field(item, "ref", int, where),
            row=_field(item, "row", int, where),
            surname=_field(item, "surname", str, where),
            given_name=_field(item, "given_name", str, where),
            patronymic=_field(item, "patronymic", str, where),
            birth_year=_field(item, "birth_year", int, where),
            pin_sha256=_field(item, "pin_sha256", str, where),
            ballot_style=_field(item, "ballot_style", str, where),
            remote=bool(item.get("remote", False)),
        )
        if row.ref in rows:
            raise _content_error(f"list.{i}.ref", "listed twice")
        rows[row.ref] = row
        by_pin[row.pin_sha256] = row.ref
    model = data.get("face_model") if isinstance(data.get("face_model"), str) else None
    fingers: dict[int, dict[int, FingerTemplate]] = {}
    faces: dict[int, EmbeddingTemplate] = {}
    for i, item in enumerate(_field(data, "templates", list, "")):
        where = f"templates.{i}."
        if not isinstance(item, dict):
            raise _content_error(f"templates.{i}", "not an object")
        ref = _field(item, "ref", int, where)
        if ref not in rows:
            raise _content_error(f"{where}ref", "not on the package's list")
        try:
            raw_template = base64.b64decode(_field(item, "data", str, where), validate=True)
            value = decode_template(_field(item, "kind", str, where), raw_template)
        except (ValueError, binascii.Error, TemplateError) as exc:
            raise _content_error(f"{where}data", str(exc)[:200]) from None
        if isinstance(value, EmbeddingTemplate):
            if ref not in faces and (model is None or value.model_id == model):
                faces[ref] = value
        else:
            for template in value:
                fingers.setdefault(ref, {})[template.finger] = template
    gallery = Gallery.build(
        (
            (str(ref), fingers.get(ref, {}), faces.get(ref))
            for ref in sorted(set(fingers) | set(faces))
        ),
        calibration=calibration,
        face_calibrations=face_calibrations,
    )
    return StationPackage(
        sha256=sealed.sha256,
        station=config.station,
        election=sealed.election,
        polling_day=str(data.get("polling_day", "")),
        salt=_field(data, "salt", str, ""),
        identification_attempts=attempts,
        manual_reasons=tuple(str(r) for r in reasons),
        thresholds=thresholds,
        rows=rows,
        by_pin=by_pin,
        gallery=gallery,
    )
