"""Stories in the desk: a story's page (its articles on a timeline), its row of the hit log folded or
unfolded (htmx), and triage of a whole story, which changes every hit of it (or those of one rule) the way
triage of each hit would: same states, same audit trail, same counts and rule precision."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.storage.hitlog import hit_page
from monitor.storage.storylog import groups_of, live_story, story_hits, story_view
from monitor.storage.triage import check_state, set_state
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.filters import hit_filter
from monitor.web.pages.hits import back, is_htmx
from monitor.web.security import Caller

router = APIRouter()
MAX_MEMBERS = 200
"""An unfolded story row lists this many of its hits; its page lists them all."""


@router.get("/stories/{story_id}")
def story_page(
    request: Request, story_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    """The story's articles oldest first, with their source, language, rules and triage states."""
    with desk.database.read_session() as session:
        story = story_view(session, story_id)
    return desk.templates.TemplateResponse(request, "story.html", {"caller": caller, "story": story})


@router.get("/stories/{story_id}/group")
def story_group(
    request: Request, story_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    """The story's row of the hit log under the filter in the URL, unfolded (`expanded=yes`) or not."""
    if not is_htmx(request):
        return RedirectResponse(f"/stories/{story_id}", status_code=303)
    expanded = request.query_params.get("expanded") == "yes"
    return _group_response(request, desk, caller, story_id, expanded=expanded)


@router.post("/stories/{story_id}/state")
async def story_state(
    request: Request, story_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """Every hit of the story (or of its chosen rule) to the state; its row again (htmx), else back."""
    form = await request.form()
    state = check_state(str(form.get("state", "")))
    rule = str(form.get("rule", "")).strip()[:200]
    with desk.database.session() as session:
        live = live_story(session, story_id)
        set_state(
            session, story_hits(live, [rule] if rule else []), state, actor=caller.name, now=clock.now()
        )
        session.commit()
    if is_htmx(request):
        response = _group_response(request, desk, caller, live, expanded=form.get("expanded") == "yes")
        response.headers["HX-Trigger"] = "counts-changed"
        return response
    return RedirectResponse(back(request, f"/stories/{live}"), status_code=303)


def _group_response(
    request: Request, desk: Desk, caller: Caller, story_id: int, *, expanded: bool
) -> Response:
    chosen = hit_filter(request.query_params)
    with desk.database.read_session() as session:
        live = live_story(session, story_id)
        groups = groups_of(session, chosen, [("story", live)])
        members = hit_page(session, replace(chosen, stories=(live,)), limit=MAX_MEMBERS) if expanded else None
    context: dict[str, Any] = {
        "caller": caller,
        "group": groups[0] if groups else None,
        "params": chosen.as_params(),
        "expanded": expanded,
        "members": members.rows if members else [],
        "more_members": bool(members and members.next_cursor),
    }
    return desk.templates.TemplateResponse(request, "partials/group.html", context)
