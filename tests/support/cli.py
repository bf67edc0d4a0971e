"""Run the `monitor` command in-process as a user types it: exit code, stdout and stderr."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from monitor.cli.app import app as monitor_app


def invoke(
    *args: str, input: bytes | str | None = None, app: typer.Typer = monitor_app
) -> tuple[int, str, str]:
    """`monitor ARGS…` (or `app`); an exception other than an exit fails the test, with its traceback."""
    result = CliRunner().invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
