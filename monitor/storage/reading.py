"""One hit opened for reading: its article's stored text, every rule that matched it with the stored
highlights, and the triage around it (tags, notes, audit trail, rules reported as missed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from monitor.errors import NotFound
from monitor.storage.articles import article_text
from monitor.storage.tables import Article, Hit, Source
from monitor.storage.triage import EventRecord, NoteRecord, events_of, missed_rules, notes_of, tags_of


@dataclass(frozen=True)
class Highlight:
    """A matched term: which field, and where in it (character offsets)."""

    term: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class RuleHit:
    """One rule that matched the article: its hit, triage state, terms and highlights."""

    hit_id: int
    rule: str
    state: str
    starred: bool
    matched_at: datetime
    terms: tuple[str, ...]
    highlights: tuple[Highlight, ...]
    snippet: str


@dataclass(frozen=True)
class ArticleView:
    """An article as stored: `text` is the text the highlight offsets of the "text" field point into."""

    id: int
    title: str
    text: str
    url: str | None
    source: str
    language: str | None
    published: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True)
class HitDetail:
    hit: RuleHit
    article: ArticleView
    rules: list[RuleHit]
    tags: list[str]
    notes: list[NoteRecord]
    events: list[EventRecord]
    missed: list[str]


def load_article(session: Session, article_id: int) -> tuple[ArticleView, list[RuleHit]]:
    """An article and every hit of it; NotFound when there is no such article."""
    found = session.exec(
        select(Article, Source.name)
        .join(Source, col(Source.id) == Article.source_id)
        .where(Article.id == article_id)
    ).first()
    if found is None:
        raise NotFound(f"no article {article_id}")
    article, source = found
    view = ArticleView(
        id=article_id,
        title=article.title,
        text=article_text(article.summary, article.content),
        url=article.url,
        source=source,
        language=article.language,
        published=article.published_at,
        first_seen_at=article.first_seen_at,
    )
    hits = session.exec(select(Hit).where(Hit.article_id == article_id).order_by(col(Hit.rule)))
    return view, [_rule_hit(hit, view) for hit in hits]


def hit_detail(session: Session, hit_id: int) -> HitDetail:
    """Everything the article view of a hit shows; NotFound when there is no such hit."""
    hit = session.get(Hit, hit_id)
    if hit is None:
        raise NotFound(f"no hit {hit_id}")
    article, rules = load_article(session, hit.article_id)
    return HitDetail(
        hit=_rule_hit(hit, article),
        article=article,
        rules=rules,
        tags=tags_of(session, hit_id),
        notes=notes_of(session, [rule.hit_id for rule in rules]),
        events=events_of(session, hit_id),
        missed=missed_rules(session, article.id),
    )


def _rule_hit(hit: Hit, article: ArticleView) -> RuleHit:
    assert hit.id is not None
    fields = {"title": article.title, "text": article.text}
    return RuleHit(
        hit_id=hit.id,
        rule=hit.rule,
        state=hit.state,
        starred=hit.starred,
        matched_at=hit.matched_at,
        terms=tuple(hit.terms),
        highlights=tuple(h for h in (_highlight(raw, fields) for raw in hit.highlights) if h is not None),
        snippet=hit.snippet,
    )


def _highlight(raw: Any, fields: dict[str, str]) -> Highlight | None:
    """A stored highlight, its term the article's word as written ("factory", not the rule's "factories");
    None for one that is malformed (stored data is never trusted blindly)."""
    try:
        start, end = int(raw["start"]), int(raw["end"])
        field = str(raw["field"])
    except (KeyError, TypeError, ValueError):
        return None
    if field not in ("title", "text") or not 0 <= start < end:
        return None
    found = " ".join(fields[field][start:end].split())
    return Highlight(found or str(raw.get("term") or ""), field, start, end)
