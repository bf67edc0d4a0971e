"""The outbox as people read it: deliveries by status and channel, and retry now.

The desk's outbox page, its REST API and `monitor deliveries` all read and retry through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from monitor.errors import NotFound
from monitor.storage.tables import Article, Delivery, DeliveryStatus, Hit, Notice


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    subject: str
    """What the alert announces: the hit's rule and article title, the notice's title, or `digest (why)`."""
    hit_id: int | None

    def age(self, now: datetime) -> timedelta:
        """How long the alert has waited (until it was sent, for a sent one)."""
        return max((self.sent_at or now) - self.created_at, timedelta())


def stored_channels(session: Session) -> list[str]:
    """The channels that have deliveries, in name order (a channel removed from the configuration keeps
    its deliveries)."""
    return list(session.exec(select(Delivery.channel).distinct().order_by(Delivery.channel)))


def list_deliveries(
    session: Session, *, status: str | None = None, channel: str | None = None, limit: int = 200
) -> list[DeliveryRow]:
    """Deliveries, newest first, optionally of one status and one channel."""
    statement = (
        select(Delivery, Hit.rule, Article.title, Notice.title)
        .outerjoin(Hit, col(Hit.id) == Delivery.hit_id)
        .outerjoin(Article, col(Article.id) == Hit.article_id)
        .outerjoin(Notice, col(Notice.id) == Delivery.notice_id)
        .order_by(col(Delivery.id).desc())
        .limit(limit)
    )
    if status:
        statement = statement.where(Delivery.status == status)
    if channel:
        statement = statement.where(Delivery.channel == channel)
    rows = []
    for delivery, rule, title, notice in session.exec(statement):
        assert delivery.id is not None
        subject = f"{rule}: {title}" if rule is not None else (notice or "")
        if delivery.digest is not None:
            subject = f"digest ({delivery.digest.replace('_', ' ')})"
        rows.append(
            DeliveryRow(
                delivery.id,
                delivery.channel,
                delivery.status,
                delivery.attempts,
                delivery.next_attempt_at,
                delivery.last_error,
                delivery.sent_at,
                delivery.created_at,
                subject,
                delivery.hit_id,
            )
        )
    return rows


def retry_now(session: Session, delivery_id: int, *, now: datetime) -> None:
    """A failed or pending delivery is due at once (a failed one gets a fresh round of attempts)."""
    if retry_deliveries(session, [delivery_id], now=now):
        raise NotFound(f"no delivery {delivery_id} waiting or failed")


def retry_deliveries(session: Session, delivery_ids: Sequence[int], *, now: datetime) -> list[int]:
    """Make these failed or pending deliveries due at once, with a fresh round of attempts; the ids that
    are neither (sent, or unknown)."""
    statement = (
        update(Delivery)
        .where(col(Delivery.id).in_(list(delivery_ids)), col(Delivery.status) != DeliveryStatus.SENT.value)
        .values(status=DeliveryStatus.PENDING.value, next_attempt_at=now, attempts=0)
        .returning(col(Delivery.id))
    )
    retried = set(session.exec(statement).scalars())  # type: ignore[call-overload]
    return [delivery_id for delivery_id in delivery_ids if delivery_id not in retried]


def retry_failed(session: Session, *, now: datetime, channel: str | None = None) -> int:
    """Every failed delivery (of one channel, if given) is due at once with a fresh round of attempts;
    how many."""
    statement = (
        update(Delivery)
        .where(col(Delivery.status) == DeliveryStatus.FAILED.value)
        .values(status=DeliveryStatus.PENDING.value, next_attempt_at=now, attempts=0)
    )
    if channel:
        statement = statement.where(col(Delivery.channel) == channel)
    return int(session.exec(statement).rowcount)  # type: ignore[call-overload]
