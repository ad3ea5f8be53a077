"""A real server for the kill -9 test, in its own process over a SQLite file.

``setup DIR``: migrate, make a station with one enrolled voter and an enrolled device; write
the device's private key and the voter's id to DIR. ``serve DIR PORT [crash]``: serve the
platform with waitress; with ``crash`` the process kills itself with SIGKILL right after a
check-in's transaction commits and before its answer is written — the worst moment to die.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import sys
from pathlib import Path


def _env(folder: Path) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    os.environ["SHAILOO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    from shailoo.common.cli import django_setup

    django_setup()


def setup(folder: Path) -> None:
    _env(folder)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import factories as f
    from shailoo.biometrics import services
    from shailoo.integrity import keys
    from shailoo.polling import devices
    from shailoo.synth.enrolment import person_templates

    f.election("kg-2025", timezone.localdate())
    station = f.station(901)
    voter = f.person(station, surname="Бирөө")
    services.enrol(voter, person_templates(voter.pk, 77, 0, "standard"), "cli")
    signing, seal = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    devices.enrol(
        station,
        signing_public=keys.raw_public(signing),
        seal_public=seal.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ),
        actor="cli",
    )
    keys.write_private_key(folder / "device.pem", signing)
    (folder / "setup.json").write_text(
        json.dumps({"voter": voter.pk, "at": str(datetime.date.today())})
    )


def serve(folder: Path, port: int, crash: bool) -> None:
    _env(folder)
    from waitress import serve as waitress_serve

    from shailoo.cli import served_application
    from shailoo.polling import checkin

    if crash:
        original = checkin.check_in

        def check_in_then_die(*args: object, **kwargs: object) -> object:
            original(*args, **kwargs)  # committed
            os.kill(os.getpid(), signal.SIGKILL)
            raise AssertionError("unreachable")

        checkin.check_in = check_in_then_die  # type: ignore[assignment]
    waitress_serve(served_application(), host="127.0.0.1", port=port, threads=2, _quiet=True)


if __name__ == "__main__":
    where = Path(sys.argv[2])
    if sys.argv[1] == "setup":
        setup(where)
    else:
        serve(where, int(sys.argv[3]), len(sys.argv) > 4 and sys.argv[4] == "crash")
