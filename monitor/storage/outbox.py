"""The outbox as people read it: deliveries by status and channel, with their masked error, and retry now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    """What the alert announces: the hit's rule and article title, or the notice's title."""
    hit_id: int | None


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
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.status) != DeliveryStatus.SENT.value)
        .values(status=DeliveryStatus.PENDING.value, next_attempt_at=now, attempts=0)
    )
    if not session.exec(statement).rowcount:  # type: ignore[call-overload]
        raise NotFound(f"no delivery {delivery_id} waiting or failed")
