"""Deliveries as plain values for people and programs: what `monitor deliveries --format json` prints and
the desk's REST API returns, errors with any URL starred out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.alerts.redaction import mask_urls_in
from monitor.sanitize import sanitize
from monitor.storage.outbox import DeliveryRow


def delivery_fields(row: DeliveryRow, now: datetime) -> dict[str, Any]:
    """One delivery as JSON-able values: times in ISO 8601 UTC, its age in seconds, its error masked."""
    return {
        "id": row.id,
        "channel": row.channel,
        "status": row.status,
        "attempts": row.attempts,
        "age_seconds": int(row.age(now).total_seconds()),
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "last_error": mask_urls_in(row.last_error) if row.last_error else None,
        "sent_at": iso(row.sent_at),
        "created_at": iso(row.created_at),
        "subject": sanitize(row.subject),
        "hit_id": row.hit_id,
    }


def iso(moment: datetime | None) -> str | None:
    """`2026-12-01T19:30:00Z`, or None."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None
