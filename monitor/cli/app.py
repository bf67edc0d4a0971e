"""The `monitor` command: global options, then one sub-command per thing a user does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monitor import __version__
from monitor.cli import check, deliveries, hits, rules, service, sources, users, web
from monitor.cli.context import CliContext
from monitor.logs import DEFAULT_COMMAND_LEVEL, LOG_LEVELS, configure_logging

app = typer.Typer(
    help="Self-hosted news monitoring: poll feeds, match watch rules, store hits, send alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("check")(check.check)
app.command("poll")(service.poll)
app.command("run")(service.run)
app.command("worker", help="The same as `run`: one of several workers sharing a PostgreSQL database.")(
    service.run
)
app.command("hits")(hits.hits)
app.add_typer(deliveries.app, name="deliveries")
app.add_typer(rules.app, name="rules")
app.add_typer(sources.app, name="sources")
app.command("web")(web.web)
app.add_typer(users.app, name="users")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"monitor {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="MONITOR_CONFIG",
            help="Configuration directory (sources.yaml, rules.yaml, channels.yaml…).",
            show_default="./config",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL; overrides settings.yaml and MONITOR_DATABASE_URL."),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            envvar="MONITOR_LOG_LEVEL",
            help="DEBUG, INFO, WARNING, ERROR; overrides log_level of settings.yaml.",
            show_default="settings.yaml's log_level for run, worker and web (INFO), else WARNING",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    if log_level is not None and log_level.upper() not in LOG_LEVELS:
        choices = ", ".join(LOG_LEVELS)
        raise typer.BadParameter(f"{log_level!r} is not a level: one of {choices}", param_hint="--log-level")
    configure_logging(log_level or DEFAULT_COMMAND_LEVEL)
    context = CliContext(config_dir=config or Path("config"), database_url=db, log_level=log_level)
    ctx.obj = context
    ctx.call_on_close(context.close)


def main() -> None:
    """Entry point of the `monitor` console script."""
    app()
