"""Hits: record what the rules matched together with their outbox rows, and list them for people."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from monitor.rules.model import words_at
from monitor.storage.articles import StoredArticle, article_text
from monitor.storage.digests import Hold, hold_hit
from monitor.storage.stories import first_alert
from monitor.storage.tables import AlertRule, Article, Delivery, DeliveryStatus, Hit, Source
from monitor.storage.upsert import insert_if_absent

MAX_SNIPPET_CHARS = 2_000
MAX_TERMS = 100
MAX_HIGHLIGHTS = 200


class MatchLike(Protocol):
    """What storage reads of a `monitor.rules.RuleMatch`."""

    @property
    def rule(self) -> str: ...
    @property
    def terms(self) -> Sequence[str]: ...
    @property
    def highlights(self) -> Sequence[Any]: ...
    @property
    def snippet(self) -> str: ...


@dataclass(frozen=True)
class HitRecord:
    """A hit as people read it: the rule, the article and where it came from."""

    hit_id: int
    rule: str
    title: str
    url: str | None
    source: str
    published: datetime | None
    matched_at: datetime
    terms: tuple[str, ...]
    snippet: str
    article_id: int
    found: tuple[str, ...] = ()
    """The words of the article the rule matched, as written there (the terms are the rule's)."""
    language: str | None = None
    """The article's language (ISO 639-1), when known."""


def _first_only(rule: str) -> bool:
    """The default: a rule alerts once per story and channel."""
    return False


HoldFor = Callable[[Session, str, str, datetime], Hold | None]
"""(session, channel, rule, now) → how long that alert is held for a digest, or None to send it at once."""


def _never_held(session: Session, channel: str, rule: str, now: datetime) -> Hold | None:
    """The default: every alert goes out at once."""
    return None


def record_hits(
    session: Session,
    article: Article | StoredArticle,
    matches: Sequence[MatchLike],
    channels_for_rule: Callable[[str], Sequence[str]],
    *,
    now: datetime,
    story: int | None = None,
    every: Callable[[str], bool] = _first_only,
    hold: HoldFor = _never_held,
) -> list[Hit]:
    """Store each (rule, article) hit once and, in the caller's transaction, its alerts in the outbox.

    One alert per channel names every new hit routed to it (`alert_rule` lists the rules when there are
    several). In a `story`, a rule alerts a channel only the first time, unless `every(rule)` (the rule's
    `follow_ups: every`). An alert the channel's policy `hold`s is kept for its digest instead; so is a later
    article of an alerted story while the channel holds alerts ("also reported by" in the digest), which
    otherwise stays in the hit log only. Returns only the hits created by this call.
    """
    assert article.id is not None, "the article must be flushed before its hits are recorded"
    new: list[tuple[int, str]] = []
    for match in matches:
        hit_id = insert_if_absent(session, Hit, _hit_row(article.id, match, now), ("rule", "article_id"))
        if hit_id is not None:
            new.append((hit_id, match.rule))
    by_channel: dict[str, list[tuple[int, str]]] = {}
    for hit_id, rule in new:
        for channel in dict.fromkeys(channels_for_rule(rule)):
            first = story is None or first_alert(session, story, rule, channel)
            held = hold(session, channel, rule, now)
            alerts = first or every(rule)
            if held is not None:
                hold_hit(session, hit_id, channel, held, kind="alert" if alerts else "also", now=now)
            elif alerts:
                by_channel.setdefault(channel, []).append((hit_id, rule))
    for channel, alerting in by_channel.items():
        _enqueue(session, alerting, channel, now)
    session.flush()
    if not new:
        return []
    new_ids = [hit_id for hit_id, _ in new]
    by_id = {hit.id: hit for hit in session.exec(select(Hit).where(col(Hit.id).in_(new_ids)))}
    return [by_id[i] for i in new_ids]


def _enqueue(session: Session, alerting: Sequence[tuple[int, str]], channel: str, now: datetime) -> None:
    """One pending delivery to `channel` for the first of these hits, naming the rules of all of them."""
    message_hit = alerting[0][0]
    delivery = {"hit_id": message_hit, "channel": channel, "status": DeliveryStatus.PENDING.value}
    delivery |= {"attempts": 0, "next_attempt_at": now, "created_at": now}
    insert_if_absent(session, Delivery, delivery, ("hit_id", "channel"))
    if len(alerting) > 1:
        for _, rule in alerting:
            session.add(AlertRule(hit_id=message_hit, channel=channel, rule=rule))


def alert_rules(
    session: Session, deliveries: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], tuple[str, ...]]:
    """The rules named by each of these (hit id, channel) alerts that names several."""
    hit_ids = sorted({hit_id for hit_id, _ in deliveries})
    if not hit_ids:
        return {}
    found: dict[tuple[int, str], list[str]] = {}
    statement = select(AlertRule).where(col(AlertRule.hit_id).in_(hit_ids))
    for row in session.exec(statement):
        found.setdefault((row.hit_id, row.channel), []).append(row.rule)
    wanted = set(deliveries)
    return {key: tuple(sorted(rules)) for key, rules in found.items() if key in wanted}


