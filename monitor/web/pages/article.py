"""The article view of a hit: the stored text with every matched term highlighted, the rules that matched,
triage, notes, the audit trail, and "should have matched rule X"."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.storage.hitlog import STATES
from monitor.storage.reading import hit_detail
from monitor.storage.triage import add_note, mark_seen, report_missed
from monitor.storage.users import Role
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.security import Caller

router = APIRouter()


@router.get("/hits/{hit_id}")
def article_view(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    if caller.may(Role.analyst):  # a viewer reads without leaving a trace
        with desk.database.session() as session:
            detail = hit_detail(session, hit_id)
            if mark_seen(session, detail.article.id, actor=caller.name, now=clock.now()):
                session.commit()
                detail = hit_detail(session, hit_id)
    else:
        with desk.database.read_session() as session:
            detail = hit_detail(session, hit_id)
    matched = {rule.rule for rule in detail.rules}
    highlights = [h for rule in detail.rules for h in rule.highlights]
    context = {
        "caller": caller,
        "detail": detail,
        "highlights": highlights,
        "states": STATES,
        "unmatched_rules": [name for name in desk.rule_names() if name not in matched],
    }
    return desk.templates.TemplateResponse(request, "article.html", context)


@router.post("/hits/{hit_id}/notes")
async def note(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    with desk.database.session() as session:
        add_note(session, hit_id, str(form.get("body", "")), author=caller.name, now=clock.now())
        session.commit()
    return RedirectResponse(f"/hits/{hit_id}#notes", status_code=303)


@router.post("/hits/{hit_id}/missed")
async def missed(
    request: Request, hit_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    rule = str(form.get("rule", "")).strip()
    with desk.database.session() as session:
        detail = hit_detail(session, hit_id)
        if rule in desk.rule_names():
            report_missed(
                session,
                detail.article.id,
                rule,
                actor=caller.name,
                note=str(form.get("note", "")),
                now=clock.now(),
            )
            session.commit()
    return RedirectResponse(f"/hits/{hit_id}", status_code=303)
