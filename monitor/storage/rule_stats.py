"""What the rules page shows of each rule beyond its hit counts: when it last matched, and the articles
people said it should have matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from monitor.storage.tables import Article, Hit, MissedMatch
from monitor.storage.types import as_utc


@dataclass(frozen=True)
class MissedArticle:
    article_id: int
    title: str
    reported_by: str


def last_hits(session: Session) -> dict[str, datetime]:
    """The time of each rule's latest hit (from the (rule, matched_at) index)."""
    statement = select(Hit.rule, sa.func.max(Hit.matched_at)).group_by(Hit.rule)
    return {rule: as_utc(when) for rule, when in session.exec(statement) if when is not None}


def missed_by_rule(session: Session, *, limit: int = 500) -> dict[str, list[MissedArticle]]:
    """The articles reported as "should have matched", by rule, latest first."""
    statement = (
        select(MissedMatch.rule, Article.id, Article.title, MissedMatch.reported_by)
        .join(Article, col(Article.id) == MissedMatch.article_id)
        .order_by(col(MissedMatch.id).desc())
        .limit(limit)
    )
    found: dict[str, list[MissedArticle]] = {}
    for rule, article_id, title, who in session.exec(statement):
        found.setdefault(rule, []).append(MissedArticle(cast(int, article_id), title, who))
    return found
