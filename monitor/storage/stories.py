"""Stories in the database: assign each stored article to a story, and list stories for people.

Assignment runs in the transaction that stores the articles, under one story lock (a transaction-level
advisory lock on PostgreSQL; SQLite has one writer at a time anyway), so two workers storing copies of one
story at once cannot both start a story: the second sees the first's committed assignment. Each worker
keeps the stories of the window in memory (`monitor.stories.StoryIndex`) and catches up under the lock with
the assignments and merges committed since (`story_article.id` and `story_merge.id` grow in commit order).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from monitor.storage.articles import StoredArticle, article_text
from monitor.storage.tables import Article, Hit, Source, Story, StoryAlert, StoryArticle, StoryMerge
from monitor.stories import ArticleFeatures, ConceptTagger, StoryIndex, features_of

STORY_LOCK_KEY = 0x5708_1E5
"""The PostgreSQL advisory lock key of story assignment."""
PRUNE_EVERY = timedelta(hours=1)
_LINKS = StoryArticle.__table__  # type: ignore[attr-defined]
_LINK_ROWS = select(_LINKS.c.id, _LINKS.c.article_id, _LINKS.c.story_id, _LINKS.c.features)
"""What an index loads of a story link (plain rows: no ORM objects for thousands of rows)."""
_PROVISIONAL = 1 << 62
"""Provisional ids of the stories a batch starts, above every stored id until their rows are written."""


class StoryAssigner:
    """Assigns stored articles to stories; one per worker process, safe for its threads."""

    def __init__(self, window: timedelta, concepts: ConceptTagger | None = None) -> None:
        self.window = window
        self.concepts = concepts
        self._index: StoryIndex | None = None
        self._lock = threading.Lock()
        self._last_row = 0
        self._last_merge = 0
        self._unconfirmed: list[tuple[int, int]] = []
        self._pruned_at: datetime | None = None

    def features(
        self, title: str, text_: str, language: str | None, published: datetime | None, *, now: datetime
    ) -> ArticleFeatures:
        """What assignment compares, at the article's publication time (its arrival when undated or dated
        in the future). Pure: runs before the transaction, beside matching."""
        return features_of(
            title, text_, language=language, at=story_time(published, now), concepts=self.concepts
        )

    def features_of_stored(self, article: StoredArticle, *, now: datetime) -> ArticleFeatures:
        text_ = article_text(article.summary, article.content)
        return self.features(article.title, text_, article.language, article.published_at, now=now)

    def assign(
        self,
        session: Session,
        articles: Sequence[StoredArticle],
        *,
        now: datetime,
        features: Mapping[int, ArticleFeatures] | None = None,
    ) -> dict[int, int]:
        """The story of each new article (article id → story id), written in the caller's transaction;
        `features` by article id, computed here for the articles missing from it."""
        if not articles:
            return {}
        known = features or {}
        computed = [known.get(a.id) or self.features_of_stored(a, now=now) for a in articles]
        _take_story_lock(session)
        with self._lock:
            index = self._catch_up(session, now)
            return self._assign_batch(session, index, articles, computed, now)

    def _assign_batch(
        self,
        session: Session,
        index: StoryIndex,
        articles: Sequence[StoredArticle],
        computed: Sequence[ArticleFeatures],
        now: datetime,
    ) -> dict[int, int]:
        """Decide in memory, then write in a few statements whatever the number of articles: the new
        stories, the widened ones, the links (and the rare merges).

        A new story has a provisional id above every stored one until its row exists, so that `decide`
        orders it after the stored stories (merges go into the oldest) as its real id will."""
        provisional: list[int] = []
        merges: list[tuple[tuple[int, ...], int]] = []
        for article, features in zip(articles, computed, strict=True):
            decision = index.decide(features)
            story = decision.story
            if story is None:
                story = _PROVISIONAL + len(provisional)
                provisional.append(story)
            index.add(article.id, story, features)
            if decision.merged:
                index.merge(decision.merged, story)
                merges.append((decision.merged, story))
        final = {article.id: index.story_of(article.id) or 0 for article in articles}
        spans: dict[int, tuple[datetime, datetime]] = {}
        for article, features in zip(articles, computed, strict=True):
            first, last = spans.get(final[article.id], (features.at, features.at))
            spans[final[article.id]] = (min(first, features.at), max(last, features.at))
        real = _insert_stories(session, [story for story in provisional if story in spans], spans, now)
        for story, row_id in real.items():
            index.merge([story], row_id)
        for merged, into in merges:
            stored = tuple(story for story in merged if story < _PROVISIONAL)
            if stored:
                _merge(session, stored, into, now)
        _widen_all(session, {story: span for story, span in spans.items() if story < _PROVISIONAL})
        final = {article_id: real.get(story, story) for article_id, story in final.items()}
        links = [
            {"article_id": article.id, "story_id": final[article.id], "at": f.at, "features": f.to_json()}
            for article, f in zip(articles, computed, strict=True)
        ]
        statement = insert(_LINKS).returning(_LINKS.c.id, _LINKS.c.article_id)
        written = [(row_id, article_id) for row_id, article_id in session.execute(statement, links)]
        self._unconfirmed.extend(written)
        # Under the story lock nobody else writes links: every row below ours was read by the catch-up.
        self._last_row = max(self._last_row, *(row_id for row_id, _ in written))
        return final

    def _catch_up(self, session: Session, now: datetime) -> StoryIndex:
        """The index, with what other workers committed since; rebuilt when an assignment of ours was
        never committed (its transaction rolled back)."""
        if self._index is None or not self._confirmed(session):
            self._index, self._last_row, self._last_merge = StoryIndex(self.window), 0, 0
            self._unconfirmed = []
            return self._load(session, self._index, now)
        self._unconfirmed = []
        index = self._index
        self._read_committed(session, index)
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            index.prune(now)
            self._pruned_at = now
        return index

    def prepare(self, session: Session) -> None:
        """Read what other workers committed since the last assignment, before the storing transaction
        (a read session): the catch-up under the story lock, which SQLite's writers all wait for, then
        only reads what was committed in between. Committed rows are final whatever happens to ours."""
        with self._lock:
            if self._index is not None:
                self._read_committed(session, self._index)

    def _read_committed(self, session: Session, index: StoryIndex) -> None:
        """The links and merges committed after the last ones read (ids grow in commit order: both are
        written under the story lock). A merge read before its stories' links is harmless: the links are
        stored with the story they were merged into."""
        for row in session.execute(_LINK_ROWS.where(_LINKS.c.id > self._last_row).order_by(_LINKS.c.id)):
            self._add_row(index, *row)
        merges = select(StoryMerge).where(col(StoryMerge.id) > self._last_merge).order_by(col(StoryMerge.id))
        for merge in session.exec(merges):
            index.merge([merge.story_id], merge.into_id)
            self._last_merge = merge.id or self._last_merge

    def _load(self, session: Session, index: StoryIndex, now: datetime) -> StoryIndex:
        """The stories whose window is open, from the database."""
        live = select(Story.id).where(
            col(Story.last_at) >= now - self.window, col(Story.merged_into).is_(None)
        )
        rows = _LINK_ROWS.where(_LINKS.c.story_id.in_(live)).order_by(_LINKS.c.id)
        for row in session.execute(rows.execution_options(yield_per=1000)):
            self._add_row(index, *row)
        self._last_row = max(self._last_row, session.exec(select(func.max(StoryArticle.id))).one() or 0)
        self._last_merge = session.exec(select(func.max(StoryMerge.id))).one() or 0
        self._pruned_at = now
        return index

    def _add_row(
        self, index: StoryIndex, row_id: int, article_id: int, story: int, features: dict[str, object]
    ) -> None:
        if article_id not in index:
            index.add(article_id, story, ArticleFeatures.from_json(features))
        self._last_row = max(self._last_row, row_id)

    def _confirmed(self, session: Session) -> bool:
        """Whether our last assignments were committed (the same rows are there)."""
        if not self._unconfirmed:
            return True
        ids = [row_id for row_id, _ in self._unconfirmed]
        found = session.exec(
            select(StoryArticle.id, StoryArticle.article_id).where(col(StoryArticle.id).in_(ids))
        ).all()
        return set(found) == set(self._unconfirmed)


def story_time(published: datetime | None, now: datetime) -> datetime:
    """When an article happened for stories: its publication, or its arrival when undated or dated in the
    future."""
    return min(published, now) if published else now


def _take_story_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=STORY_LOCK_KEY))  # type: ignore[call-overload]


def _insert_stories(
    session: Session, stories: list[int], spans: Mapping[int, tuple[datetime, datetime]], now: datetime
) -> dict[int, int]:
    """Rows for the new stories of a batch (one statement): provisional id → stored id, in creation order."""
    if not stories:
        return {}
    table = Story.__table__  # type: ignore[attr-defined]
    rows = [{"first_at": spans[story][0], "last_at": spans[story][1], "created_at": now} for story in stories]
    statement = insert(table).returning(table.c.id)
    ids = sorted(  # the ids in creation order, whatever order the database returns them in
        row_id for (row_id,) in session.execute(statement, rows)
    )
    return dict(zip(stories, ids, strict=True))


def _widen_all(session: Session, spans: Mapping[int, tuple[datetime, datetime]]) -> None:
    """Widen stored stories to the times of their new articles: one statement for all of them."""
    if not spans:
        return
    table = Story.__table__  # type: ignore[attr-defined]
    first = bindparam("new_first", type_=table.c.first_at.type)
    last = bindparam("new_last", type_=table.c.last_at.type)
    statement = (
        update(table)
        .where(table.c.id == bindparam("story"))
        .values(
            first_at=case((table.c.first_at > first, first), else_=table.c.first_at),
            last_at=case((table.c.last_at < last, last), else_=table.c.last_at),
        )
    )
    rows = [
        {"story": story, "new_first": first_at, "new_last": last_at}
        for story, (first_at, last_at) in sorted(spans.items())
    ]
    session.execute(statement, rows)


def _widen(session: Session, story: int, at: datetime) -> None:
    table = Story.__table__  # type: ignore[attr-defined]
    session.exec(update(table).where(table.c.id == story, table.c.last_at < at).values(last_at=at))
    session.exec(update(table).where(table.c.id == story, table.c.first_at > at).values(first_at=at))


def _merge(session: Session, stories: Sequence[int], into: int, now: datetime) -> None:
    """Fold stories into `into`: their articles, their alerts already sent (so the merge alerts nobody)."""
    for story in stories:
        session.exec(update(StoryArticle).where(col(StoryArticle.story_id) == story).values(story_id=into))
        session.exec(update(Story).where(col(Story.id) == story).values(merged_into=into))
        _widen_from(session, story, into)
        for alert in session.exec(select(StoryAlert).where(StoryAlert.story_id == story)).all():
            values = {"story_id": into, "rule": alert.rule, "channel": alert.channel}
            _insert_alert(session, values)
        session.exec(delete(StoryAlert).where(col(StoryAlert.story_id) == story))
        session.add(StoryMerge(story_id=story, into_id=into, created_at=now))
    session.flush()


def _widen_from(session: Session, story: int, into: int) -> None:
    gone = session.get(Story, story)
    if gone is not None:
        _widen(session, into, gone.first_at)
        _widen(session, into, gone.last_at)


def _insert_alert(session: Session, values: dict[str, object]) -> bool:
    """Record that (story, rule, channel) alerted; False when it had already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = StoryAlert.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.story_id)
    return session.exec(statement).first() is not None


