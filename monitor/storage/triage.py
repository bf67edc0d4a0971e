"""Triage of hits: state, star, tags and notes, each change kept in the hit's audit trail.

States: `new` (not looked at), `seen` (opened), `relevant`, `irrelevant`. Opening an article marks its
new hits seen. Bulk changes apply to a list of hits or to every hit of a filter, in one statement each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from monitor.errors import DeskError, NotFound
from monitor.storage.hitlog import STATES, HitFilter, filtered_hit_ids
from monitor.storage.tables import Hit, HitEvent, HitNote, HitTag, MissedMatch
from monitor.storage.upsert import insert_if_absent

MAX_TAG_CHARS = 100
MAX_NOTE_CHARS = 10_000
MAX_TAGS_PER_HIT = 50

_hit = Hit.__table__  # type: ignore[attr-defined]
_event = HitEvent.__table__  # type: ignore[attr-defined]
_tag = HitTag.__table__  # type: ignore[attr-defined]

Target = Sequence[int] | HitFilter
"""The hits a change applies to: their ids, or every hit a filter keeps."""


@dataclass(frozen=True)
class NoteRecord:
    id: int
    hit_id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class EventRecord:
    actor: str
    action: str
    detail: str
    created_at: datetime


def check_state(state: str) -> str:
    if state not in STATES:
        raise DeskError(f"unknown state {state!r}: one of {', '.join(STATES)}")
    return state


def check_tag(tag: str) -> str:
    """A tag: trimmed, 1–100 printable characters."""
    tag = " ".join(tag.split())
    if not tag or len(tag) > MAX_TAG_CHARS or not tag.isprintable():
        raise DeskError("a tag is 1 to 100 printable characters")
    return tag


def _ids(session: Session, target: Target) -> Any:
    """The target as something `IN (…)` takes."""
    if isinstance(target, HitFilter):
        return filtered_hit_ids(target, session.get_bind().dialect.name).correlate(None)
    return [int(hit_id) for hit_id in target]


def set_state(session: Session, target: Target, state: str, *, actor: str, now: datetime) -> int:
    """Move the hits to `state` (those already there are left alone); how many changed."""
    check_state(state)
    changing = sa.and_(_hit.c.id.in_(_ids(session, target)), _hit.c.state != state)
    return _change(session, changing, {"state": state}, actor, "state", _hit.c.state + " → " + state, now)


def set_starred(session: Session, target: Target, starred: bool, *, actor: str, now: datetime) -> int:
    changing = sa.and_(_hit.c.id.in_(_ids(session, target)), _hit.c.starred.is_not(starred))
    detail = sa.literal("starred" if starred else "unstarred")
    return _change(session, changing, {"starred": starred}, actor, "star", detail, now)


def mark_seen(session: Session, article_id: int, *, actor: str, now: datetime) -> int:
    """An article was opened: its new hits become seen."""
    changing = sa.and_(_hit.c.article_id == article_id, _hit.c.state == "new")
    return _change(session, changing, {"state": "seen"}, actor, "state", sa.literal("new → seen"), now)


def _change(
    session: Session,
    changing: Any,
    values: dict[str, Any],
    actor: str,
    action: str,
    detail: Any,
    now: datetime,
) -> int:
    """Record the events of the hits about to change (their old values in `detail`), then change them."""
    events = sa.select(
        _hit.c.id,
        sa.literal(actor[:100]),
        sa.literal(action),
        detail,
        sa.literal(now, _event.c.created_at.type),
    ).where(changing)
    connection = session.connection()
    connection.execute(
        _event.insert().from_select(["hit_id", "actor", "action", "detail", "created_at"], events)
    )
    return connection.execute(_hit.update().where(changing).values(**values)).rowcount


def add_tag(session: Session, target: Target, tag: str, *, actor: str, now: datetime) -> int:
    """Tag the hits; how many gained the tag."""
    tag = check_tag(tag)
    untagged = sa.and_(
        _hit.c.id.in_(_ids(session, target)),
        ~sa.exists().where(_tag.c.hit_id == _hit.c.id, _tag.c.tag == tag),
    )
    hits = sa.select(_hit.c.id).where(untagged)
    ids = [hit_id for (hit_id,) in session.connection().execute(hits)]
    if not ids:
        return 0
    connection = session.connection()
    connection.execute(_tag.insert(), [{"hit_id": hit_id, "tag": tag} for hit_id in ids])
    row = {"actor": actor[:100], "action": "tag", "detail": f"+{tag}", "created_at": now}
    connection.execute(_event.insert(), [{"hit_id": hit_id, **row} for hit_id in ids])
    return len(ids)


def remove_tag(session: Session, target: Target, tag: str, *, actor: str, now: datetime) -> int:
    tag = check_tag(tag)
    tagged = sa.and_(_tag.c.hit_id.in_(_ids(session, target)), _tag.c.tag == tag)
    ids = [hit_id for (hit_id,) in session.connection().execute(sa.select(_tag.c.hit_id).where(tagged))]
    if not ids:
        return 0
    connection = session.connection()
    connection.execute(_tag.delete().where(_tag.c.tag == tag, _tag.c.hit_id.in_(ids)))
    row = {"actor": actor[:100], "action": "tag", "detail": f"-{tag}", "created_at": now}
    connection.execute(_event.insert(), [{"hit_id": hit_id, **row} for hit_id in ids])
    return len(ids)


def add_note(session: Session, hit_id: int, body: str, *, author: str, now: datetime) -> NoteRecord:
    """A plain-text note on a hit (its text is shown escaped, never as markup)."""
    body = body.strip()
    if not body:
        raise DeskError("a note needs some text")
    if session.get(Hit, hit_id) is None:
        raise NotFound(f"no hit {hit_id}")
    note = HitNote(hit_id=hit_id, author=author[:100], body=body[:MAX_NOTE_CHARS], created_at=now)
    session.add(note)
    session.add(HitEvent(hit_id=hit_id, actor=author[:100], action="note", detail="", created_at=now))
    session.flush()
    assert note.id is not None
    return NoteRecord(note.id, hit_id, note.author, note.body, note.created_at)


def notes_of(session: Session, hit_ids: Sequence[int]) -> list[NoteRecord]:
    statement = select(HitNote).where(col(HitNote.hit_id).in_(list(hit_ids))).order_by(col(HitNote.id))
    return [NoteRecord(n.id or 0, n.hit_id, n.author, n.body, n.created_at) for n in session.exec(statement)]


def events_of(session: Session, hit_id: int) -> list[EventRecord]:
    statement = select(HitEvent).where(HitEvent.hit_id == hit_id).order_by(col(HitEvent.id))
    return [EventRecord(e.actor, e.action, e.detail, e.created_at) for e in session.exec(statement)]


def tags_of(session: Session, hit_id: int) -> list[str]:
    statement = select(HitTag.tag).where(HitTag.hit_id == hit_id).order_by(col(HitTag.tag))
    return list(session.exec(statement))


def report_missed(
    session: Session, article_id: int, rule: str, *, actor: str, note: str = "", now: datetime
) -> bool:
    """Record that `rule` should have matched the article; False when it was reported already."""
    row = {"article_id": article_id, "rule": rule[:200], "reported_by": actor[:100]}
    row |= {"note": note[:MAX_NOTE_CHARS], "created_at": now}
    return insert_if_absent(session, MissedMatch, row, ("article_id", "rule")) is not None


def missed_rules(session: Session, article_id: int) -> list[str]:
    statement = select(MissedMatch.rule).where(MissedMatch.article_id == article_id)
    return sorted(session.exec(statement))
