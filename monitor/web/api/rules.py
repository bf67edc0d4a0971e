"""The rule workshop in the REST API (/api/v1): rules with their measured precision, validate, preview,
save (with the file's version: 409 when it changed meanwhile), history, rollback, apply to history and
what triage teaches. Reading needs `viewer`; everything else `analyst`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from monitor import clock
from monitor.errors import NotFound
from monitor.rules.results import unmarked
from monitor.storage.rule_history import ChangeRecord, list_changes
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.exports import iso
from monitor.web.pages.rules import rule_rows
from monitor.web.security import Caller
from monitor.web.workshop import (
    alternatives_from,
    apply_rule,
    check_draft,
    config_of,
    draft_from,
    preview_concept,
    run_preview,
    save_concept,
    save_rule,
    saved_rule,
)
from monitor.workshop.files import CONCEPTS_FILE, RULES_FILE, open_file, rollback
from monitor.workshop.learning import learn_from_triage
from monitor.workshop.preview import Preview, PreviewArticle

router = APIRouter(prefix="/api/v1", tags=["rules"])


class RuleBody(BaseModel):
    """A rule as the editor sends it."""

    query: str = Field(max_length=20_000)
    description: str = Field("", max_length=5_000)
    channels: list[str] = Field(default_factory=list, max_length=50)
    enabled: bool = True
    match: list[str] = Field(default_factory=list, max_length=200)
    no_match: list[str] = Field(default_factory=list, max_length=200)


class SaveBody(RuleBody):
    version: str = Field(max_length=64, description="the version of rules.yaml the edit started from")
    apply_since: str | None = Field(None, max_length=20, description="apply to history: 30d, or all")
    alert: bool = False


class PreviewBody(BaseModel):
    query: str = Field(max_length=20_000)
    since: str = Field("30d", max_length=20, description="the window: 30d, 12w…, or all")
    concepts: dict[str, list[str]] | None = Field(None, description="draft concepts (all of them)")


class ConceptBody(BaseModel):
    alternatives: list[str] = Field(max_length=1_000)
    version: str = Field(max_length=64, description="the version of concepts.yaml the edit started from")


class ApplyBody(BaseModel):
    since: str = Field("30d", max_length=20)
    alert: bool = False


@router.get("/rules")
def rules(
    response: Response, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> list[dict[str, Any]]:
    """Every rule with its hits per day (30 days), last hit, hits waiting for triage, measured precision
    and the articles it should have matched; the version of rules.yaml in the `X-Version` header."""
    rows = rule_rows(desk)
    response.headers["X-Version"] = open_file(desk.config.directory, RULES_FILE).version
    return [
        {
            "name": r.rule.name,
            "description": r.rule.description,
            "channels": r.rule.channels,
            "enabled": r.rule.enabled,
            "query": r.rule.query,
            "hits_per_day": r.per_day,
            "last_hit": iso(r.last_hit),
            "waiting": r.waiting,
            "relevant": r.relevant,
            "irrelevant": r.irrelevant,
            "precision": r.precision,
            "should_have_matched": [{"article_id": m.article_id, "title": m.title} for m in r.missed],
        }
        for r in rows
    ]


@router.get("/rules/{name}")
def rule(name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> dict[str, Any]:
    found = saved_rule(desk, name)
    if found is None:
        raise NotFound(f"no rule named {name!r}")
    return {
        "name": found.name, "query": found.query, "description": found.description,
        "channels": found.channels, "enabled": found.enabled, "match": found.examples.match,
        "no_match": found.examples.no_match, "version": open_file(desk.config.directory, RULES_FILE).version,
    }  # fmt: skip


@router.post("/rules/{name}/validate")
async def validate(
    name: str, body: RuleBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """The problems `monitor check` would report with this rule, and the query's errors at line:column."""
    check = await run_in_threadpool(check_draft, desk, draft_from(body.model_dump(), name))
    return {
        "ok": check.ok,
        "problems": [
            {"file": p.file, "line": p.line, "column": p.column, "message": p.message, "text": p.render()}
            for p in check.problems
        ],
        "query": [
            {"line": f.line, "column": f.column, "width": f.width, "message": f.message} for f in check.query
        ],
    }


