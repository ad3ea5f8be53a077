"""The process's master key ring, loaded from the environment and reloaded when it changes.

A key file edited on disk (``rotate-master-key --generate`` puts a new key first) is picked
up by every running process at its next use, so a rotation needs no restart.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from shailoo.accounts.crypto import (
    ENV_KEY,
    ENV_KEY_FILE,
    ENV_PREVIOUS,
    KeyRing,
    key_file_path,
    load_keyring,
)

_cached: tuple[tuple[object, ...], KeyRing] | None = None


def _stamp() -> tuple[object, ...]:
    env = tuple(os.environ.get(name, "") for name in (ENV_KEY, ENV_KEY_FILE, ENV_PREVIOUS))
    path = key_file_path(os.environ, Path(settings.VAR_DIR))
    try:
        mtime = path.stat().st_mtime_ns if path is not None else None
    except OSError:
        mtime = None
    return (*env, str(settings.VAR_DIR), mtime)


def keyring() -> KeyRing:
    """The key ring in force now."""
    global _cached
    stamp = _stamp()
    if _cached is None or _cached[0] != stamp:
        ring = load_keyring(os.environ, Path(settings.VAR_DIR), production=settings.PRODUCTION)
        _cached = (_stamp(), ring)  # the development key file may have just been created
    return _cached[1]


def reset() -> None:
    """Forget the loaded key ring (the next use loads it again)."""
    global _cached
    _cached = None
