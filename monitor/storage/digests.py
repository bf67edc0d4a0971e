"""Alerts held for a digest: durable rows until a digest takes them, in the transaction that writes it.

A hit held for a channel (its digest, its quiet hours, its `max_per_hour`) is a `digest_item` row written in
the transaction that records the hit, with the time it is due. When items are due, `make_digest` writes one
digest delivery to the outbox and points the items at it in one transaction: a crash before the commit
leaves them held for the next run, and once committed the digest is an outbox row like any alert
(at-least-once, in its channel's order). Items are claimed with `FOR UPDATE SKIP LOCKED` and marked only
where still free, so two workers never put the same item in two digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from monitor.storage.tables import Article, Delivery, DeliveryStatus, DigestItem, Hit, Source
from monitor.storage.types import utc_moment
from monitor.storage.upsert import insert_if_absent

MAX_ITEMS_PER_DIGEST = 200
"""A digest lists at most this many held alerts; the rest go in the next one, written right after."""
KINDS = ("alert", "also")
BUDGET_LOCK_KEY = 0x5708_1E6
"""The PostgreSQL advisory lock key under which `max_per_hour` budgets are counted (taken after the story
lock, never before it)."""
_item = DigestItem.__table__  # type: ignore[attr-defined]
_hit = Hit.__table__  # type: ignore[attr-defined]
_article = Article.__table__  # type: ignore[attr-defined]
_source = Source.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Hold:
    """An alert held until `until`, and why: digest, quiet_hours or max_per_hour."""

    until: datetime
    reason: str


def hold_hit(session: Session, hit_id: int, channel: str, hold: Hold, *, kind: str, now: datetime) -> None:
    """Keep this hit for the channel's next digest (once: a hit held twice for a channel stays one item)."""
    assert kind in KINDS
    values = {"hit_id": hit_id, "channel": channel, "kind": kind, "reason": hold.reason}
    values |= {"due_at": hold.until, "created_at": now}
    insert_if_absent(session, DigestItem, values, ("hit_id", "channel"))


def alerts_since(session: Session, channel: str, since: datetime) -> int:
    """How many alerts (single or digest, notices aside) were written for `channel` since `since`.

    On PostgreSQL the count is taken under a transaction-level lock, so that workers recording alerts at
    once count one after the other and do not both spend the last alert of a `max_per_hour` (SQLite has one
    writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=BUDGET_LOCK_KEY))  # type: ignore[call-overload]
    statement = select(func.count()).where(
        Delivery.channel == channel, col(Delivery.created_at) >= since, col(Delivery.notice_id).is_(None)
    )
    return int(session.exec(statement).one())


def channels_with_due_items(session: Session, now: datetime) -> list[str]:
    """The channels that have held alerts due at `now`."""
    statement = (
        select(DigestItem.channel)
        .where(col(DigestItem.delivery_id).is_(None), col(DigestItem.due_at) <= now)
        .distinct()
        .order_by(DigestItem.channel)
    )
    return list(session.exec(statement).all())


def make_digest(session: Session, channel: str, now: datetime) -> int | None:
    """Write one digest delivery for the channel's due items (up to MAX_ITEMS_PER_DIGEST, oldest first)
    and mark them as included; its id, or None when there was nothing to take. The caller commits."""
    free = (
        select(DigestItem.id, DigestItem.reason)
        .where(DigestItem.channel == channel, col(DigestItem.delivery_id).is_(None))
        .where(col(DigestItem.due_at) <= now)
        .order_by(col(DigestItem.id))
        .limit(MAX_ITEMS_PER_DIGEST)
        .with_for_update(skip_locked=True)
    )
    taken = session.exec(free).all()
    if not taken:
        return None
    reasons = {reason for _, reason in taken}
    delivery = Delivery(
        channel=channel,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        digest=reasons.pop() if len(reasons) == 1 else "digest",
    )
    session.add(delivery)
    session.flush()
    ids = [item_id for item_id, _ in taken]
    marked = session.exec(
        update(DigestItem)
        .where(col(DigestItem.id).in_(ids), col(DigestItem.delivery_id).is_(None))
        .values(delivery_id=delivery.id)
    )
    if marked.rowcount != len(ids):  # type: ignore[attr-defined]
        raise RuntimeError(f"held alerts of channel {channel!r} were taken by another digest meanwhile")
    return delivery.id


def held_count(session: Session, channel: str | None = None) -> int:
    """How many alerts wait for a digest (of one channel, if given)."""
    statement = select(func.count()).where(col(DigestItem.delivery_id).is_(None))
    if channel is not None:
        statement = statement.where(DigestItem.channel == channel)
    return int(session.exec(statement).one())


@dataclass(frozen=True)
class DigestEntry:
    """One alert a digest delivery includes, as the outbox page lists it."""

    hit_id: int
    rule: str
    title: str
    source: str
    kind: str


@dataclass(frozen=True)
class DigestContents:
    entries: tuple[DigestEntry, ...]
    total: int
    """How many alerts the digest includes (more than `entries` when the listing was cut)."""


@dataclass(frozen=True)
class HeldAlerts:
    """The alerts a channel holds for one reason, and when the first and last of them go out."""

    channel: str
    reason: str
    count: int
    next_at: datetime
    last_at: datetime


def digest_contents(
    session: Session, delivery_ids: Sequence[int], *, per_digest: int
) -> dict[int, DigestContents]:
    """The alerts each of these digest deliveries includes, oldest first, at most `per_digest` each."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return {}
    place = sa.func.row_number().over(partition_by=_item.c.delivery_id, order_by=_item.c.id).label("place")
    total = sa.func.count().over(partition_by=_item.c.delivery_id).label("total")
    ranked = (
        sa.select(_item.c.delivery_id, _item.c.hit_id, _item.c.kind, _item.c.id, place, total)
        .where(_item.c.delivery_id.in_(ids))
        .subquery()
    )
    statement = (
        sa.select(ranked.c.delivery_id, ranked.c.hit_id, ranked.c.kind, ranked.c.total)
        .add_columns(_hit.c.rule, _article.c.title, _source.c.name)
        .select_from(
            ranked.join(_hit, _hit.c.id == ranked.c.hit_id)
            .join(_article, _article.c.id == _hit.c.article_id)
            .join(_source, _source.c.id == _article.c.source_id)
        )
        .where(ranked.c.place <= per_digest)
        .order_by(ranked.c.delivery_id, ranked.c.id)
    )
    entries: dict[int, list[DigestEntry]] = {}
    totals: dict[int, int] = {}
    for delivery_id, hit_id, kind, count, rule, title, name in session.connection().execute(statement):
        entries.setdefault(delivery_id, []).append(DigestEntry(hit_id, rule, title, name, kind))
        totals[delivery_id] = count
    return {key: DigestContents(tuple(value), totals[key]) for key, value in entries.items()}


def held_alerts(session: Session) -> list[HeldAlerts]:
    """The alerts held now, by channel and reason, with the first and last time they are due."""
    statement = (
        sa.select(_item.c.channel, _item.c.reason, sa.func.count(), sa.func.min(_item.c.due_at))
        .add_columns(sa.func.max(_item.c.due_at))
        .where(_item.c.delivery_id.is_(None))
        .group_by(_item.c.channel, _item.c.reason)
        .order_by(_item.c.channel, _item.c.reason)
    )
    return [
        HeldAlerts(channel, reason, int(count), utc_moment(first), utc_moment(last))
        for channel, reason, count, first, last in session.connection().execute(statement)
    ]
