"""What every command needs, built once from the global options: configuration, settings, database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError

from monitor.config import WatchConfig, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.logs import set_log_level
from monitor.settings import Settings, build_settings
from monitor.storage.database import Database, open_database

DEFAULT_CONFIG_DIR = Path("config")


@dataclass
class CliContext:
    """Global options of the `monitor` command, and the objects they lead to."""

    config_dir: Path
    database_url: str | None = None
    log_level: str | None = None
    """--log-level (or MONITOR_LOG_LEVEL) when given: it beats settings.yaml."""
    _database: Database | None = field(default=None, init=False, repr=False)

    @cached_property
    def config(self) -> WatchConfig:
        """The validated configuration; on problems, print every one of them and exit 1."""
        try:
            return load_config(self.config_dir)
        except ConfigError as error:
            fail_with_problems(error)
            raise AssertionError("unreachable") from error

    @cached_property
    def settings(self) -> Settings:
        overrides = {"database_url": self.database_url} if self.database_url else None
        try:
            settings = build_settings(self.config.settings_values, overrides)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"])
                typer.echo(f"settings: {where}: {item['msg']}", err=True)
            raise typer.Exit(1) from error
        if self.log_level is None and "log_level" in self.config.settings_values:
            set_log_level(settings.log_level)
        return settings

    def use_service_log_level(self) -> None:
        """For the service (`run`, `worker`, `web`): settings.yaml's `log_level` (INFO by default),
        unless --log-level was given."""
        if self.log_level is None:
            set_log_level(self.settings.log_level)

    @property
    def database(self) -> Database:
        if self._database is None:
            try:
                self._database = open_database(self.settings.database_url)
            except MonitorError as error:
                fail(str(error))
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def fail_with_problems(error: ConfigError) -> None:
    """Print each problem as `file:line:column: message` with its caret line, then exit 1."""
    for problem in error.problems:
        typer.echo(problem.render(), err=True)
    count = len(error.problems)
    typer.secho(f"{count} problem{'s' if count != 1 else ''} found", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def fail(message: str) -> NoReturn:
    """Print `error: message` (one line) and exit 1."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def default_config_dir() -> Path:
    return Path(os.environ.get("MONITOR_CONFIG", DEFAULT_CONFIG_DIR))
