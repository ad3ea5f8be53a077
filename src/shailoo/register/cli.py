"""``shailoo register`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="register commands", no_args_is_help=True)
