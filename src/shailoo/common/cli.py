"""Shared pieces of the command line: the console, Django start-up, progress bars."""

from __future__ import annotations

import os

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True, soft_wrap=True)
_ready = False


#: The language of refusals and messages the command line prints (``en``, ``ru`` or ``ky``).
CLI_LANG_ENV = "SHAILOO_CLI_LANG"


def cli_language() -> str:
    """``SHAILOO_CLI_LANG`` if it names a language of the interface, else English.

    The command line's own texts (help, summaries) are English; messages that come from the
    services follow this setting, so one run never mixes two languages unless asked to.
    """
    wanted = os.environ.get(CLI_LANG_ENV, "en").strip().lower()[:2]
    return wanted if wanted in ("en", "ru", "ky") else "en"


def django_setup(migrate: bool = True) -> None:
    """Start Django once per process (the schema brought up to date unless told not to), and
    speak :func:`cli_language` for the command being run."""
    global _ready
    if _ready:
        _speak()
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    _ready = True
    _speak()


def _speak() -> None:
    from django.utils import translation

    translation.activate(cli_language())


def progress() -> Progress:
    """The progress bar every long job shows."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