def first_alert(session: Session, story: int, rule: str, channel: str) -> bool:
    """Whether this is the first alert of `rule` to `channel` about `story` (and record it if so)."""
    return _insert_alert(session, {"story_id": story, "rule": rule, "channel": channel})


@dataclass(frozen=True)
class StoryArticleRecord:
    """One article of a story, as listed."""

    article_id: int
    source: str
    language: str | None
    title: str
    url: str | None
    at: datetime


@dataclass(frozen=True)
class StoryRecord:
    """A story and its articles, oldest first."""

    id: int
    first_at: datetime
    last_at: datetime
    articles: tuple[StoryArticleRecord, ...]

    @property
    def sources(self) -> int:
        return len({article.source for article in self.articles})

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({article.language for article in self.articles if article.language}))


def stories_of(session: Session, article_ids: Sequence[int]) -> dict[int, int]:
    """The story of each of these articles that has one."""
    found: dict[int, int] = {}
    ids = list(article_ids)
    for start in range(0, len(ids), 500):
        statement = select(StoryArticle.article_id, StoryArticle.story_id).where(
            col(StoryArticle.article_id).in_(ids[start : start + 500])
        )
        found.update(dict(session.exec(statement).all()))
    return found


def list_stories(
    session: Session, *, since: datetime | None = None, rule: str | None = None, limit: int | None = None
) -> list[StoryRecord]:
    """Stories (latest article first) whose latest article is at or after `since`, optionally only those
    with a hit of `rule`, each with its articles oldest first."""
    statement = select(Story).where(col(Story.merged_into).is_(None))
    if since is not None:
        statement = statement.where(col(Story.last_at) >= since)
    if rule is not None:
        with_rule = (
            select(StoryArticle.story_id)
            .join(Hit, col(Hit.article_id) == StoryArticle.article_id)
            .where(Hit.rule == rule)
        )
        statement = statement.where(col(Story.id).in_(with_rule))
    statement = statement.order_by(col(Story.last_at).desc(), col(Story.id).desc())
    if limit is not None:
        statement = statement.limit(limit)
    stories = [story for story in session.exec(statement) if story.id is not None]
    members = story_articles(session, [story.id for story in stories if story.id is not None])
    return [
        StoryRecord(story.id, story.first_at, story.last_at, tuple(members[story.id]))
        for story in stories
        if story.id is not None
    ]


