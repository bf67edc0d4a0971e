"""Notices: messages about monitor itself (a source failing, silent, recovered), sent through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from monitor.storage.tables import Delivery, DeliveryStatus, Notice, Source


def record_notice(
    session: Session,
    *,
    kind: str,
    title: str,
    body: str,
    channels: Sequence[str],
    now: datetime,
    source: Source | None = None,
) -> Notice:
    """Store a notice and, in the caller's transaction, one pending delivery per channel."""
    notice = Notice(
        kind=kind, title=title, body=body, created_at=now, source_id=source.id if source else None
    )
    session.add(notice)
    session.flush()
    for channel in dict.fromkeys(channels):
        session.add(
            Delivery(
                notice_id=notice.id,
                channel=channel,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()
    return notice
