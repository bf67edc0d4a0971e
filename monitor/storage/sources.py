"""Sources: keep the table in step with the configuration and record what each fetch found."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, or_, select

from monitor import clock
from monitor.durations import format_duration
from monitor.scheduling.policy import SERVER, reason_kind
from monitor.storage.tables import Source
from monitor.storage.upsert import insert_if_absent

MAX_ERROR_CHARS = 1000
MAX_WARNING_CHARS = 1000


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

    Nothing is deleted, so the articles and hits of a removed source stay. A URL changed in the
    configuration replaces the stored one (even one learnt from a permanent redirect), forgets the old
    conditional-GET validators and clears a "gone" verdict, which all belonged to the old URL. A healthy
    source whose interval was shortened is checked again within the new interval of its last check.
    """
    now = now or clock.now()
    names = [config.name for config in configs]
    for config in configs:  # workers starting together may insert the same sources: the first one wins
        row = {"name": config.name, "url": config.url, "configured_url": config.url, "created_at": now}
        insert_if_absent(
            session, Source, row | {"enabled": config.enabled, "consecutive_failures": 0}, ("name",)
        )
    locked = select(Source).with_for_update().execution_options(populate_existing=True)
    existing = {source.name: source for source in session.exec(locked).all()}
    for config in configs:
        source = existing[config.name]
        if (source.configured_url or source.url) != config.url:
            source.url = source.configured_url = config.url
            source.etag = source.last_modified = source.body_hash = source.disabled_reason = None
        source.enabled = config.enabled
        _within_interval(source, config.interval)
        session.add(source)
    for name, source in existing.items():
        if name not in names and source.enabled:
            source.enabled = False
            session.add(source)
    session.flush()
    return {name: existing[name] for name in names}


def _within_interval(source: Source, interval: timedelta) -> None:
    """Pull in the next check of a healthy source to its last check plus `interval`, unless the server
    asked for the longer wait (a reason of kind `server`)."""
    if source.consecutive_failures or source.last_checked_at is None or source.next_check_at is None:
        return
    if reason_kind(source.next_check_reason) == SERVER:
        return
    latest = source.last_checked_at + interval
    if source.next_check_at > latest:
        source.next_check_at = latest
        source.next_check_reason = f"interval changed to {format_duration(interval)}"


def due_sources(session: Session, *, now: datetime) -> list[Source]:
    """Enabled sources never checked or whose next check time has come, the most overdue first."""
    return list(session.exec(_pollable(now).where(_due(now))).all())


def claim_sources(
    session: Session,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    due_only: bool = True,
    names: Sequence[str] | None = None,
    checked_before: datetime | None = None,
) -> list[Source]:
    """Lease up to `limit` pollable sources to `owner`, the most overdue first; the caller commits.

    A source leased to another worker is skipped until its lease expires, so each due source is fetched
    by one worker, and a dead worker's sources are taken over. On PostgreSQL `FOR UPDATE SKIP LOCKED`
    lets concurrent claims pass each other; SQLite has one writer at a time. `checked_before` leaves out
    sources already checked in this cycle, so that a cycle polling every source polls each once.
    """
    statement = _pollable(now)
    if checked_before is not None:
        statement = statement.where(
            or_(col(Source.last_checked_at).is_(None), col(Source.last_checked_at) < checked_before)
        )
    if due_only:
        statement = statement.where(_due(now))
    if names is not None:
        statement = statement.where(col(Source.name).in_(list(names)))
    locked = statement.limit(limit).with_for_update(skip_locked=True)
    locked = locked.execution_options(populate_existing=True)
    claimed = list(session.exec(locked).all())
    for source in claimed:
        source.lease_owner, source.lease_expires_at = owner, now + lease
        session.add(source)
    session.flush()
    return claimed


def renew_leases(session: Session, *, owner: str, source_ids: Sequence[int], until: datetime) -> int:
    """Extend `owner`'s leases on these sources to `until`; how many it still held. The caller commits.

    A poll can outlast the lease (a slow server, a loaded machine): renewed while it runs, its source is
    never taken by another worker mid-poll, while a dead worker's leases still expire. A lease already
    released (the poll finished) is left alone.
    """
    if not source_ids:
        return 0
    statement = (
        update(Source)
        .where(col(Source.id).in_(list(source_ids)), col(Source.lease_owner) == owner)
        .values(lease_expires_at=until)
    )
    return session.exec(statement).rowcount  # type: ignore[call-overload]


def lease_holders(session: Session, names: Collection[str], *, now: datetime) -> dict[str, str]:
    """Of the named sources, those a worker is polling right now (leased): name → worker."""
    statement = select(Source.name, Source.lease_owner).where(
        col(Source.name).in_(list(names)), col(Source.lease_expires_at) > now
    )
    return {name: owner or "?" for name, owner in session.exec(statement).all()}


def enabled_names(session: Session, names: Collection[str]) -> set[str]:
    """Of the named sources, those stored and enabled (the others cannot be polled)."""
    statement = select(Source.name).where(col(Source.name).in_(list(names)), col(Source.enabled))
    return set(session.exec(statement).all())


def release_leases(session: Session, *, owner: str, keep: Collection[str] = ()) -> int:
    """Release the sources leased to `owner` except those named in `keep`; how many. The caller commits."""
    statement = (
        update(Source)
        .where(col(Source.lease_owner) == owner, col(Source.name).not_in(list(keep)))
        .values(lease_owner=None, lease_expires_at=None)
    )
    return int(session.exec(statement).rowcount)  # type: ignore[call-overload]


