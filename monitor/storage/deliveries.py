"""The outbox: claim deliveries that are due, then record how each attempt went.

Claiming leases a row: its `next_attempt_at` moves `lease` into the future and the claim is committed before
anything is sent, so no other worker takes it meanwhile (PostgreSQL also skips rows another claim holds
locked, SQLite lets one writer at a time in). A worker that dies between sending and recording leaves the
lease to expire and the alert is sent again: delivery is at-least-once, a rare duplicate being preferred to
a lost alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, or_, select

from monitor.storage.hits import HitRecord, alert_rules, hit_records_query, to_hit_record
from monitor.storage.tables import Delivery, DeliveryStatus, Hit, Notice

DEFAULT_LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 2_000


@dataclass(frozen=True)
class NoticeRecord:
    """A notice about monitor itself, as sent: a title and a plain-text body."""

    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery taken for sending and what it announces (a hit or a notice); `attempts` counts the
    earlier attempts."""

    id: int
    channel: str
    attempts: int
    hit: HitRecord | None = None
    notice: NoticeRecord | None = None
    rules: tuple[str, ...] = ()
    """Every rule the alert names, when the article matched several rules routed to the channel."""


def claim_due_deliveries(
    session: Session, *, now: datetime, limit: int, lease: timedelta = DEFAULT_LEASE
) -> list[ClaimedDelivery]:
    """Lease up to `limit` pending deliveries whose time has come, oldest due first; the caller commits."""
    due = (
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.PENDING.value)
        .where(or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now))
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [delivery_id for delivery_id in session.exec(due).all() if delivery_id is not None]
    if not ids:
        return []
    session.exec(update(Delivery).where(col(Delivery.id).in_(ids)).values(next_attempt_at=now + lease))
    deliveries = {d.id: d for d in session.exec(select(Delivery).where(col(Delivery.id).in_(ids)))}
    hit_ids = [d.hit_id for d in deliveries.values() if d.hit_id is not None]
    notice_ids = [d.notice_id for d in deliveries.values() if d.notice_id is not None]
    hits = {
        hit.id: to_hit_record(hit, article, source)
        for hit, article, source in session.exec(hit_records_query().where(col(Hit.id).in_(hit_ids)))
    }
    notices = {
        notice.id: NoticeRecord(notice.kind, notice.title, notice.body)
        for notice in session.exec(select(Notice).where(col(Notice.id).in_(notice_ids)))
    }
    named = alert_rules(session, [(d.hit_id, d.channel) for d in deliveries.values() if d.hit_id is not None])
    claimed = []
    for delivery_id in ids:
        delivery = deliveries[delivery_id]
        hit = hits.get(delivery.hit_id) if delivery.hit_id is not None else None
        notice = notices.get(delivery.notice_id) if delivery.notice_id is not None else None
        if hit is not None or notice is not None:
            rules = named.get((delivery.hit_id, delivery.channel), ()) if delivery.hit_id is not None else ()
            claimed.append(
                ClaimedDelivery(delivery_id, delivery.channel, delivery.attempts, hit, notice, rules)
            )
    return claimed


def mark_sent(session: Session, delivery_id: int, *, now: datetime) -> bool:
    """Record a successful send; the delivery is never sent again. False if it was no longer pending."""
    return _finish(session, delivery_id, status=DeliveryStatus.SENT, sent_at=now, last_error=None)


def mark_attempt_failed(
    session: Session, delivery_id: int, error: str, next_attempt_at: datetime | None
) -> bool:
    """Record a failed attempt and when to try again; with no next attempt the delivery is `failed` for good.

    `error` must already be free of secrets. False if the delivery was no longer pending.
    """
    status = DeliveryStatus.PENDING if next_attempt_at is not None else DeliveryStatus.FAILED
    return _finish(
        session,
        delivery_id,
        status=status,
        next_attempt_at=next_attempt_at,
        last_error=error[:MAX_ERROR_CHARS],
    )


def delivery_counts(session: Session) -> dict[str, int]:
    """How many deliveries are pending, sent and failed (every status present, zero included)."""
    counts = {status.value: 0 for status in DeliveryStatus}
    statement = select(Delivery.status, func.count()).group_by(col(Delivery.status))
    for status, count in session.exec(statement):
        counts[status] = count
    return counts


def _finish(session: Session, delivery_id: int, *, status: DeliveryStatus, **values: Any) -> bool:
    """One attempt more, the new status and values, only if the delivery is still pending."""
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) == DeliveryStatus.PENDING.value)
        .values(status=status.value, attempts=col(Delivery.attempts) + 1, **values)
    )
    return bool(session.exec(statement).rowcount)
