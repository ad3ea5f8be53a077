"""``shailoo geo`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="geo commands", no_args_is_help=True)
