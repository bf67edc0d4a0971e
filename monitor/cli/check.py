"""`monitor check`: validate the whole configuration and report every problem."""

from __future__ import annotations

import typer

from monitor.cli.context import CliContext
from monitor.wording import plural


def check(ctx: typer.Context) -> None:
    """Validate every configuration file; print each problem as file:line:column, exit 1 if any.

    Remarks that are not errors (a missing file, a `${VAR:-default}` that fell back to its default) are
    printed first as `note:` lines, so that a forgotten variable is seen before the OK.
    """
    context: CliContext = ctx.obj
    config = context.config
    context.settings  # noqa: B018 - validates settings.yaml together with the environment
    for note in config.notes:
        typer.echo(f"note: {note}")
    enabled = sum(1 for rule in config.rules if rule.enabled)
    typer.echo(
        f"{context.config_dir}: OK — {plural(len(config.sources), 'source')}, "
        f"{plural(len(config.rules), 'rule')} ({enabled} enabled), "
        f"{plural(len(config.channels), 'channel')}, {plural(len(config.concepts), 'concept')}"
    )
