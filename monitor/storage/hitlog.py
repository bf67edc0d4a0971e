"""The hit log as people browse it: filters, full-text search, keyset pages (counts: `hitcounts`).

Pages are keyset pages: newest match first, ordered by (matched_at, id), the next page starting after the
last row shown, so page 10,000 costs what page 1 costs (OFFSET, kept as the benchmark's baseline, reads
and joins every row it skips). A filter combines rules, sources, languages, triage states, a tag, the
star, a time range and a search (see `monitor.storage.search`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from monitor.storage.search import Reach, article_ids_matching, parse_search, reach
from monitor.storage.tables import Article, Hit, HitTag, Source, StoryArticle
from monitor.storage.types import as_utc, utc_moment

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
STATES = ("new", "seen", "relevant", "irrelevant")

_hit = Hit.__table__  # type: ignore[attr-defined]
_article = Article.__table__  # type: ignore[attr-defined]
_source = Source.__table__  # type: ignore[attr-defined]
_tag = HitTag.__table__  # type: ignore[attr-defined]
_story_article = StoryArticle.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class HitFilter:
    """Which hits to show; empty fields do not filter."""

    rules: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tag: str | None = None
    starred: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    article_id: int | None = None
    hit_id: int | None = None
    stories: tuple[int, ...] = ()
    """The hits of these stories' articles (a story's unfolded row, triage of whole stories)."""

    def as_params(self) -> dict[str, Any]:
        """The filter as query parameters (what a URL, an export or a feed keeps)."""
        params: dict[str, Any] = {
            "rule": list(self.rules),
            "source": list(self.sources),
            "language": list(self.languages),
            "state": list(self.states),
            "tag": self.tag,
            "starred": {True: "yes", False: "no"}.get(self.starred) if self.starred is not None else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "q": self.search,
        }
        return {key: value for key, value in params.items() if value not in (None, [], "")}


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page starts: after the hit (matched_at, id)."""

    matched_at: datetime
    hit_id: int

    def encode(self) -> str:
        raw = f"{as_utc(self.matched_at).isoformat()}|{self.hit_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """ValueError for anything that is not a cursor this module wrote."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            moment, hit_id = raw.split("|")
            if not 0 < int(hit_id) < 2**63:
                raise ValueError(hit_id)
            return cls(as_utc(datetime.fromisoformat(moment)), int(hit_id))
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError("not a page cursor of this hit log") from error


@dataclass(frozen=True)
class HitRow:
    """One row of the hit log."""

    hit_id: int
    rule: str
    state: str
    starred: bool
    matched_at: datetime
    terms: tuple[str, ...]
    snippet: str
    article_id: int
    title: str
    url: str | None
    source: str
    language: str | None
    published: datetime | None
    tags: tuple[str, ...] = ()
    other_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class HitPage:
    rows: list[HitRow]
    next_cursor: str | None = None
    filters: HitFilter = field(default_factory=HitFilter)


def filtered(statement: Any, hit_filter: HitFilter, dialect: str, *, search: Reach | None = None) -> Any:
    """`statement` (which selects from hit joined to article) narrowed to the filter; `search` says how a
    page newest first reaches a search's hits (by default: through their articles, for a whole filter)."""
    f = hit_filter
    conditions: list[Any] = []
    if f.rules:
        conditions.append(_hit.c.rule.in_(f.rules))
    if f.states:
        conditions.append(_hit.c.state.in_(f.states))
    if f.starred is not None:
        conditions.append(_hit.c.starred.is_(f.starred))
    if f.since is not None:
        conditions.append(_hit.c.matched_at >= f.since)
    if f.until is not None:
        conditions.append(_hit.c.matched_at < f.until)
    if f.languages:
        conditions.append(_article.c.language.in_(f.languages))
    if f.sources:
        names = sa.select(_source.c.id).where(_source.c.name.in_(f.sources))
        conditions.append(_article.c.source_id.in_(names))
    if f.tag:
        tagged = sa.select(_tag.c.hit_id).where(_tag.c.tag == f.tag)
        conditions.append(_hit.c.id.in_(tagged))
    if f.article_id is not None:
        conditions.append(_hit.c.article_id == f.article_id)
    if f.hit_id is not None:
        conditions.append(_hit.c.id == f.hit_id)
    if f.stories:
        members = sa.select(_story_article.c.article_id).where(_story_article.c.story_id.in_(f.stories))
        conditions.append(_hit.c.article_id.in_(members))
    query = parse_search(f.search)
    if query is not None:
        if search is None:
            conditions.append(_hit.c.article_id.in_(article_ids_matching(dialect, query)))
        else:
            conditions.append(search.condition(dialect, query, _hit.c.article_id))
    return statement.where(*conditions) if conditions else statement


def filtered_hit_ids(hit_filter: HitFilter, dialect: str) -> Any:
    """SELECT hit.id of every hit the filter keeps (for bulk actions on a whole filter)."""
    return filtered(sa.select(_hit.c.id).select_from(_from(hit_filter)), hit_filter, dialect)


def _from(hit_filter: HitFilter) -> Any:
    """The hit table, joined to the article only when the filter reads the article's columns."""
    if hit_filter.languages or hit_filter.sources:
        return _hit.join(_article, _article.c.id == _hit.c.article_id)
    return _hit


