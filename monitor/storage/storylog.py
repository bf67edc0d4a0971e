"""The hit log grouped by story: one row per story (the hits of it that the filter keeps), in keyset pages,
and one story as the desk shows it (its articles on a timeline, their hits, the stories merged into it).

A page walks the hit log newest first (the same filtered, indexed walk as `hitlog.hit_page`) and keeps the
first hit it meets of each story: a story's place in the log is its newest hit. A story met again deeper
down is already on the page; one with a hit at or before the page's start was on an earlier page, which one
query tells for all the stories a batch of the walk meets first. Hits of articles without a story (stored
before stories, or with stories off) stay rows of their own. The page's stories are then read in two
queries (their hits, then the rows shown), whatever their number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from monitor.errors import NotFound
from monitor.storage.hitlog import MAX_PAGE_SIZE, PAGE_SIZE, Cursor, HitFilter, HitRow, filtered, hit_rows
from monitor.storage.search import Reach, parse_search, reach
from monitor.storage.stories import StoryArticleRecord, story_articles
from monitor.storage.tables import Article, Hit, Source, Story, StoryArticle, StoryMerge
from monitor.storage.types import utc_moment

MAX_MERGE_CHAIN = 50
MAX_BATCH = 5_000
"""The most hits one step of a page's walk reads (each step reads twice what the one before did: big
stories, or a filter that keeps many hits of each, take few steps)."""
MAX_STORY_ARTICLES = 1_000
"""The story page lists this many articles at most (a story's window bounds them anyway)."""

_hit = Hit.__table__  # type: ignore[attr-defined]
_article = Article.__table__  # type: ignore[attr-defined]
_source = Source.__table__  # type: ignore[attr-defined]
_story = Story.__table__  # type: ignore[attr-defined]
_story_article = StoryArticle.__table__  # type: ignore[attr-defined]
_merge = StoryMerge.__table__  # type: ignore[attr-defined]
_NEWEST_FIRST = (_hit.c.matched_at.desc(), _hit.c.id.desc())

GroupKey = tuple[str, int]
"""("story", id) for a story's hits, ("hit", id) for a hit whose article has no story."""


@dataclass(frozen=True)
class StoryGroup:
    """One row of the grouped hit log: a story's hits under the filter, or a hit without a story."""

    story_id: int | None
    rows: tuple[HitRow, ...]
    """A story of several articles: its earliest hit (the row that stands for it). Otherwise: every hit of
    its one article, newest first (shown as plain hit rows)."""
    hits: int
    articles: int
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    rules: tuple[str, ...]
    states: tuple[tuple[str, int], ...]
    first_at: datetime
    last_at: datetime
    story_articles: int = 0
    """The articles of the whole story, whatever the filter keeps (0 for a hit without a story)."""

    @property
    def grouped(self) -> bool:
        """Whether it shows as one story row (several articles) rather than plain hit rows."""
        return self.articles > 1

    @property
    def lead(self) -> HitRow:
        return self.rows[0]

    @property
    def state(self) -> str:
        """The state of every hit, or "mixed"."""
        return self.states[0][0] if len(self.states) == 1 else "mixed"


@dataclass(frozen=True)
class GroupPage:
    groups: list[StoryGroup]
    next_cursor: str | None = None
    filters: HitFilter = field(default_factory=HitFilter)


def _position(cursor: Cursor) -> Any:
    moment = sa.literal(cursor.matched_at, _hit.c.matched_at.type)
    return sa.tuple_(moment, sa.literal(cursor.hit_id, sa.Integer))


def _with_story(source: Any) -> Any:
    return source.outerjoin(_story_article, _story_article.c.article_id == _hit.c.article_id)


def group_page(
    session: Session, hit_filter: HitFilter, *, after: Cursor | None = None, limit: int = PAGE_SIZE
) -> GroupPage:
    """One page of the hit log grouped by story, newest first, after `after` (the newest hit of the last
    story of the page before)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    dialect = session.get_bind().dialect.name
    query = parse_search(hit_filter.search)
    way = reach(session.connection(), query) if query is not None else None
    columns = (_hit.c.id, _hit.c.matched_at, _story_article.c.story_id)
    source = _with_story(
        _hit.join(_article, _article.c.id == _hit.c.article_id) if _reads_article(hit_filter) else _hit
    )
    walk = filtered(sa.select(*columns).select_from(source), hit_filter, dialect, search=way)
    walk = walk.order_by(*_NEWEST_FIRST)
    places: dict[GroupKey, Cursor] = {}
    earlier: set[int] = set()
    position, batch = after, max(2 * (limit + 1), 100)
    while len(places) <= limit:
        statement = (
            walk
            if position is None
            else walk.where(sa.tuple_(_hit.c.matched_at, _hit.c.id) < _position(position))
        )
        rows = session.connection().execute(statement.limit(batch)).all()
        if after is not None:
            met = {story for _, _, story in rows if story is not None and ("story", story) not in places}
            earlier |= _shown_before(session, hit_filter, met - earlier, after, way)
        for hit_id, matched_at, story in rows:
            key: GroupKey = ("hit", hit_id) if story is None else ("story", story)
            if key not in places and story not in earlier:
                places[key] = Cursor(utc_moment(matched_at), hit_id)
                if len(places) > limit:
                    break
        if len(rows) < batch:
            break
        position, batch = Cursor(utc_moment(rows[-1][1]), rows[-1][0]), min(2 * batch, MAX_BATCH)
    keys = list(places)
    more = len(keys) > limit
    keys = keys[:limit]
    cursor = places[keys[-1]].encode() if more and keys else None
    return GroupPage(groups_of(session, hit_filter, keys, search=way), cursor, hit_filter)


def _reads_article(hit_filter: HitFilter) -> bool:
    return bool(hit_filter.languages or hit_filter.sources)


def _shown_before(
    session: Session, hit_filter: HitFilter, stories: set[int], after: Cursor, way: Reach | None
) -> set[int]:
    """Those of `stories` with a hit of the filter at or before `after` in the log (on an earlier page)."""
    if not stories:
        return set()
    dialect = session.get_bind().dialect.name
    source = _hit.join(_story_article, _story_article.c.article_id == _hit.c.article_id)
    if _reads_article(hit_filter):
        source = source.join(_article, _article.c.id == _hit.c.article_id)
    statement = filtered(
        sa.select(_story_article.c.story_id).select_from(source), hit_filter, dialect, search=way
    )
    statement = statement.where(
        _story_article.c.story_id.in_(sorted(stories)),
        sa.tuple_(_hit.c.matched_at, _hit.c.id) >= _position(after),
    ).distinct()
    return {story for (story,) in session.connection().execute(statement)}


def groups_of(
    session: Session, hit_filter: HitFilter, keys: Sequence[GroupKey], *, search: Reach | None = None
) -> list[StoryGroup]:
    """The groups of these keys under the filter, in this order (a story left with no hit is left out);
    `search` as the page reached the search's hits (see `hitlog.filtered`)."""
    stories = sorted({number for kind, number in keys if kind == "story"})
    members: dict[int, list[tuple[Any, ...]]] = {story: [] for story in stories}
    if stories:
        dialect = session.get_bind().dialect.name
        source = _hit.join(_story_article, _story_article.c.article_id == _hit.c.article_id)
        source = source.join(_article, _article.c.id == _hit.c.article_id)
        source = source.join(_source, _source.c.id == _article.c.source_id)
        columns: tuple[Any, ...] = (
            _story_article.c.story_id,
            _hit.c.id,
            _hit.c.matched_at,
            _hit.c.article_id,
            _hit.c.rule,
        )
        columns += (_hit.c.state, _source.c.name, _article.c.language)
        statement = filtered(sa.select(*columns).select_from(source), hit_filter, dialect, search=search)
        statement = statement.where(_story_article.c.story_id.in_(stories)).order_by(*_NEWEST_FIRST)
        for values in session.connection().execute(statement):
            members[values[0]].append(tuple(values[1:]))
    shown: list[int] = []
    for kind, number in keys:
        if kind == "hit":
            shown.append(number)
        elif len({member[2] for member in members[number]}) > 1:
            shown.append(members[number][-1][0])  # the earliest hit stands for the story
        else:
            shown += [member[0] for member in members[number]]
    rows = {row.hit_id: row for row in hit_rows(session, shown)}
    sizes = story_sizes(session, [story for story in stories if members[story]])
    groups: list[StoryGroup] = []
    for kind, number in keys:
        if kind == "hit":
            if number in rows:
                groups.append(lone_group(rows[number]))
        elif members[number]:
            group = replace(_group(number, members[number], rows), story_articles=sizes.get(number, 0))
            if group.rows:  # not when its hits went between the two reads
                groups.append(group)
    return groups


def story_sizes(session: Session, stories: Sequence[int]) -> dict[int, int]:
    """How many articles each of these stories has (whatever a filter keeps of them)."""
    if not stories:
        return {}
    statement = (
        sa.select(_story_article.c.story_id, sa.func.count())
        .where(_story_article.c.story_id.in_(sorted(set(stories))))
        .group_by(_story_article.c.story_id)
    )
    return {story: int(count) for story, count in session.connection().execute(statement)}


def story_of_hit(session: Session, hit_id: int) -> int | None:
    """The story of the hit's article (None when it has none)."""
    statement = sa.select(_story_article.c.story_id).select_from(
        _hit.join(_story_article, _story_article.c.article_id == _hit.c.article_id)
    )
    return session.connection().execute(statement.where(_hit.c.id == hit_id)).scalar()


def lone_group(row: HitRow) -> StoryGroup:
    """A hit as a group of its own (its article has no story, or the page is a flat one)."""
    languages = (row.language,) if row.language else ()
    return StoryGroup(
        None,
        (row,),
        1,
        1,
        (row.source,),
        languages,
        (row.rule,),
        ((row.state, 1),),
        row.matched_at,
        row.matched_at,
    )


def _group(story: int, members: list[tuple[Any, ...]], rows: dict[int, HitRow]) -> StoryGroup:
    articles = {member[2] for member in members}
    if len(articles) > 1:
        shown: tuple[HitRow, ...] = (rows[members[-1][0]],) if members[-1][0] in rows else ()
    else:
        shown = tuple(rows[member[0]] for member in members if member[0] in rows)
    moments = [utc_moment(member[1]) for member in members]
    return StoryGroup(
        story_id=story,
        rows=shown,
        hits=len(members),
        articles=len(articles),
        sources=tuple(sorted({member[5] for member in members})),
        languages=tuple(sorted({member[6] for member in members if member[6]})),
        rules=tuple(sorted({member[3] for member in members})),
        states=tuple(Counter(member[4] for member in members).most_common()),
        first_at=min(moments),
        last_at=max(moments),
    )


@dataclass(frozen=True)
class StoryHit:
    hit_id: int
    rule: str
    state: str


@dataclass(frozen=True)
class StoryEntry:
    """One article on a story's timeline, with its hits."""

    article_id: int
    at: datetime
    source: str
    language: str | None
    title: str
    url: str | None
    hits: tuple[StoryHit, ...]


@dataclass(frozen=True)
class StoryView:
    """A story as its page shows it: articles oldest first, and the stories merged into it."""

    id: int
    first_at: datetime
    last_at: datetime
    entries: tuple[StoryEntry, ...]
    merged_from: tuple[int, ...]
    requested: int
    """The story asked for: another one when it was merged into this one."""

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({entry.source for entry in self.entries}))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({entry.language for entry in self.entries if entry.language}))

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted({hit.rule for entry in self.entries for hit in entry.hits}))

    @property
    def hits(self) -> tuple[StoryHit, ...]:
        return tuple(hit for entry in self.entries for hit in entry.hits)