@router.post("/rules/{name}/preview")
async def preview(
    name: str, body: PreviewBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """The draft query on stored articles of the window, and what it adds and drops against the saved rule."""
    found = await run_in_threadpool(run_preview, desk, name, body.query, body.since, body.concepts)
    return preview_json(found)


def preview_json(found: Preview) -> dict[str, Any]:
    return {
        "matched": found.matched, "saved_matched": found.saved_matched, "scanned": found.scanned,
        "added_count": found.added_count, "dropped_count": found.dropped_count,
        "added_states": found.added_states, "dropped_states": found.dropped_states,
        "added": [_article(a) for a in found.added], "dropped": [_article(a) for a in found.dropped],
        "seconds": round(found.seconds, 3),
    }  # fmt: skip


def _article(article: PreviewArticle) -> dict[str, Any]:
    return {
        "article_id": article.article_id, "title": article.title, "url": article.url,
        "source": article.source,
        "first_seen_at": iso(article.first_seen_at), "terms": list(article.terms),
        "snippet": unmarked(article.snippet),
        "state": article.state, "should_have_matched": article.missed,
    }  # fmt: skip


@router.put("/rules/{name}")
async def save(
    name: str, body: SaveBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Save the rule to rules.yaml (comments and layout kept); 409 when the file changed since `version`,
    400 with every problem when the configuration would not load. Optionally apply it to history. Fields
    left out keep their saved values: a script changing the query does not wipe channels and examples."""
    draft = draft_from(_saved_fields(desk, name) | body.model_dump(exclude_unset=True), name)
    saved = await run_in_threadpool(
        lambda: save_rule(desk, caller, draft, body.version, apply=body.apply_since, alert=body.alert)
    )
    result = _change(saved.change) | {"version": open_file(desk.config.directory, RULES_FILE).version}
    if saved.applied is not None:
        result["applied"] = {"matched": saved.applied.matched, "created": saved.applied.created}
    return result


def _saved_fields(desk: Desk, name: str) -> dict[str, Any]:
    """The saved rule's editable fields (none for a new rule)."""
    found = saved_rule(desk, name)
    if found is None:
        return {}
    return {
        "description": found.description, "channels": found.channels, "enabled": found.enabled,
        "match": found.examples.match, "no_match": found.examples.no_match,
    }  # fmt: skip


@router.put("/concepts/{name}")
async def save_concept_endpoint(
    name: str, body: ConceptBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Save a concept's alternatives to concepts.yaml; 409 on a changed file, 400 on any problem."""
    change = await run_in_threadpool(save_concept, desk, caller, name, body.alternatives, body.version)
    return _change(change) | {"version": open_file(desk.config.directory, CONCEPTS_FILE).version}


class ConceptPreviewBody(BaseModel):
    alternatives: list[str] = Field(max_length=1_000)
    since: str = Field("30d", max_length=20, description="the window: 30d, 12w…, or all")


@router.post("/concepts/{name}/preview")
async def concept_preview(
    name: str, body: ConceptPreviewBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Every rule using the concept (directly or through other concepts), previewed with the draft
    alternatives: what each would add and drop against its saved form."""
    alternatives = alternatives_from(body.alternatives)
    effects = await run_in_threadpool(preview_concept, desk, name, alternatives, body.since)
    return {
        "rules": [
            {"rule": e.rule, "error": e.error} | (preview_json(e.found) if e.found else {}) for e in effects
        ]
    }


@router.get("/concepts")
def concepts(desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> dict[str, Any]:
    return {
        "concepts": config_of(desk).concepts,
        "version": open_file(desk.config.directory, CONCEPTS_FILE).version,
    }


@router.get("/rule-changes")
def history(
    subject: str | None = None, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> dict[str, Any]:
    """The latest saved changes (of one rule, or `@concept`), newest first, with the text before and after."""
    with desk.database.read_session() as session:
        changes = list_changes(session, subject=subject)
    return {"changes": [_change(c) | {"before": c.before, "after": c.after} for c in changes]}


@router.post("/rule-changes/{change_id}/rollback")
async def rollback_endpoint(
    change_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Put the file back as it was before the change; 409 when it changed since."""

    def work() -> ChangeRecord:
        with desk.database.session() as session:
            change = rollback(session, desk.config.directory, change_id, actor=caller.name, now=clock.now())
            session.commit()
            return change

    return _change(await run_in_threadpool(work))


@router.post("/rules/{name}/apply")
async def apply(
    name: str, body: ApplyBody, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> dict[str, Any]:
    """Create the hits the saved rule finds in the window (no alert unless `alert`)."""
    applied = await run_in_threadpool(lambda: apply_rule(desk, name, body.since, alert=body.alert))
    return {
        "rule": applied.rule,
        "matched": applied.matched,
        "created": applied.created,
        "alerted": applied.alerted,
    }


@router.get("/rules/{name}/learning")
def learning(name: str, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> dict[str, Any]:
    """Terms that separate the rule's irrelevant hits from its relevant ones, each with a draft; NEAR/n
    tightenings that drop irrelevant hits and keep the relevant ones, each with a draft; examples."""
    found = saved_rule(desk, name)
    if found is None:
        raise NotFound(f"no rule named {name!r}")
    with desk.database.read_session() as session:
        learnt = learn_from_triage(session, name, found.query, concepts=config_of(desk).concepts)
    return {
        "relevant": learnt.relevant,
        "irrelevant": learnt.irrelevant,
        "suggestions": [
            {
                "term": s.term,
                "irrelevant": s.irrelevant,
                "relevant": s.relevant,
                "score": round(s.score, 3),
                "draft": s.draft,
            }
            for s in learnt.suggestions
        ],
        "tightenings": [
            {
                "before": t.before,
                "after": t.after,
                "relevant_kept": t.relevant_kept,
                "relevant": t.relevant,
                "irrelevant_dropped": t.irrelevant_dropped,
                "irrelevant": t.irrelevant,
                "draft": t.draft,
            }
            for t in learnt.tightenings
        ],
        "match_examples": [e.text for e in learnt.match_examples],
        "no_match_examples": [e.text for e in learnt.no_match_examples],
    }


def _change(change: ChangeRecord) -> dict[str, Any]:
    return {
        "id": change.id, "file": change.file, "subject": change.subject, "actor": change.actor,
        "summary": change.summary, "created_at": iso(change.created_at),
    }  # fmt: skip
