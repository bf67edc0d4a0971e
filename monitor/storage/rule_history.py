"""The history of rules.yaml and concepts.yaml as saved from the rule workshop: who, when, before, after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from monitor.errors import NotFound
from monitor.storage.tables import RuleChange


@dataclass(frozen=True)
class ChangeRecord:
    """One saved change."""

    id: int
    file: str
    subject: str
    actor: str
    summary: str
    before: str
    after: str
    created_at: datetime


def record_change(
    session: Session,
    *,
    file: str,
    subject: str,
    actor: str,
    summary: str,
    before: str,
    after: str,
    now: datetime,
) -> ChangeRecord:
    """Record a saved change, in the caller's transaction."""
    row = RuleChange(
        file=file,
        subject=subject[:200],
        actor=actor,
        summary=summary,
        before=before,
        after=after,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _record(row)


def list_changes(session: Session, *, subject: str | None = None, limit: int = 50) -> list[ChangeRecord]:
    """The latest changes, newest first (of one rule or @concept when `subject` is given)."""
    statement = select(RuleChange).order_by(col(RuleChange.id).desc()).limit(limit)
    if subject is not None:
        statement = statement.where(RuleChange.subject == subject)
    return [_record(row) for row in session.exec(statement)]


def get_change(session: Session, change_id: int) -> ChangeRecord:
    row = session.get(RuleChange, change_id)
    if row is None:
        raise NotFound(f"no saved change #{change_id}")
    return _record(row)


def _record(row: RuleChange) -> ChangeRecord:
    assert row.id is not None
    return ChangeRecord(
        row.id, row.file, row.subject, row.actor, row.summary, row.before, row.after, row.created_at
    )
