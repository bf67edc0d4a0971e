"""The REST API, /api/v1: what the desk's pages do, as JSON, with a bearer token (or the session cookie and
its CSRF header). Errors are JSON objects with a message: `{"error": "…"}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from monitor import clock
from monitor.alerts.listing import delivery_fields
from monitor.storage.deliveries import delivery_counts
from monitor.storage.health import list_source_health
from monitor.storage.hitlog import hit_page
from monitor.storage.outbox import list_deliveries, retry_now
from monitor.storage.reading import hit_detail, load_article
from monitor.storage.stories import stories_of
from monitor.storage.triage import add_note, add_tag, remove_tag, set_starred, set_state
from monitor.storage.users import (
    Role,
    TokenKind,
    add_user,
    create_token,
    list_accounts,
    list_tokens,
    remove_user,
    revoke_token,
)
from monitor.web.checks import check_source
from monitor.web.desk import MAX_ID, Desk, RowId, admin, analyst, get_desk, reader
from monitor.web.exports import export_response, hit_json, iso
from monitor.web.filters import hit_filter, page_cursor
from monitor.web.security import Caller

router = APIRouter(prefix="/api/v1", tags=["api"])
State = Literal["new", "seen", "relevant", "irrelevant"]


class FilterParams(BaseModel):
    """A hit log filter (every field optional)."""

    rule: list[str] = Field(default_factory=list, max_length=50)
    source: list[str] = Field(default_factory=list, max_length=50)
    language: list[str] = Field(default_factory=list, max_length=50)
    state: list[State] = Field(default_factory=list)
    tag: str | None = Field(None, max_length=100)
    starred: Literal["yes", "no"] | None = None
    since: str | None = Field(None, max_length=40, description="7d, or an ISO date")
    until: str | None = Field(None, max_length=40)
    q: str | None = Field(None, max_length=500, description="full-text search")


def _filter(request: Request) -> Any:
    return hit_filter(request.query_params)


@router.get("/hits")
def hits(
    request: Request,
    rule: list[str] = Query([]),
    source: list[str] = Query([]),
    language: list[str] = Query([]),
    state: list[State] = Query([]),
    tag: str | None = None,
    starred: Literal["yes", "no"] | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = Query(None, max_length=500),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> dict[str, Any]:
    """A page of the hit log, newest first, each hit with its `story` (null for an article stored without
    one); pass `next_cursor` as `cursor` for the next one."""
    with desk.database.read_session() as session:
        page = hit_page(session, _filter(request), after=page_cursor(cursor), limit=limit)
        stories = stories_of(session, [row.article_id for row in page.rows])
    found = [{**hit_json(row), "story": stories.get(row.article_id)} for row in page.rows]
    return {"hits": found, "next_cursor": page.next_cursor}


@router.get("/hits/export")
def export(
    request: Request,
    format: Literal["csv", "json"] = "csv",
    rule: list[str] = Query([]),
    state: list[State] = Query([]),
    q: str | None = Query(None, max_length=500),
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> Response:
    """Every hit of a filter (the same parameters as /hits) as CSV or JSON."""
    return export_response(desk, _filter(request), format)


@router.get("/hits/counts")
def counts(desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> dict[str, Any]:
    found = desk.hit_counts()
    return {"by_rule": found.by_rule, "by_state": found.by_state, "total": found.total}


@router.get("/hits/{hit_id}")
def hit(hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> dict[str, Any]:
    """One hit with its article, every rule that matched it, tags, notes and audit trail."""
    with desk.database.read_session() as session:
        detail = hit_detail(session, hit_id)
    return {
        "id": detail.hit.hit_id,
        "rule": detail.hit.rule,
        "state": detail.hit.state,
        "starred": detail.hit.starred,
        "article": _article(detail.article),
        "rules": [_rule_hit(rule) for rule in detail.rules],
        "tags": detail.tags,
        "notes": [
            {
                "id": n.id,
                "hit_id": n.hit_id,
                "author": n.author,
                "body": n.body,
                "created_at": iso(n.created_at),
            }
            for n in detail.notes
        ],
        "events": [
            {"actor": e.actor, "action": e.action, "detail": e.detail, "at": iso(e.created_at)}
            for e in detail.events
        ],
        "missed_rules": detail.missed,
    }


class Triage(BaseModel):
    state: State | None = None
    starred: bool | None = None


@router.post("/hits/{hit_id}/triage")
def triage(
    hit_id: RowId, change: Triage, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    with desk.database.session() as session:
        hit_detail(session, hit_id)  # 404 for an unknown hit
        if change.state is not None:
            set_state(session, [hit_id], change.state, actor=caller.name, now=clock.now())
        if change.starred is not None:
            set_starred(session, [hit_id], change.starred, actor=caller.name, now=clock.now())
        session.commit()
        detail = hit_detail(session, hit_id)
    return {"id": hit_id, "state": detail.hit.state, "starred": detail.hit.starred}


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


@router.post("/hits/{hit_id}/notes", status_code=201)
def note(
    hit_id: RowId, note: NoteIn, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    with desk.database.session() as session:
        record = add_note(session, hit_id, note.body, author=caller.name, now=clock.now())
        session.commit()
    return {
        "id": record.id,
        "author": record.author,
        "body": record.body,
        "created_at": iso(record.created_at),
    }


class TagIn(BaseModel):
    tag: str = Field(min_length=1, max_length=100)


@router.post("/hits/{hit_id}/tags")
def tag(
    hit_id: RowId, tag: TagIn, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    return _change_tags(
        desk, hit_id, lambda session: add_tag(session, [hit_id], tag.tag, actor=caller.name, now=clock.now())
    )


@router.delete("/hits/{hit_id}/tags/{tag}")
def untag(
    hit_id: RowId, tag: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    return _change_tags(
        desk, hit_id, lambda session: remove_tag(session, [hit_id], tag, actor=caller.name, now=clock.now())
    )


def _change_tags(desk: Desk, hit_id: int, change: Callable[[Session], object]) -> dict[str, Any]:
    """Apply `change` to the tags of a hit that exists (404 otherwise); the hit's tags after it."""
    with desk.database.session() as session:
        hit_detail(session, hit_id)
        change(session)
        session.commit()
        return {"id": hit_id, "tags": hit_detail(session, hit_id).tags}


