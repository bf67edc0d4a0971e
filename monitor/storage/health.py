"""How each source is doing, as `monitor sources` and the operations alerts see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.secrets import mask_secrets_in, mask_url_secrets
from monitor.storage.tables import Article, Source

RECENT_WINDOW = timedelta(hours=24)
HISTORY_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class SourceHealth:
    """One source's state: status, last success, last error, failures in a row, new items, next check.

    A view for people: the URL and the error have their secrets (`user:pass@`, `?apikey=`) masked."""

    name: str
    url: str
    status: str
    last_success_at: datetime | None
    last_checked_at: datetime | None
    last_error: str | None
    last_warning: str | None
    consecutive_failures: int
    new_items_24h: int
    next_check_at: datetime | None
    last_new_item_at: datetime | None
    next_check_reason: str | None = None
    """Why the next check is then: the interval, a busy feed, the server's hints, or failures."""


def source_status(source: Source) -> str:
    """`disabled` (by the configuration), `gone` (410), `failing`, `new` (never fetched) or `ok`."""
    if not source.enabled:
        return "disabled"
    if source.disabled_reason:
        return "gone"
    if source.consecutive_failures:
        return "failing"
    return "ok" if source.last_success_at else "new"


def list_source_health(
    session: Session, *, now: datetime, names: list[str] | None = None
) -> list[SourceHealth]:
    """Every source (or the named ones), by name, with its recent activity counted from the articles."""
    recent = (
        select(Article.source_id, func.count())
        .where(col(Article.first_seen_at) >= now - RECENT_WINDOW)
        .group_by(col(Article.source_id))
    )
    counts = dict(session.exec(recent).all())
    newest = select(Article.source_id, func.max(Article.first_seen_at)).group_by(col(Article.source_id))
    latest = dict(session.exec(newest).all())
    statement = select(Source).order_by(col(Source.name))
    if names is not None:
        statement = statement.where(col(Source.name).in_(names))
    return [
        SourceHealth(
            name=source.name,
            url=mask_url_secrets(source.url),
            status=source_status(source),
            last_success_at=source.last_success_at,
            last_checked_at=source.last_checked_at,
            last_error=mask_secrets_in(source.last_error) if source.last_error else None,
            last_warning=mask_secrets_in(source.last_warning) if source.last_warning else None,
            consecutive_failures=source.consecutive_failures,
            new_items_24h=counts.get(source.id or 0, 0),
            next_check_at=source.next_check_at if source.enabled and not source.disabled_reason else None,
            last_new_item_at=latest.get(source.id or 0),
            next_check_reason=mask_secrets_in(source.next_check_reason)
            if source.next_check_reason and source.enabled and not source.disabled_reason
            else None,
        )
        for source in session.exec(statement)
    ]


def arrival_times(session: Session, source: Source, *, now: datetime) -> list[datetime]:
    """When the source's articles of the last 30 days were first seen: its usual rhythm."""
    statement = (
        select(Article.first_seen_at)
        .where(Article.source_id == source.id, col(Article.first_seen_at) >= now - HISTORY_WINDOW)
        .order_by(col(Article.first_seen_at))
    )
    return list(session.exec(statement).all())
