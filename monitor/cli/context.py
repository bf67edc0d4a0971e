"""What every command needs, built once from the global options: configuration, settings, database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from monitor.errors import ConfigError, MonitorError
from monitor.logs import set_log_level
from monitor.wording import plural

if TYPE_CHECKING:  # loaded when first used: `monitor --help` needs none of them
    from monitor.config import WatchConfig
    from monitor.settings import Settings
    from monitor.storage.database import Database

DEFAULT_CONFIG_DIR = Path("config")
MAX_ROW_ID = 2**31 - 1
"""The largest id a row can have (a 32-bit integer): larger ones typed on the command line would overflow
the database driver."""


@dataclass
class CliContext:
    """Global options of the `monitor` command, and the objects they lead to."""

    config_dir: Path
    database_url: str | None = None
    log_level: str | None = None
    """--log-level (or MONITOR_LOG_LEVEL) when given: it beats settings.yaml."""
    reading_only: bool = False
    """Set by commands that only read the database (`hits`, `stories`…): their settings come from
    settings.yaml alone, without loading (and compiling) the whole configuration."""
    _database: Database | None = field(default=None, init=False, repr=False)

    @cached_property
    def config(self) -> WatchConfig:
        """The validated configuration; on problems, print every one of them and exit 1."""
        from monitor.config import load_config

        try:
            return load_config(self.config_dir)
        except ConfigError as error:
            fail_with_problems(error)
            raise AssertionError("unreachable") from error

    @cached_property
    def config_problems(self) -> ConfigError | None:
        """Why the configuration does not load, or None when it does."""
        from monitor.config import load_config

        try:
            self.__dict__["config"] = load_config(self.config_dir)
        except ConfigError as error:
            return error
        return None

    @cached_property
    def settings(self) -> Settings:
        """The settings; with a broken configuration, from settings.yaml alone (and a warning), so that
        commands reading the database still work."""
        from pydantic import ValidationError

        from monitor.settings import build_settings

        overrides = {"database_url": self.database_url} if self.database_url else None
        file_values = settings_file_only(self.config_dir) if self.reading_only else None
        if file_values is not None and "config" not in self.__dict__:
            values = file_values
        elif self.config_problems is None:
            values = self.config.settings_values
        else:
            count = len(self.config_problems.problems)
            typer.secho(
                f"warning: the configuration has {plural(count, 'problem')} "
                "(`monitor check` lists them); settings from settings.yaml alone",
                fg=typer.colors.YELLOW,
                err=True,
            )
            values = settings_file_values(self.config_dir)
        try:
            settings = build_settings(values, overrides)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"])
                typer.echo(f"settings: {where}: {item['msg']}", err=True)
            raise typer.Exit(1) from error
        if self.log_level is None and "log_level" in values:
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
            from monitor.storage.database import open_database

            try:
                self._database = open_database(self.settings.database_url, create=not self.reading_only)
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
    typer.secho(f"{plural(count, 'problem')} found", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def fail(message: str) -> NoReturn:
    """Print `error: message` (one line) and exit 1."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def fail_unknown(kind: str, name: str, known: list[str], where: str) -> NoReturn:
    """Exit 1 naming an unknown `kind` (a rule, a channel…) and suggesting the close known names."""
    import difflib

    close = difflib.get_close_matches(name, known, n=3)
    hint = f" (did you mean {', '.join(repr(known) for known in close)}?)" if close else ""
    fail(f"no {kind} named {name!r} in {where}{hint}")


def default_config_dir() -> Path:
    return Path(os.environ.get("MONITOR_CONFIG", DEFAULT_CONFIG_DIR))


def settings_file_values(config_dir: Path) -> dict[str, Any]:
    """settings.yaml's values when it can be read on its own (the rest of the configuration being broken),
    else none: the defaults, the environment and the command line then apply."""
    return settings_file_only(config_dir) or {}


def settings_file_only(config_dir: Path) -> dict[str, Any] | None:
    """settings.yaml's values read on their own (none when there is no file), or None when the file has
    problems (then the whole configuration is loaded, to report them)."""
    from monitor.config.yamlfile import read_yaml

    path = config_dir / "settings.yaml"
    if not path.is_file():
        return {}
    data, file = read_yaml(path, os.environ)
    if file.problems or not isinstance(data, dict | None):
        return None
    return data or {}
