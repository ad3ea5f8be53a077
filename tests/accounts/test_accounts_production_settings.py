"""Production settings refuse to start with development defaults (imported in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shailoo.accounts.crypto import EXAMPLE_MASTER_KEY, new_key_text

SECRET = "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
GOOD = {
    "SHAILOO_ENV": "production",
    "SHAILOO_SECRET_KEY": SECRET,
    "SHAILOO_MASTER_KEY": new_key_text(),
    "SHAILOO_ALLOWED_HOSTS": "shailoo.example.kg",
}


def import_settings(tmp_path: Path, **changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAILOO_")}
    env.update(GOOD, SHAILOO_VAR_DIR=str(tmp_path))
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    code = "import shailoo.settings as s; print('ok', s.SESSION_COOKIE_SECURE, s.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_proper_production_configuration_starts(tmp_path: Path) -> None:
    result = import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok True False"
    assert not (tmp_path / "keys").exists()  # production never invents a key


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SHAILOO_DEBUG": "1"}, "SHAILOO_DEBUG"),
        ({"SHAILOO_SECRET_KEY": None}, "SHAILOO_SECRET_KEY"),
        ({"SHAILOO_SECRET_KEY": "short"}, "SHAILOO_SECRET_KEY"),
        ({"SHAILOO_SESSION_COOKIE_SECURE": "0"}, "insecure cookies"),
        ({"SHAILOO_CSRF_COOKIE_SECURE": "0"}, "insecure cookies"),
        ({"SHAILOO_COOKIE_SAMESITE": "None"}, "SAMESITE"),
        ({"SHAILOO_ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"SHAILOO_MASTER_KEY": None}, "SHAILOO_MASTER_KEY"),
        ({"SHAILOO_MASTER_KEY": EXAMPLE_MASTER_KEY}, "example key"),
        ({"SHAILOO_MASTER_KEY": "AAAA"}, "32 bytes"),
    ],
)
def test_production_refuses(tmp_path: Path, changes: dict[str, str | None], message: str) -> None:
    result = import_settings(tmp_path, **changes)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
