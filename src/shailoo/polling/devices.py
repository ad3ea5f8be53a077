"""Station devices: enrolment with an Ed25519 signing key and an X25519 sealing key,
revocation, and the checks every device request passes after its signature.

The signature itself (unknown, revoked, forged, stale or replayed requests) is checked by
``integrity.submissions`` before anything here runs; this module adds what only the polling
domain knows: that the key belongs to an enrolled, active device, that the device acts for its
own station, that its hybrid-logical-clock readings only go forward, and whether its clock is
wrong. Each refusal is a security event as well as an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.refusals import Conflict, InvalidInput, PermissionRefused
from shailoo.geo.models import PollingStation
from shailoo.integrity import keys, ledger, security_events
from shailoo.integrity.models import SUBMISSION, RegisteredKey
from shailoo.polling import hlc
from shailoo.polling.models import Device

DEFAULT_MAX_SKEW_S = 120


class DeviceRefused(PermissionRefused):
    """A signed request from a key that may not do this (403), with a reason code."""


class OutOfOrder(Conflict):
    """A device reading that does not move its clock forward (409)."""


def enrol(
    station: PollingStation,
    *,
    signing_public: bytes,
    seal_public: bytes,
    actor: Actor,
    label: str = "",
) -> Device:
    """Register the device's keys and bind it to ``station`` (one ledger entry each)."""
    require(actor, Permission.POLLING_DEVICES, station)
    if len(seal_public) != 32:
        raise InvalidInput("malformed_key", gettext("An X25519 public key is 32 bytes."))
    with transaction.atomic():
        key = keys.register_key(
            signing_public,
            usage=SUBMISSION,
            actor=actor_name(actor),
            station_number=station.number,
            label=label or f"device @ {station.number}",
        )
        device = Device.objects.create(
            key=key,
            station=station,
            label=label[:100],
            seal_public=seal_public,
            enrolled_at=timezone.now(),
            enrolled_by=actor_name(actor),
        )
        ledger.record(
            "polling.device_enrolled",
            actor=actor_name(actor),
            subject=ledger.ref(device),
            data={
                "key_id": key.key_id,
                "station": station.number,
                "seal_public": seal_public.hex(),
            },
        )
    return device


def revoke(device: Device, *, reason: str, actor: Actor) -> Device:
    """Revoke the device and its key from now on (lost, stolen, compromised)."""
    require(actor, Permission.POLLING_DEVICES, device.station)
    if not reason.strip():
        raise InvalidInput("reason", gettext("Say why the device is revoked."))
    with transaction.atomic():
        if device.key.status == RegisteredKey.Status.ACTIVE:
            keys.revoke_key(device.key.key_id, actor=actor_name(actor), reason=reason)
        device.status = Device.Status.REVOKED
        device.revoked_at = timezone.now()
        device.revocation_reason = reason.strip()[:300]
        device.save(update_fields=["status", "revoked_at", "revocation_reason"])
        ledger.record(
            "polling.device_revoked",
            actor=actor_name(actor),
            subject=ledger.ref(device),
            data={"key_id": device.key.key_id, "reason": device.revocation_reason},
        )
    return device


def _refuse(key: RegisteredKey, code: str, message: str, path: str) -> DeviceRefused:
    security_events.record(
        f"device.{code}",
        key_id=key.key_id,
        station_number=key.station_number,
        path=path,
        detail=message,
    )
    return DeviceRefused(code, message)


def device_of(key: RegisteredKey, *, path: str = "") -> Device:
    """The active device behind a verified signing key, or a refusal (and security event)."""
    device = Device.objects.select_related("station", "key").filter(key=key).first()
    if device is None:
        raise _refuse(key, "not_a_device", gettext("This key is not an enrolled device."), path)
    if device.status != Device.Status.ACTIVE:
        raise _refuse(key, "revoked_device", gettext("This device was revoked."), path)
    if key.station_number != device.station.number:
        raise _refuse(
            key, "foreign_station", gettext("This key is bound to another station."), path
        )
    return device


def check_station(device: Device, station: int | None, *, path: str = "") -> None:
    """Refuse a request that names a station other than the device's own."""
    if station is not None and station != device.station.number:
        raise _refuse(
            device.key,
            "foreign_station",
            gettext("This device serves station %(own)d, not %(other)d.")
            % {"own": device.station.number, "other": station},
            path,
        )


@dataclass(frozen=True, slots=True)
class ClockReading:
    """What a device's clock said against the server's: offset and whether it is wrong."""

    offset_ms: int
    wrong: bool


def read_clock(device: Device, value: int, *, now_ms: int, max_skew_s: int) -> ClockReading:
    """Compare a live reading with the server clock; flag the device once when it is off."""
    offset = hlc.skew_ms(value, now_ms)
    wrong = abs(offset) > max_skew_s * 1000
    fields = ["clock_offset_ms", "last_seen_at"]
    device.clock_offset_ms = offset
    device.last_seen_at = timezone.now()
    if wrong and device.clock_flagged_at is None:
        device.clock_flagged_at = device.last_seen_at
        fields.append("clock_flagged_at")
        security_events.record(
            "device.clock_wrong",
            key_id=device.key.key_id,
            station_number=device.station.number,
            detail=f"device clock is {offset / 1000:+.0f} s off (allowed {max_skew_s})",
        )
    Device.objects.filter(pk=device.pk).update(**{f: getattr(device, f) for f in fields})
    return ClockReading(offset, wrong)


def advance(device: Device, value: int) -> None:
    """Move the device's clock forward to ``value`` or refuse a reading that goes back.

    Call inside the transaction that writes what the reading stamps: the update is the guard,
    so two requests racing with one reading cannot both pass.
    """
    moved = Device.objects.filter(pk=device.pk, last_hlc__lt=value).update(last_hlc=value)
    if not moved:  # the API records the security event, outside the rolled-back transaction
        raise OutOfOrder(
            "out_of_order",
            gettext("This reading of the device's clock is not later than one already sent."),
        )
    device.last_hlc = value
