"""Stories in the REST API: the latest stories with their articles and hits, one story, and triage of a
whole story (every hit of it, or those of one rule), recorded as the triage of each of its hits."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from monitor import clock
from monitor.errors import DeskError
from monitor.storage.stories import list_stories
from monitor.storage.storylog import StoryHit, StoryView, hits_of_articles, live_story, story_hits, story_view
from monitor.storage.triage import set_state
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.exports import iso
from monitor.web.filters import hit_filter
from monitor.web.security import Caller

router = APIRouter(prefix="/api/v1", tags=["api"])
State = Literal["new", "seen", "relevant", "irrelevant"]


@router.get("/stories")
def stories(
    since: str | None = Query(
        None, max_length=40, description="7d, or an ISO date: stories with an article since"
    ),
    rule: str | None = Query(None, max_length=200, description="only stories with a hit of this rule"),
    limit: int = Query(50, ge=1, le=500),
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> dict[str, Any]:
    """The stories whose latest article is the most recent, each with its articles oldest first."""
    cutoff = hit_filter({"since": since}).since
    with desk.database.read_session() as session:
        found = list_stories(session, since=cutoff, rule=rule, limit=limit)
        hits = hits_of_articles(
            session, [article.article_id for story in found for article in story.articles]
        )
    return {
        "stories": [
            {
                "id": story.id,
                "first_at": iso(story.first_at),
                "last_at": iso(story.last_at),
                "sources": story.sources,
                "languages": list(story.languages),
                "articles": [
                    _article(
                        a.article_id, a.at, a.source, a.language, a.title, a.url, hits.get(a.article_id, [])
                    )
                    for a in story.articles
                ],
            }
            for story in found
        ]
    }


@router.get("/stories/{story_id}")
def story(
    story_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> dict[str, Any]:
    """One story (the one it was merged into, for a merged story: `id` then differs from the one asked)."""
    with desk.database.read_session() as session:
        return _story(story_view(session, story_id))


class StoryTriage(BaseModel):
    state: State
    rule: str | None = Field(None, min_length=1, max_length=200, description="only this rule's hits")


@router.post("/stories/{story_id}/triage")
def triage(
    story_id: RowId, change: StoryTriage, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Every hit of the story (or of `rule`) to `state`; `changed` counts those that were not in it."""
    with desk.database.session() as session:
        live = live_story(session, story_id)
        if change.rule and change.rule not in story_view(session, live).rules:
            raise DeskError(f"story {live} has no hit of rule {change.rule!r}")
        chosen = story_hits(live, [change.rule] if change.rule else [])
        changed = set_state(session, chosen, change.state, actor=caller.name, now=clock.now())
        session.commit()
        view = story_view(session, live)
    return {**_story(view), "changed": changed}


def _story(view: StoryView) -> dict[str, Any]:
    return {
        "id": view.id,
        "first_at": iso(view.first_at),
        "last_at": iso(view.last_at),
        "sources": len(view.sources),
        "languages": list(view.languages),
        "rules": list(view.rules),
        "merged_from": list(view.merged_from),
        "articles": [
            _article(e.article_id, e.at, e.source, e.language, e.title, e.url, e.hits) for e in view.entries
        ],
    }


def _article(
    article_id: int, at: Any, source: str, language: str | None, title: str, url: str | None, hits: Any
) -> dict[str, Any]:
    found: list[StoryHit] = list(hits)
    return {
        "id": article_id,
        "at": iso(at),
        "source": source,
        "language": language,
        "title": title,
        "url": url,
        "hits": [{"id": hit.hit_id, "rule": hit.rule, "state": hit.state} for hit in found],
    }
