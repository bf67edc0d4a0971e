"""What every page and endpoint of the desk shares: the database, settings, configuration, sessions, and
the dependencies that say who is calling and whether they may."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from threading import Lock
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.templating import Jinja2Templates

from monitor.config import WatchConfig, load_config
from monitor.errors import ConfigError
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.hitcounts import HitCounts, compact_hit_counts, hit_counts
from monitor.storage.users import Role
from monitor.web.security import AuthError, Caller, LoginThrottle, Sessions, check_csrf, identify
from monitor.workshop.corpus import CorpusWords

MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""The id of a row in a path: a positive 32-bit integer (larger ones cannot exist, and overflow drivers)."""

PollerStatus = Callable[[], dict[str, bool]]
"""Name → alive of the poller processes this process supervises (empty when it supervises none)."""


class ConfigView:
    """The configuration directory as last loaded without problems, reloaded when a file changes."""

    def __init__(self, directory: FilePath, config: WatchConfig | None = None) -> None:
        self.directory = directory
        self._config = config
        self._fingerprint: tuple[Any, ...] | None = _fingerprint(directory) if config else None
        self._lock = Lock()

    def current(self) -> WatchConfig | None:
        """The configuration (None when it never loaded); a broken edit keeps the last good one."""
        fingerprint = _fingerprint(self.directory)
        with self._lock:
            if fingerprint != self._fingerprint:
                self._fingerprint = fingerprint
                with contextlib.suppress(ConfigError):
                    self._config = load_config(self.directory)
            return self._config


def _fingerprint(directory: FilePath) -> tuple[Any, ...]:
    files = sorted(p for p in directory.glob("*.y*ml") if p.is_file()) if directory.is_dir() else []
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)


@dataclass
class Desk:
    database: Database
    settings: Settings
    config: ConfigView
    sessions: Sessions
    templates: Jinja2Templates
    throttle: LoginThrottle
    pollers: PollerStatus = field(default=lambda: {})
    corpus: CorpusWords = field(default_factory=CorpusWords)
    """The stored articles' words, for the rule workshop's previews (built at the first preview)."""

    def hit_counts(self) -> HitCounts:
        """Hits per rule and state, as they are now (a read of the counters the database keeps, folded
        together when a PostgreSQL reader finds many: see `monitor.storage.hitcounts`)."""
        with self.database.read_session() as session:
            found = hit_counts(session)
        if found.needs_compaction:
            with self.database.session() as session:
                compact_hit_counts(session)
                session.commit()
        return found

    def rule_names(self) -> list[str]:
        config = self.config.current()
        return [rule.name for rule in config.rules] if config else []


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def optional_caller(request: Request, desk: Desk = Depends(get_desk)) -> Caller | None:
    return identify(request, desk.database, desk.sessions)


def require(role: Role) -> Callable[..., Any]:
    """A dependency: the caller, who must be logged in with at least `role`, and whose changes carry the
    CSRF token of their session."""

    async def dependency(request: Request, caller: Caller | None = Depends(optional_caller)) -> Caller:
        if caller is None:
            raise AuthError(401, "log in first")
        if not caller.may(role):
            raise AuthError(403, f"this needs the {role.value} role; you are {caller.account.role.value}")
        await check_csrf(request, caller)
        return caller

    return dependency


reader = require(Role.viewer)
analyst = require(Role.analyst)
admin = require(Role.admin)