class Bulk(BaseModel):
    """One change to the listed hits, or to every hit of `filter`."""

    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list, max_length=10_000)
    filter: FilterParams | None = None
    state: State | None = None
    starred: bool | None = None
    add_tag: str | None = Field(None, min_length=1, max_length=100)


@router.post("/hits/bulk")
def bulk(change: Bulk, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)) -> dict[str, int]:
    target: Any = hit_filter(change.filter.model_dump()) if change.filter is not None else change.ids
    changed = 0
    now = clock.now()
    with desk.database.session() as session:
        if change.state is not None:
            changed += set_state(session, target, change.state, actor=caller.name, now=now)
        if change.starred is not None:
            changed += set_starred(session, target, change.starred, actor=caller.name, now=now)
        if change.add_tag is not None:
            changed += add_tag(session, target, change.add_tag, actor=caller.name, now=now)
        session.commit()
    return {"changed": changed}


@router.get("/articles/{article_id}")
def article(
    article_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> dict[str, Any]:
    with desk.database.read_session() as session:
        view, rules = load_article(session, article_id)
    return {**_article(view), "rules": [_rule_hit(rule) for rule in rules]}


def _article(view: Any) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "text": view.text,
        "url": view.url,
        "source": view.source,
        "language": view.language,
        "published": iso(view.published),
        "first_seen_at": iso(view.first_seen_at),
    }


def _rule_hit(rule: Any) -> dict[str, Any]:
    return {
        "hit_id": rule.hit_id,
        "rule": rule.rule,
        "state": rule.state,
        "starred": rule.starred,
        "matched_at": iso(rule.matched_at),
        "terms": list(rule.terms),
        "highlights": [vars(h) for h in rule.highlights],
    }


@router.get("/sources")
def sources(desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> list[dict[str, Any]]:
    with desk.database.read_session() as session:
        health = list_source_health(session, now=clock.now())
    return [
        {key: iso(value) if hasattr(value, "isoformat") else value for key, value in vars(s).items()}
        for s in health
    ]


@router.post("/sources/{name:path}/check")
async def check_now(
    name: Annotated[str, PathParam(max_length=200)],
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(analyst),
) -> dict[str, Any]:
    """Check a source now, as `monitor poll --source NAME` does: what it found, or its error."""
    return (await check_source(desk, name)).fields()


@router.get("/deliveries")
def deliveries(
    status: Literal["pending", "sent", "failed"] | None = None,
    channel: str | None = None,
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> dict[str, Any]:
    with desk.database.read_session() as session:
        rows = list_deliveries(session, status=status, channel=channel)
        counts = delivery_counts(session)
    now = clock.now()
    return {"counts": counts, "deliveries": [delivery_fields(row, now) for row in rows]}


@router.post("/deliveries/{delivery_id}/retry")
def retry(
    delivery_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)
) -> dict[str, Any]:
    with desk.database.session() as session:
        retry_now(session, delivery_id, now=clock.now())
        session.commit()
    return {"id": delivery_id, "status": "pending"}


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=10, max_length=1000)
    role: Role = Role.viewer


@router.get("/users")
def users(desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)) -> list[dict[str, Any]]:
    with desk.database.read_session() as session:
        return [
            {"name": a.name, "role": a.role.value, "created_at": iso(a.created_at)}
            for a in list_accounts(session)
        ]


@router.post("/users", status_code=201)
def create_user(
    user: UserIn, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)
) -> dict[str, Any]:
    with desk.database.session() as session:
        account = add_user(session, user.name, user.password, user.role, now=clock.now())
        session.commit()
    return {"name": account.name, "role": account.role.value, "created_at": iso(account.created_at)}


@router.delete("/users/{name}")
def delete_user(name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)) -> dict[str, str]:
    with desk.database.session() as session:
        remove_user(session, name)
        session.commit()
    return {"removed": name}


class FeedIn(BaseModel):
    label: str = Field("hits", max_length=200)
    filter: FilterParams = Field(default_factory=lambda: FilterParams.model_validate({}))


@router.get("/feeds")
def feeds(desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> list[dict[str, Any]]:
    with desk.database.read_session() as session:
        tokens = list_tokens(session, caller.name)
    return [
        {"id": t.id, "label": t.label, "filter": t.filters, "created_at": iso(t.created_at)}
        for t in tokens
        if t.kind == TokenKind.feed
    ]


@router.post("/feeds", status_code=201)
def create_feed(
    feed: FeedIn, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """A secret Atom feed URL of a filter, shown once; revoke it with DELETE /feeds/{id}."""
    params = hit_filter(feed.filter.model_dump()).as_params()
    with desk.database.session() as session:
        token = create_token(
            session, caller.name, TokenKind.feed, label=feed.label, filters=params, now=clock.now()
        )
        session.commit()
    return {"url": f"{desk.settings.web.base_url}/feeds/{token}.atom", "label": feed.label, "filter": params}


@router.delete("/feeds/{token_id}")
def delete_feed(
    token_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, int]:
    with desk.database.session() as session:
        revoke_token(session, token_id, user=caller.name)
        session.commit()
    return {"revoked": token_id}
