"""The exception hierarchy of monitor.

    MonitorError                 base of every error monitor raises on purpose
    ├── ConfigError              the configuration directory is invalid; carries every Problem found
    ├── StorageError             the database cannot be reached or migrated
    ├── DeskError                a person asked the desk or `monitor users` for something it refuses
    │   └── NotFound             what was named (a hit, a user, a token) does not exist
    └── FetchError               a source could not be fetched or parsed; `message` is short and user-facing

Expected failures of the outside world (a feed that times out, a receiver that answers 500) are *not*
raised out of the pipeline: they are recorded on the source or on the delivery and shown to the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


class MonitorError(Exception):
    """Base class of monitor's own errors."""


@dataclass(frozen=True)
class Problem:
    """One error in a configuration file, located at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str
    source_line: str = ""
    width: int = 1

    def render(self) -> str:
        """`file:line:column: message`, then the offending line with a caret under the fault."""
        head = f"{self.file}:{self.line}:{self.column}: {self.message}"
        if not self.source_line:
            return head
        caret = " " * (self.column - 1) + "^" * max(1, self.width)
        return f"{head}\n    {self.source_line.rstrip()}\n    {caret}"


class ConfigError(MonitorError):
    """The configuration is invalid; `problems` lists every error found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class StorageError(MonitorError):
    """The database cannot be opened, migrated or written."""


class DeskError(MonitorError):
    """A request refused with a message meant for the person (a taken name, a short password…)."""


class NotFound(DeskError):
    """The hit, article, user or token named does not exist."""


class FetchError(MonitorError):
    """A source could not be fetched or its body could not be read as a feed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: timedelta | None = None,
        gone: bool = False,
    ) -> None:
        self.message = message
        self.status = status
        self.retry_after = retry_after  # how long the server asked us to wait (429/503 Retry-After)
        self.gone = gone  # the publisher removed the source for good (HTTP 410)
        super().__init__(message)
