"""The hit log (the inbox): filters, search, keyset pages, counts, triage of one hit or many, exports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.errors import DeskError
from monitor.storage.hitlog import STATES, HitFilter, filtered_hit_ids, hit_page
from monitor.storage.storylog import GroupPage, group_page, groups_of, lone_group, story_of_hit, story_sizes
from monitor.storage.triage import add_tag, remove_tag, set_starred, set_state
from monitor.web.desk import MAX_ID, Desk, RowId, analyst, get_desk, reader
from monitor.web.filters import hit_filter, page_cursor
from monitor.web.security import Caller

router = APIRouter()
MAX_OFFSET = 1_000_000
MAX_BULK_STORIES = 500
LANGUAGES = ("en", "fr", "de", "uk", "ru")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("/")
def hit_log(
    request: Request,
    after: str | None = None,
    offset: int | None = Query(None, ge=0, le=MAX_OFFSET),
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> Response:
    """The hit log, newest first, one row per story; `after` pages by keyset (the Older link), `offset`
    the slow old way, one row per hit (kept for comparison: its cost grows with the depth)."""
    chosen = hit_filter(request.query_params)
    with desk.database.read_session() as session:
        if offset:
            flat = hit_page(session, chosen, offset=offset)
            page = GroupPage([lone_group(row) for row in flat.rows], flat.next_cursor, chosen)
        else:
            page = group_page(session, chosen, after=page_cursor(after))
    context = {
        "counts": desk.hit_counts(),
        "caller": caller,
        "page": page,
        "params": chosen.as_params(),
        "rules": desk.rule_names(),
        "states": STATES,
        "languages": LANGUAGES,
        "deeper": after is not None or bool(offset),
    }
    return desk.templates.TemplateResponse(request, "hits.html", context)


@router.get("/counts")
def counts(request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> Response:
    """Hits per rule and state: a page of its own, and the hit log's panel again (htmx) after a triage."""
    context = {"caller": caller, "counts": desk.hit_counts(), "states": STATES, "partial": is_htmx(request)}
    return desk.templates.TemplateResponse(request, "counts.html", context)


def _row_response(request: Request, desk: Desk, caller: Caller, hit_id: int) -> Response:
    """After a change to one hit: its row again (htmx), else back to where the person was. A plain row
    links to its story when the story has other articles; a row of an unfolded story (`?story=` and the
    filter) comes with the story's row, out of band, so that its state summary follows."""
    if not is_htmx(request):
        return RedirectResponse(back(request), status_code=303)
    member = "story" in request.query_params
    chosen = hit_filter(request.query_params) if member else HitFilter()
    with desk.database.read_session() as session:
        rows = hit_page(session, HitFilter(hit_id=hit_id), limit=1).rows
        story = story_of_hit(session, hit_id)
        size = story_sizes(session, [story]).get(story, 0) if story is not None else 0
        groups = groups_of(session, chosen, [("story", story)]) if member and story is not None else []
    context: dict[str, Any] = {
        "caller": caller,
        "row": rows[0] if rows else None,
        "params": chosen.as_params(),
        "story_link": story if size > 1 else None,
        "story_size": size,
        "member_of": story if member else None,
        "group": groups[0] if groups else None,
        "expanded": True,
        "oob": True,
    }
    response = desk.templates.TemplateResponse(request, "partials/hit_change.html", context)
    response.headers["HX-Trigger"] = "counts-changed"  # the hit log's counts panel loads again
    return response


def back(request: Request, default: str = "/") -> str:
    """The desk page the request came from (its Referer, when it is one of ours), else `default`."""
    referer = request.headers.get("referer", "")
    origin = str(request.base_url).rstrip("/")
    return referer[len(origin) :] if referer.startswith(origin + "/") else default


@router.post("/hits/{hit_id}/state")
async def change_state(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    state = str(form.get("state", ""))
    with desk.database.session() as session:
        set_state(session, [hit_id], state, actor=caller.name, now=clock.now())
        session.commit()
    return _row_response(request, desk, caller, hit_id)


@router.post("/hits/{hit_id}/star")
async def toggle_star(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    starred = str(form.get("starred", "yes")) == "yes"
    with desk.database.session() as session:
        set_starred(session, [hit_id], starred, actor=caller.name, now=clock.now())
        session.commit()
    return _row_response(request, desk, caller, hit_id)


@router.post("/hits/{hit_id}/tags")
async def change_tags(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    tag, remove = str(form.get("tag", "")), form.get("remove") == "yes"
    with desk.database.session() as session:
        (remove_tag if remove else add_tag)(session, [hit_id], tag, actor=caller.name, now=clock.now())
        session.commit()
    return RedirectResponse(f"/hits/{hit_id}", status_code=303)


BULK_ACTIONS = {
    "relevant": lambda s, t, a, n: set_state(s, t, "relevant", actor=a, now=n),
    "irrelevant": lambda s, t, a, n: set_state(s, t, "irrelevant", actor=a, now=n),
    "seen": lambda s, t, a, n: set_state(s, t, "seen", actor=a, now=n),
    "new": lambda s, t, a, n: set_state(s, t, "new", actor=a, now=n),
    "star": lambda s, t, a, n: set_starred(s, t, True, actor=a, now=n),
    "unstar": lambda s, t, a, n: set_starred(s, t, False, actor=a, now=n),
}


def _chosen(values: list[Any]) -> list[int]:
    """The row ids a form lists (anything else left out)."""
    return [int(v) for v in map(str, values) if v.isdigit() and 0 < int(v) <= MAX_ID]


@router.post("/hits/bulk")
async def bulk(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """One action on the selected hits and stories (a story's hits that the filter in the URL keeps), or
    (scope=filter) on every hit of the filter."""
    form = await request.form()
    action, tag = str(form.get("action", "")), str(form.get("tag", "")).strip()
    if action not in BULK_ACTIONS and not (action == "tag" and tag):
        raise DeskError("choose an action (and a tag to add)")
    with desk.database.session() as session:
        if form.get("scope") == "filter":
            target: list[int] | HitFilter = hit_filter(request.query_params)
        else:
            target = _chosen(form.getlist("hit"))
            stories = tuple(_chosen(form.getlist("story"))[:MAX_BULK_STORIES])
            if stories:
                scope = replace(hit_filter(request.query_params), stories=stories)
                members = filtered_hit_ids(scope, session.get_bind().dialect.name)
                target += [hit_id for (hit_id,) in session.connection().execute(members)]
        if action == "tag":
            add_tag(session, target, tag, actor=caller.name, now=clock.now())
        else:
            BULK_ACTIONS[action](session, target, caller.name, clock.now())
        session.commit()
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=303)
