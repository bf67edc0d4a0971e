"""Sources: keep the table in step with the configuration and record what each fetch found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, or_, select

from monitor.storage.tables import Source

MAX_ERROR_CHARS = 1000


class SourceSpec(Protocol):
    """What storage needs of a configured source (`monitor.config.SourceConfig` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def interval(self) -> timedelta: ...


def sync_sources(
    session: Session, configs: Sequence[SourceSpec], *, now: datetime | None = None
) -> dict[str, Source]:
    """Insert new sources, update url/enabled of known ones, disable those no longer configured.

    Nothing is deleted, so the articles and hits of a removed source stay. A changed URL forgets the old
    conditional-GET validators, which belonged to the old URL.
    """
    now = now or datetime.now(UTC)
    existing = {source.name: source for source in session.exec(select(Source)).all()}
    synced: dict[str, Source] = {}
    for config in configs:
        source = existing.get(config.name)
        if source is None:
            source = Source(name=config.name, url=config.url, enabled=config.enabled, created_at=now)
        elif source.url != config.url:
            source.url, source.etag, source.last_modified = config.url, None, None
        source.enabled = config.enabled
        session.add(source)
        synced[config.name] = source
    for name, source in existing.items():
        if name not in synced and source.enabled:
            source.enabled = False
            session.add(source)
    session.flush()
    return synced


def due_sources(session: Session, *, now: datetime) -> list[Source]:
    """Enabled sources never checked or whose next check time has come, the most overdue first."""
    statement = (
        select(Source)
        .where(col(Source.enabled).is_(True))
        .where(or_(col(Source.next_check_at).is_(None), col(Source.next_check_at) <= now))
        .order_by(col(Source.next_check_at).asc().nulls_first(), col(Source.id))
    )
    return list(session.exec(statement).all())


def record_fetch_success(
    session: Session,
    source: Source,
    *,
    etag: str | None,
    last_modified: str | None,
    final_url: str | None = None,
    now: datetime,
    next_check_at: datetime | None = None,
) -> None:
    """A fetch returned a body: keep its validators, follow a permanent redirect, clear the error state."""
    source.etag, source.last_modified = etag, last_modified
    if final_url and final_url != source.url:
        source.url = final_url
    _succeeded(session, source, now=now, next_check_at=next_check_at)


def record_not_modified(
    session: Session, source: Source, *, now: datetime, next_check_at: datetime | None = None
) -> None:
    """The server answered 304: nothing new, and the source is healthy."""
    _succeeded(session, source, now=now, next_check_at=next_check_at)


def record_fetch_failure(
    session: Session, source: Source, message: str, *, now: datetime, next_check_at: datetime | None = None
) -> None:
    """A fetch failed: keep the short user-facing message and count the failures in a row."""
    source.last_checked_at = now
    source.last_error = message[:MAX_ERROR_CHARS]
    source.consecutive_failures += 1
    source.next_check_at = next_check_at
    session.add(source)
    session.flush()


def _succeeded(session: Session, source: Source, *, now: datetime, next_check_at: datetime | None) -> None:
    source.last_checked_at = source.last_success_at = now
    source.last_error = None
    source.consecutive_failures = 0
    source.next_check_at = next_check_at
    session.add(source)
    session.flush()


def get_source(session: Session, name: str) -> Source | None:
    """The stored source of that name, or None before it is first synced."""
    return session.exec(select(Source).where(Source.name == name)).first()