def list_hits(
    session: Session, *, rule: str | None = None, since: datetime | None = None, limit: int | None = None
) -> list[HitRecord]:
    """Hits, newest match first, optionally of one rule and/or matched at or after `since`."""
    statement = hit_records_query().order_by(col(Hit.matched_at).desc(), col(Hit.id).desc())
    if rule is not None:
        statement = statement.where(Hit.rule == rule)
    if since is not None:
        statement = statement.where(col(Hit.matched_at) >= since)
    if limit is not None:
        statement = statement.limit(limit)
    return [to_hit_record(hit, article, source) for hit, article, source in session.exec(statement)]


def hit_records_query() -> Any:
    """SELECT hit, article, source joined: the raw material of `HitRecord`."""
    return (
        select(Hit, Article, Source)
        .join(Article, col(Article.id) == Hit.article_id)
        .join(Source, col(Source.id) == Article.source_id)
    )


def to_hit_record(hit: Hit, article: Article, source: Source) -> HitRecord:
    """The read model of one joined row."""
    assert hit.id is not None and article.id is not None
    return HitRecord(
        hit_id=hit.id,
        rule=hit.rule,
        title=article.title,
        url=article.url,
        source=source.name,
        published=article.published_at,
        matched_at=hit.matched_at,
        terms=tuple(hit.terms),
        snippet=hit.snippet,
        article_id=article.id,
        found=found_words(hit.highlights or [], article),
        language=article.language,
    )


def found_words(highlights: Sequence[dict[str, Any]], article: Article) -> tuple[str, ...]:
    """The article's words at the highlights, as written, each once (case aside), in order of reading."""
    fields = {
        "title": article.title or "",
        "text": article_text(article.summary or "", article.content or ""),
    }
    return words_at(((h.get("field"), h.get("start"), h.get("end")) for h in highlights), fields)


def _hit_row(article_id: int, match: MatchLike, now: datetime) -> dict[str, Any]:
    return {
        "rule": match.rule,
        "article_id": article_id,
        "terms": [str(term) for term in list(match.terms)[:MAX_TERMS]],
        "highlights": [_highlight(h) for h in list(match.highlights)[:MAX_HIGHLIGHTS]],
        "snippet": (match.snippet or "")[:MAX_SNIPPET_CHARS],
        "matched_at": now,
    }


_HIGHLIGHT_FIELDS = ("term", "field", "start", "end")


def _highlight(highlight: Any) -> dict[str, Any]:
    """A `Highlight(term, field, start, end)` (dataclass, named tuple or mapping) as a JSON object."""
    if isinstance(highlight, dict):
        return {name: highlight.get(name) for name in _HIGHLIGHT_FIELDS}
    return {name: getattr(highlight, name, None) for name in _HIGHLIGHT_FIELDS}
