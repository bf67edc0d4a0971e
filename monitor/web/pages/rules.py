"""The rules page and the rule workshop: each rule's activity and measured precision; the editor with its
errors as you type, the live preview on stored history, saving, history and rollback, and what triage
teaches. Changes need `analyst`; the partials (`check`, `preview`) are swapped in by htmx."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.config import RuleConfig
from monitor.errors import DeskError, NotFound
from monitor.storage.activity import hits_per_rule_per_day
from monitor.storage.rule_history import list_changes
from monitor.storage.rule_stats import MissedArticle, last_hits, missed_by_rule
from monitor.web.charts import sparkline
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.security import Caller
from monitor.web.workshop import (
    RuleDraft,
    alternatives_from,
    apply_rule,
    check_draft,
    config_of,
    draft_from,
    preview_concept,
    rules_using,
    run_preview,
    save_concept,
    save_rule,
    saved_rule,
)
from monitor.workshop.files import CONCEPTS_FILE, RULES_FILE, open_file, rollback
from monitor.workshop.learning import learn_from_triage

router = APIRouter()
DAYS = 30
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class RuleRow:
    """A rule as the rules page lists it."""

    rule: RuleConfig
    per_day: list[int]
    spark: str
    last_hit: datetime | None
    waiting: int
    relevant: int
    irrelevant: int
    missed: list[MissedArticle]

    @property
    def precision(self) -> float | None:
        judged = self.relevant + self.irrelevant
        return self.relevant / judged if judged else None


def rule_rows(desk: Desk) -> list[RuleRow]:
    config = config_of(desk)
    counts = desk.hit_counts()
    with desk.database.read_session() as session:
        per_day = hits_per_rule_per_day(session, now=clock.now(), count=DAYS)
        last = last_hits(session)
        missed = missed_by_rule(session)
    rows = []
    for rule in config.rules:
        days = per_day.get(rule.name, [0] * DAYS)
        states = counts.by_rule.get(rule.name, {})
        rows.append(
            RuleRow(
                rule, days, sparkline(days), last.get(rule.name), states.get("new", 0),
                states.get("relevant", 0), states.get("irrelevant", 0), missed.get(rule.name, []),
            )
        )  # fmt: skip
    return rows


@router.get("/rules")
def rules(
    request: Request,
    notice: str | None = None,
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> Response:
    context = {"caller": caller, "rows": rule_rows(desk), "notice": (notice or "")[:500] or None}
    return desk.templates.TemplateResponse(request, "rules.html", context)


@router.get("/rules/{name}/edit")
def edit(
    request: Request,
    name: str,
    draft: str | None = None,
    notice: str | None = None,
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(analyst),
) -> Response:
    """The editor of a rule (a new one when none has this name); `draft` opens it with another query."""
    config = config_of(desk)
    if not 0 < len(name) <= MAX_NAME_CHARS or not name.isprintable():
        raise DeskError(f"a rule name is 1 to {MAX_NAME_CHARS} printable characters")
    found = saved_rule(desk, name)
    rule = RuleDraft(name, "", channels=[])
    if found is not None:
        rule = RuleDraft(
            found.name, found.query, found.description, found.channels, found.enabled,
            found.examples.match, found.examples.no_match,
        )  # fmt: skip
    with desk.database.read_session() as session:
        changes = list_changes(session, subject=name, limit=20)
        learnt = learn_from_triage(session, name, rule.query, concepts=config.concepts) if found else None
    context = {
        "caller": caller, "rule": rule, "new": found is None,
        "query": draft if draft is not None else rule.query,
        "version": open_file(desk.config.directory, RULES_FILE).version, "concepts": sorted(config.concepts),
        "changes": changes, "learnt": learnt, "notice": (notice or "")[:500] or None,
    }  # fmt: skip
    return desk.templates.TemplateResponse(request, "rule_edit.html", context)


@router.post("/rules/{name}/check")
async def check(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """The draft's errors (a partial): the query's, with a caret, then those of `monitor check`."""
    draft = draft_from(await request.form(), name)
    found = await run_in_threadpool(check_draft, desk, draft)
    return desk.templates.TemplateResponse(request, "partials/rule_check.html", {"check": found})


@router.post("/rules/{name}/preview")
async def preview(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """The live preview (a partial): matches in the window, and the articles added and dropped."""
    form = await request.form()
    draft = draft_from(form, name)
    try:
        found = await run_in_threadpool(
            run_preview, desk, name, draft.query, str(form.get("window") or "30d")
        )
    except DeskError as error:
        context: dict[str, object] = {"error": str(error), "found": None}
    else:
        context = {"error": None, "found": found}
    return desk.templates.TemplateResponse(request, "partials/rule_preview.html", context)


@router.post("/rules/{name}")
async def save(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    draft: RuleDraft = draft_from(form, name)
    apply = str(form.get("apply_since") or "") if form.get("apply") == "on" else None
    version, alert = str(form.get("version") or ""), form.get("alert") == "on"
    saved = await run_in_threadpool(lambda: save_rule(desk, caller, draft, version, apply=apply, alert=alert))
    notice = f"saved rule '{name}' to rules.yaml (change #{saved.change.id})"
    if saved.applied is not None:
        notice += f"; applied to history: {saved.applied.created} new hits of {saved.applied.matched} matched"
    return _back(name, notice)


@router.post("/rule-changes/{change_id}/rollback")
async def rollback_change(
    change_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    def work() -> str:
        with desk.database.session() as session:
            change = rollback(session, desk.config.directory, change_id, actor=caller.name, now=clock.now())
            session.commit()
            return change.subject

    subject = await run_in_threadpool(work)
    if subject.startswith("@"):
        return RedirectResponse(f"/concepts/{quote(subject[1:])}/edit", status_code=303)
    return _back(subject, f"rolled back change #{change_id}")


@router.post("/rules/{name}/apply")
async def apply(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    window, alert = str(form.get("apply_since") or "30d"), form.get("alert") == "on"
    applied = await run_in_threadpool(lambda: apply_rule(desk, name, window, alert=alert))
    return _back(name, f"applied to history: {applied.created} new hits of {applied.matched} matched")


@router.get("/concepts/{name}/edit")
def edit_concept(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    config = config_of(desk)
    if name not in config.concepts:
        raise NotFound(f"no concept named {name!r}")
    with desk.database.read_session() as session:
        changes = list_changes(session, subject=f"@{name}", limit=20)
    context = {
        "caller": caller, "name": name, "alternatives": config.concepts[name], "changes": changes,
        "version": open_file(desk.config.directory, CONCEPTS_FILE).version,
        "users": [rule.name for rule in rules_using(config, name)],
    }  # fmt: skip
    return desk.templates.TemplateResponse(request, "concept_edit.html", context)


@router.post("/concepts/{name}/preview")
async def concept_preview(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """The live preview of a draft concept (a partial): each rule using it, with what it adds and drops."""
    form = await request.form()
    try:
        alternatives = alternatives_from(form.get("alternatives"))
        window = str(form.get("window") or "30d")
        effects = await run_in_threadpool(preview_concept, desk, name, alternatives, window)
    except DeskError as error:
        context: dict[str, object] = {"error": str(error), "effects": []}
    else:
        context = {"error": None, "effects": effects}
    return desk.templates.TemplateResponse(request, "partials/concept_preview.html", context)


@router.post("/concepts/{name}")
async def save_concept_page(
    request: Request, name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    form = await request.form()
    alternatives = alternatives_from(form.get("alternatives"))
    await run_in_threadpool(save_concept, desk, caller, name, alternatives, str(form.get("version") or ""))
    return RedirectResponse(f"/rules?{urlencode({'notice': f'saved concept @{name}'})}", status_code=303)


def _back(name: str, notice: str) -> Response:
    return RedirectResponse(f"/rules/{quote(name)}/edit?{urlencode({'notice': notice})}", status_code=303)
