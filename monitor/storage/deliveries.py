"""The outbox: claim deliveries that are due, then record how each attempt went.

A channel's alerts go out in the order they were written: only a channel's oldest pending delivery (its
head) decides whether the channel is due, and a claim takes the head and the deliveries queued behind it,
oldest first. While the head waits for a retry, nothing later of that channel is sent, so a channel that
comes back after an outage gets its backlog oldest first, before anything newer.

Claiming leases rows: their `next_attempt_at` moves `lease` into the future and the claim is committed before
anything is sent, so no other worker takes the channel meanwhile (PostgreSQL also skips rows another claim
holds locked, SQLite lets one writer at a time in). The sender renews the lease while it sends
(`renew_claims`); a worker killed meanwhile leaves a short lease that soon expires, and the alert it may have
sent is sent again: delivery is at-least-once, a rare duplicate being preferred to a lost alert.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from monitor.storage.hits import HitRecord, alert_rules, hit_records_query, to_hit_record
from monitor.storage.stories import StoryReach, story_reach
from monitor.storage.tables import Article, Delivery, DeliveryStatus, DigestItem, Hit, Notice, StoryArticle

DEFAULT_LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 2_000


@dataclass(frozen=True)
class NoticeRecord:
    """A notice about monitor itself, as sent: a title and a plain-text body."""

    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class HeldItem:
    """A held hit as a digest lists it. `kind` is `alert` for the story's alert, `also` for a later article
    of a story that had alerted; `story` is the article's story now (after any merge), if it has one."""

    hit: HitRecord
    kind: str
    reason: str
    story: int | None
    language: str | None


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery taken for sending and what it announces (a hit or a notice); `attempts` counts the
    earlier attempts."""

    id: int
    channel: str
    attempts: int
    created_at: datetime
    hit: HitRecord | None = None
    notice: NoticeRecord | None = None
    rules: tuple[str, ...] = ()
    """Every rule the alert names, when the article matched several rules routed to the channel."""
    digest: str | None = None
    """For a digest: why its alerts were held (digest, quiet_hours, max_per_hour)."""
    held: tuple[HeldItem, ...] = ()
    """For a digest: the held alerts it lists."""
    story: StoryReach | None = None
    """The story of the hit's article, when it has one."""


def claim_due_deliveries(
    session: Session, *, now: datetime, limit: int, lease: timedelta = DEFAULT_LEASE
) -> list[ClaimedDelivery]:
    """Lease the queues of channels whose oldest pending delivery is due: up to `limit` deliveries in all,
    each channel's oldest first, grouped by channel; the caller commits."""
    older = aliased(Delivery)
    due = or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now)
    heads = (
        select(Delivery.id, Delivery.channel)
        .where(Delivery.status == DeliveryStatus.PENDING.value, due)
        .where(
            ~exists().where(
                col(older.channel) == col(Delivery.channel),
                col(older.status) == DeliveryStatus.PENDING.value,
                col(older.id) < col(Delivery.id),
            )
        )
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
    )
    ids: list[int] = []
    for head_id, channel in session.exec(heads).all():
        if len(ids) >= limit or head_id is None:
            break
        # Locked, and the head due still: a worker that claimed the channel meanwhile keeps it.
        queue = (
            select(Delivery.id)
            .where(Delivery.channel == channel, Delivery.status == DeliveryStatus.PENDING.value)
            .where(or_(col(Delivery.id) > head_id, (col(Delivery.id) == head_id) & due))
            .order_by(col(Delivery.id))
            .limit(limit - len(ids))
            .with_for_update(skip_locked=True)
        )
        taken = [delivery_id for delivery_id in session.exec(queue).all() if delivery_id is not None]
        if taken and taken[0] == head_id:
            ids += taken
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
    digests = held_items(session, [d.id for d in deliveries.values() if d.digest is not None and d.id])
    named = alert_rules(session, [(d.hit_id, d.channel) for d in deliveries.values() if d.hit_id is not None])
    reach = story_reach(session, sorted({hit.article_id for hit in hits.values()}))
    claimed = []
    for delivery_id in ids:
        delivery = deliveries[delivery_id]
        hit = hits.get(delivery.hit_id) if delivery.hit_id is not None else None
        notice = notices.get(delivery.notice_id) if delivery.notice_id is not None else None
        held = tuple(digests.get(delivery_id, ()))
        if delivery.digest is not None and not held:  # its hits were deleted: nothing left to send
            _finish(session, delivery_id, status=DeliveryStatus.FAILED, last_error="its alerts were deleted")
            continue
        if hit is not None or notice is not None or held:
            rules = named.get((delivery.hit_id, delivery.channel), ()) if delivery.hit_id is not None else ()
            story = reach.get(hit.article_id) if hit is not None else None
            claimed.append(
                ClaimedDelivery(
                    delivery_id,
                    delivery.channel,
                    delivery.attempts,
                    delivery.created_at,
                    hit,
                    notice,
                    rules,
                    delivery.digest,
                    held,
                    story,
                )
            )
    return claimed