def live_story(session: Session, story_id: int) -> int:
    """The story that holds `story_id`'s articles now (itself, or the one it was merged into); NotFound."""
    current = story_id
    for _ in range(MAX_MERGE_CHAIN):
        found = (
            session.connection()
            .execute(sa.select(_story.c.merged_into).where(_story.c.id == current))
            .first()
        )
        if found is None:
            raise NotFound(f"no story {story_id}")
        if found[0] is None or found[0] == current:
            return current
        current = found[0]
    return current


def story_view(session: Session, story_id: int) -> StoryView:
    """The story `story_id` (or the one it was merged into) with its articles and their hits; NotFound."""
    live = live_story(session, story_id)
    connection = session.connection()
    story = connection.execute(
        sa.select(_story.c.first_at, _story.c.last_at).where(_story.c.id == live)
    ).one()
    articles = story_articles(session, [live], limit=MAX_STORY_ARTICLES)[live]
    hits = hits_of_articles(session, [article.article_id for article in articles])
    merged = connection.execute(
        sa.select(_merge.c.story_id).where(_merge.c.into_id == live).order_by(_merge.c.id)
    )
    entries = tuple(_entry(article, tuple(hits.get(article.article_id, ()))) for article in articles)
    return StoryView(
        id=live,
        first_at=utc_moment(story[0]),
        last_at=utc_moment(story[1]),
        entries=entries,
        merged_from=tuple(row[0] for row in merged),
        requested=story_id,
    )


def _entry(article: StoryArticleRecord, hits: tuple[StoryHit, ...]) -> StoryEntry:
    at, source, language = article.at, article.source, article.language
    return StoryEntry(article.article_id, at, source, language, article.title, article.url, hits)


def hits_of_articles(session: Session, article_ids: Sequence[int]) -> dict[int, list[StoryHit]]:
    """The hits of each of these articles, by rule."""
    hits: dict[int, list[StoryHit]] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 500):
        statement = (
            sa.select(_hit.c.article_id, _hit.c.id, _hit.c.rule, _hit.c.state)
            .where(_hit.c.article_id.in_(ids[start : start + 500]))
            .order_by(_hit.c.rule)
        )
        for article_id, hit_id, rule, state in session.connection().execute(statement):
            hits.setdefault(article_id, []).append(StoryHit(hit_id, rule, state))
    return hits


def story_hits(story_id: int, rules: Iterable[str] = ()) -> HitFilter:
    """The hits of a story (of these rules, or of every rule): what triage on the story changes."""
    return HitFilter(stories=(story_id,), rules=tuple(rules))
