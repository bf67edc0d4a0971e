"""The `monitor` command: global options, then one sub-command per thing a user does."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from monitor import __version__
from monitor.cli.context import CliContext
from monitor.logs import DEFAULT_COMMAND_LEVEL, LOG_LEVELS, configure_logging

if TYPE_CHECKING:
    # Typer runs on its own copy of Click (typer._click, not the `click` package): the types its group
    # passes to LazyCommands' methods, named for the type checker only.
    from typer._click import Command, Context, HelpFormatter

COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("monitor.cli.check", "check", "Validate every configuration file; print each problem."),
    "poll": (
        "monitor.cli.service",
        "poll",
        "Poll every enabled source once (or --source NAME); deliver.",
    ),
    "run": ("monitor.cli.service", "run", "Run the service: each source when due, alerts, live reload."),
    "worker": (
        "monitor.cli.service",
        "run",
        "The same as `run`: one of several workers sharing a PostgreSQL database.",
    ),
    "hits": ("monitor.cli.hits", "hits", "List stored hits, newest first, with their triage."),
    "stories": ("monitor.cli.stories", "stories", "List stories: the articles that report one event."),
    "deliveries": ("monitor.cli.deliveries", "app", "The outbox: pending, failed and sent alerts; retry."),
    "rules": ("monitor.cli.rules", "app", "Work with watch rules."),
    "sources": ("monitor.cli.sources", "app", "Sources: their health, and adding, importing, exporting."),
    "web": ("monitor.cli.web", "web", "Serve the desk (hit log, triage, search, REST API)."),
    "users": ("monitor.cli.users", "app", "Accounts of the desk: viewer, analyst, admin."),
}
"""Each command: its module, the function or Typer app in it, and its line in `monitor --help`. The
module is imported only when its command runs, so that `--help` and light commands start fast."""


class LazyCommands(TyperGroup):
    """The `monitor` group, which imports a command's module only when that command is invoked."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, short_help = COMMANDS[cmd_name]
        target = getattr(importlib.import_module(module_name), attribute)
        command: Command
        if isinstance(target, typer.Typer):
            command = typer.main.get_group(target)
        else:
            single = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
            single.command(cmd_name, help=short_help if cmd_name == "worker" else None)(target)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return command

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short_help) for name, (_, _, short_help) in COMMANDS.items()])


app = typer.Typer(
    cls=LazyCommands,
    help="Self-hosted news monitoring: poll feeds, match watch rules, store hits, send alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


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