def held_items(session: Session, delivery_ids: Sequence[int]) -> dict[int, list[HeldItem]]:
    """The held alerts each of these digest deliveries includes, in the order they were held."""
    if not delivery_ids:
        return {}
    statement = (
        hit_records_query()
        .add_columns(DigestItem, StoryArticle.story_id)
        .join(DigestItem, col(DigestItem.hit_id) == Hit.id)
        .outerjoin(StoryArticle, col(StoryArticle.article_id) == Article.id)
        .where(col(DigestItem.delivery_id).in_(list(delivery_ids)))
        .order_by(col(DigestItem.id))
    )
    found: dict[int, list[HeldItem]] = {}
    for hit, article, source, item, story in session.exec(statement):
        assert item.delivery_id is not None
        record = to_hit_record(hit, article, source)
        held = HeldItem(record, item.kind, item.reason, story, article.language)
        found.setdefault(item.delivery_id, []).append(held)
    return found


def renew_claims(session: Session, delivery_ids: Collection[int], *, until: datetime) -> None:
    """Extend the lease of deliveries still being sent to `until`; the caller commits."""
    if delivery_ids:
        session.exec(
            update(Delivery)
            .where(col(Delivery.id).in_(list(delivery_ids)))
            .where(col(Delivery.status) == DeliveryStatus.PENDING.value)
            .values(next_attempt_at=until)
        )


def release_claims(session: Session, delivery_ids: Collection[int], *, next_attempt_at: datetime) -> None:
    """Give back claimed deliveries that were not attempted (their channel's head failed): they wait
    behind the head, due with it at `next_attempt_at`; the caller commits."""
    renew_claims(session, delivery_ids, until=next_attempt_at)


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


def undelivered_count(session: Session) -> int:
    """Alerts held up by failures: failed deliveries, and once any attempt failed, every pending one (they
    wait for a retry, or behind an earlier alert of their channel that does); 0 when nothing failed."""
    failing = or_(
        col(Delivery.status) == DeliveryStatus.FAILED.value,
        (col(Delivery.status) == DeliveryStatus.PENDING.value) & col(Delivery.last_error).is_not(None),
    )
    if not session.exec(select(Delivery.id).where(failing).limit(1)).first():
        return 0
    counts = delivery_counts(session)
    return counts[DeliveryStatus.FAILED.value] + counts[DeliveryStatus.PENDING.value]


def _finish(session: Session, delivery_id: int, *, status: DeliveryStatus, **values: Any) -> bool:
    """One attempt more, the new status and values, only if the delivery is still pending."""
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) == DeliveryStatus.PENDING.value)
        .values(status=status.value, attempts=col(Delivery.attempts) + 1, **values)
    )
    return bool(session.exec(statement).rowcount)
