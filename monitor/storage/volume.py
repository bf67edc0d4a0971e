"""Hits per rule over stretches of time, and the volume episodes open (see `monitor.pipeline.volume`).

Counts come from the (rule, matched_at) index of `hit`: a range per rule, no table scan, and a count can
stop at a limit (a rule's usual rate only needs counting until it is clear there is no spike).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from monitor.storage.tables import Hit, VolumeEpisode
from monitor.storage.types import as_utc


def hits_between(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """How many hits each rule got with `start` < matched_at <= `end` (rules without any left out)."""
    statement = (
        select(Hit.rule, sa.func.count())
        .where(col(Hit.matched_at) > start, col(Hit.matched_at) <= end)
        .group_by(col(Hit.rule))
    )
    return {rule: int(count) for rule, count in session.exec(statement)}


def rule_hits_between(
    session: Session, rule: str, start: datetime, end: datetime, *, limit: int | None = None
) -> int:
    """How many hits `rule` got with `start` < matched_at <= `end`, counting no further than `limit`."""
    statement = select(Hit.id).where(
        Hit.rule == rule, col(Hit.matched_at) > start, col(Hit.matched_at) <= end
    )
    if limit is not None:
        statement = statement.limit(limit)
    counted = session.exec(select(sa.func.count()).select_from(statement.subquery())).one()
    return int(counted)


def first_hit_at(session: Session, rule: str) -> datetime | None:
    """When `rule` first matched, as far as the stored hits go."""
    found = session.exec(select(sa.func.min(Hit.matched_at)).where(Hit.rule == rule)).one()
    return as_utc(found) if found is not None else None


def open_episodes(session: Session) -> set[str]:
    """The rules whose spike was reported and has not ended."""
    return set(session.exec(select(VolumeEpisode.rule)))


def open_episode(session: Session, rule: str, *, hits: int, now: datetime) -> bool:
    """Record that `rule`'s spike is reported; False when another process recorded it first."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = VolumeEpisode.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(rule=rule, started_at=now, hits=hits)
        .on_conflict_do_nothing()
        .returning(table.c.rule)
    )
    return session.exec(statement).first() is not None  # type: ignore[call-overload]


def close_episodes(session: Session, rules: Collection[str]) -> None:
    """End the episodes of these rules (their rate is back to usual)."""
    if rules:
        session.exec(delete(VolumeEpisode).where(col(VolumeEpisode.rule).in_(list(rules))))  # type: ignore[call-overload]