_COLUMNS = (
    _hit.c.id,
    _hit.c.rule,
    _hit.c.state,
    _hit.c.starred,
    _hit.c.matched_at,
    _hit.c.terms,
    _hit.c.snippet,
    _hit.c.article_id,
    _article.c.title,
    _article.c.url,
    _source.c.name,
    _article.c.language,
    _article.c.published_at,
)
_JOINED = _hit.join(_article, _article.c.id == _hit.c.article_id).join(
    _source, _source.c.id == _article.c.source_id
)
_NEWEST_FIRST = (_hit.c.matched_at.desc(), _hit.c.id.desc())


def hit_page(
    session: Session,
    hit_filter: HitFilter,
    *,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    offset: int | None = None,
) -> HitPage:
    """One page of the hit log, newest first: after `after` (keyset) or, for comparison, at `offset`.

    A keyset page's hits are chosen first from the hit table alone (and the article's, for filters on its
    columns), then only those are joined to their article and source. A search matching few articles
    fetches their hits and sorts them; one matching many walks the log newest first through the
    (matched_at, id, article_id) index, keeping the hits of matching articles: the denser the matches,
    the sooner the page is full, where fetching and sorting would grow with them (`search.reach`). An `offset`
    page is the naive pager, kept as the honest baseline of the benchmark: the same joined query (same
    joins, columns, filters and order) with `LIMIT n OFFSET k`, so the database reads and joins the k
    rows it skips."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if offset:
        return _offset_page(session, hit_filter, offset, limit)
    dialect = session.get_bind().dialect.name
    query = parse_search(hit_filter.search)
    way = reach(session.connection(), query) if query is not None else None
    chosen = filtered(sa.select(_hit.c.id).select_from(_from(hit_filter)), hit_filter, dialect, search=way)
    if after is not None:
        moment = sa.bindparam("after_at", after.matched_at, type_=_hit.c.matched_at.type)
        position = sa.bindparam("after_id", after.hit_id, type_=sa.Integer)
        chosen = chosen.where(sa.tuple_(_hit.c.matched_at, _hit.c.id) < sa.tuple_(moment, position))
    chosen = chosen.order_by(*_NEWEST_FIRST).limit(limit + 1)
    ids = [hit_id for (hit_id,) in session.connection().execute(chosen)]
    more = len(ids) > limit
    rows = hit_rows(session, ids[:limit], decorate=False)
    return _page(session, rows, more, hit_filter)


def hit_rows(session: Session, ids: Sequence[int], *, decorate: bool = True) -> list[HitRow]:
    """The rows of these hits, in this order (those that exist), with their article and source, and
    (`decorate`) their tags and the other rules of their article."""
    found = {
        values[0]: _row(values)
        for values in session.connection().execute(
            sa.select(*_COLUMNS).select_from(_JOINED).where(_hit.c.id.in_(list(ids)))
        )
    }
    rows = [found[hit_id] for hit_id in ids if hit_id in found]
    return _decorated(session, rows) if decorate else rows


def _offset_page(session: Session, hit_filter: HitFilter, offset: int, limit: int) -> HitPage:
    """The page `offset` rows deep the way a plain pager reads it (see `hit_page`)."""
    dialect = session.get_bind().dialect.name
    statement = filtered(sa.select(*_COLUMNS).select_from(_JOINED), hit_filter, dialect)
    statement = statement.order_by(*_NEWEST_FIRST).limit(limit + 1).offset(offset)
    rows = [_row(values) for values in session.connection().execute(statement)]
    return _page(session, rows[:limit], len(rows) > limit, hit_filter)


def _page(session: Session, rows: list[HitRow], more: bool, hit_filter: HitFilter) -> HitPage:
    rows = _decorated(session, rows)
    cursor = Cursor(rows[-1].matched_at, rows[-1].hit_id).encode() if more and rows else None
    return HitPage(rows, cursor, hit_filter)


def _row(values: Sequence[Any]) -> HitRow:
    (hit_id, rule, state, starred, matched_at, terms, snippet, article_id, title, url, source) = values[:11]
    language, published = values[11:]
    return HitRow(
        hit_id=hit_id,
        rule=rule,
        state=state,
        starred=bool(starred),
        matched_at=utc_moment(matched_at),
        terms=tuple(terms or ()),
        snippet=snippet,
        article_id=article_id,
        title=title,
        url=url,
        source=source,
        language=language,
        published=utc_moment(published) if published is not None else None,
    )


def _decorated(session: Session, rows: list[HitRow]) -> list[HitRow]:
    """The page's rows with their tags and the other rules that matched the same article."""
    if not rows:
        return rows
    ids = [row.hit_id for row in rows]
    tags: dict[int, list[str]] = {}
    for hit_id, tag in session.connection().execute(
        sa.select(_tag.c.hit_id, _tag.c.tag).where(_tag.c.hit_id.in_(ids)).order_by(_tag.c.tag)
    ):
        tags.setdefault(hit_id, []).append(tag)
    rules: dict[int, list[str]] = {}
    articles = sorted({row.article_id for row in rows})
    for article_id, rule in session.connection().execute(
        sa.select(_hit.c.article_id, _hit.c.rule).where(_hit.c.article_id.in_(articles)).order_by(_hit.c.rule)
    ):
        rules.setdefault(article_id, []).append(rule)
    return [
        replace(
            row,
            tags=tuple(tags.get(row.hit_id, ())),
            other_rules=tuple(r for r in rules.get(row.article_id, ()) if r != row.rule),
        )
        for row in rows
    ]


def has_hits_of_rule(session: Session, rule: str) -> bool:
    """Whether any stored hit is of `rule` (a rule removed from the configuration keeps its hits)."""
    statement = sa.select(_hit.c.id).where(_hit.c.rule == rule).limit(1)
    return session.connection().execute(statement).first() is not None