def release_lease(session: Session, *, owner: str, source_id: int) -> bool:
    """Release one source if `owner` still holds it; whether it did. The caller commits."""
    statement = (
        update(Source)
        .where(col(Source.id) == source_id, col(Source.lease_owner) == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )
    return bool(session.exec(statement).rowcount)  # type: ignore[call-overload]


def next_due_at(session: Session) -> datetime | None:
    """When the soonest pollable source falls due (None: no pollable source, or one is due now)."""
    statement = select(func.min(Source.next_check_at)).where(
        col(Source.enabled).is_(True), col(Source.disabled_reason).is_(None)
    )
    return session.exec(statement).one()


def _pollable(now: datetime) -> Any:
    """Enabled, not gone, not leased to anyone right now; the most overdue first."""
    return (
        select(Source)
        .where(col(Source.enabled).is_(True), col(Source.disabled_reason).is_(None))
        .where(or_(col(Source.lease_expires_at).is_(None), col(Source.lease_expires_at) <= now))
        .order_by(col(Source.next_check_at).asc().nulls_first(), col(Source.id))
    )


def _due(now: datetime) -> Any:
    return or_(col(Source.next_check_at).is_(None), col(Source.next_check_at) <= now)


def record_fetch_success(
    session: Session,
    source_id: int,
    *,
    etag: str | None,
    last_modified: str | None,
    final_url: str | None = None,
    now: datetime,
    next_check_at: datetime | None = None,
    body_hash: str | None = None,
    reason: str | None = None,
    warning: str | None = None,
) -> None:
    """A fetch returned a body: keep its validators and the parser's warning (None: the feed was clean),
    follow a permanent redirect, clear the error state; `reason` says why the next check is at
    `next_check_at`."""
    values: dict[str, Any] = {
        "etag": etag,
        "last_modified": last_modified,
        "body_hash": body_hash,
        "last_warning": warning[:MAX_WARNING_CHARS] if warning else None,
    }
    if final_url:
        values["url"] = final_url
    values["next_check_reason"] = reason
    _succeeded(session, source_id, values, now=now, next_check_at=next_check_at)


def record_not_modified(
    session: Session,
    source_id: int,
    *,
    now: datetime,
    next_check_at: datetime | None = None,
    reason: str | None = None,
) -> None:
    """The server answered 304 (or sent the same bytes): nothing new, and the source is healthy."""
    record_not_modified_many(session, [NotModified(source_id, now, next_check_at, reason)])


class NotModified(NamedTuple):
    """One source checked at `checked_at` with nothing new, to check again at `next_check_at` (why)."""

    source_id: int
    checked_at: datetime
    next_check_at: datetime | None
    reason: str | None = None


def record_not_modified_many(session: Session, rows: Sequence[NotModified]) -> None:
    """`record_not_modified` for many sources in one statement (executemany): a warm cycle's main write."""
    if rows:
        parameters = [
            {"b_id": r.source_id, "b_now": r.checked_at, "b_next": r.next_check_at, "b_why": r.reason}
            for r in rows
        ]
        session.connection().execute(_NOT_MODIFIED, parameters)


def record_fetch_failure(
    session: Session,
    source: Source,
    message: str,
    *,
    now: datetime,
    next_check_at: datetime | None = None,
    reason: str | None = None,
) -> None:
    """A fetch failed: keep the short user-facing message and count the failures in a row."""
    source.last_checked_at = now
    source.last_error = message[:MAX_ERROR_CHARS]
    source.consecutive_failures += 1
    source.next_check_at = next_check_at
    source.next_check_reason = reason
    source.lease_owner = source.lease_expires_at = None
    session.add(source)
    session.flush()


def record_gone(session: Session, source: Source, message: str, *, now: datetime) -> None:
    """The publisher removed the feed (410): stop polling it, with the reason shown, until its URL changes."""
    record_fetch_failure(session, source, message, now=now)
    source.disabled_reason = message[:MAX_ERROR_CHARS]
    session.add(source)
    session.flush()


def _not_modified_statement() -> Any:
    table = Source.__table__  # type: ignore[attr-defined]
    moment = table.c.last_checked_at.type
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            last_checked_at=bindparam("b_now", type_=moment),
            last_success_at=bindparam("b_now", type_=moment),
            next_check_at=bindparam("b_next", type_=moment),
            next_check_reason=bindparam("b_why"),
            last_error=None,
            consecutive_failures=0,
            lease_owner=None,
            lease_expires_at=None,
        )
    )


_NOT_MODIFIED = _not_modified_statement()


def _succeeded(
    session: Session, source_id: int, values: dict[str, Any], *, now: datetime, next_check_at: datetime | None
) -> None:
    """One UPDATE, without loading the row: this runs for every poll of every source. A `Source` of this
    row already loaded in the session keeps its old values until refreshed."""
    values |= {"last_checked_at": now, "last_success_at": now, "last_error": None, "consecutive_failures": 0}
    values |= {"next_check_at": next_check_at, "lease_owner": None, "lease_expires_at": None}
    table = Source.__table__  # type: ignore[attr-defined]
    session.connection().execute(update(table).where(table.c.id == source_id).values(**values))


def get_source(session: Session, name: str) -> Source | None:
    """The stored source of that name, or None before it is first synced."""
    return session.exec(select(Source).where(Source.name == name)).first()