def story_articles(
    session: Session, story_ids: Sequence[int], *, limit: int | None = None
) -> dict[int, list[StoryArticleRecord]]:
    """The articles of each of these stories, oldest first (at most `limit` of them in all)."""
    members: dict[int, list[StoryArticleRecord]] = {story: [] for story in story_ids}
    ids, read = list(members), 0
    for start in range(0, len(ids), 500):
        if limit is not None and read >= limit:
            break
        rows = (
            select(StoryArticle, Article, Source.name)
            .join(Article, col(Article.id) == StoryArticle.article_id)
            .join(Source, col(Source.id) == Article.source_id)
            .where(col(StoryArticle.story_id).in_(ids[start : start + 500]))
            .order_by(col(StoryArticle.at), col(StoryArticle.article_id))
            .limit(None if limit is None else limit - read)
        )
        for link, article, source in session.exec(rows):
            read += 1
            record = StoryArticleRecord(
                link.article_id, source, article.language, article.title, article.url, link.at
            )
            members[link.story_id].append(record)
    return members


@dataclass(frozen=True)
class StoryReach:
    """How far a story has spread: its distinct sources and languages (what an alert says of it)."""

    story_id: int
    sources: int
    languages: tuple[str, ...]


def story_reach(session: Session, article_ids: Sequence[int]) -> dict[int, StoryReach]:
    """The reach of the story of each of these articles that has one, by article id."""
    story_of = stories_of(session, article_ids)
    story_ids = sorted(set(story_of.values()))
    sources: dict[int, set[int]] = {}
    languages: dict[int, set[str]] = {}
    for start in range(0, len(story_ids), 500):
        rows = (
            select(StoryArticle.story_id, Article.source_id, Article.language)
            .join(Article, col(Article.id) == StoryArticle.article_id)
            .where(col(StoryArticle.story_id).in_(story_ids[start : start + 500]))
        )
        for story, source, language in session.exec(rows):
            sources.setdefault(story, set()).add(source)
            if language:
                languages.setdefault(story, set()).add(language)
    return {
        article: StoryReach(story, len(sources.get(story, ())), tuple(sorted(languages.get(story, ()))))
        for article, story in story_of.items()
    }
