"""Articles: store the entries of a polled feed once each, and say which ones are new.

The dedupe key is the entry's GUID, else its canonical URL, else a hash of its title (long keys are hashed
so that the unique index stays small). An entry seen again — re-polled, repeated in the feed, re-ordered,
or edited — is never new; an edited one updates the stored text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import update
from sqlmodel import Session, col, select

from monitor.sanitize import sanitize
from monitor.storage.search import index_articles
from monitor.storage.tables import Article, Source
from monitor.storage.upsert import insert_many_if_absent

MAX_KEY_CHARS = 255
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 20_000
MAX_CONTENT_CHARS = 200_000
MAX_URL_CHARS = 4_000
_EDITABLE = ("url", "title", "summary", "content", "language", "published_at", "content_hash")


class EntryLike(Protocol):
    """What storage reads of a `monitor.parsing.FeedEntry`."""

    @property
    def guid(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def language(self) -> str | None: ...


E = TypeVar("E", bound=EntryLike)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as a poll just stored it: the values inserted (not read back, which costs as much again)."""

    id: int
    source_id: int
    dedupe_key: str
    url: str | None
    guid: str | None
    title: str
    summary: str
    content: str
    language: str | None
    published_at: datetime | None
    first_seen_at: datetime
    content_hash: str


def dedupe_key(entry: EntryLike) -> str | None:
    """The GUID, else the URL, else `title:<sha256>`; None for an entry with none of the three."""
    for candidate in (entry.guid, entry.url):
        if candidate and candidate.strip():
            return _bounded(sanitize(candidate.strip()))
    title = " ".join((entry.title or "").split()).casefold()
    return f"title:{_sha256(title)}" if title else None


def store_entries(
    session: Session, source_id: int, entries: Sequence[EntryLike], *, now: datetime
) -> list[StoredArticle]:
    """Store the entries of one poll of a source; return the articles seen for the first time, in order."""
    rows = _rows_by_key(source_id, entries, now)
    known = _known_keys(session, source_id, list(rows))
    for key, (article_id, content_hash) in known.items():
        if content_hash != rows[key]["content_hash"]:
            _apply_edit(session, article_id, rows[key])
    fresh = [row for key, row in rows.items() if key not in known]
    new_ids = insert_many_if_absent(session, Article, fresh, ("source_id", "dedupe_key"), key="dedupe_key")
    stored = [
        StoredArticle(id=new_ids[row["dedupe_key"]], **row) for row in fresh if row["dedupe_key"] in new_ids
    ]
    index_articles(session, [(a.id, a.title, article_text(a.summary, a.content)) for a in stored])
    return stored


def article_text(summary: str, content: str) -> str:
    """Summary and content as one text, without repeating a summary that opens the content: the text the
    matcher reads, and the one a hit's highlight offsets point into."""
    if summary and content and summary[:200] in content:
        return content
    return "\n\n".join(part for part in (summary, content) if part)


def unseen_entries(session: Session, source_id: int, entries: Sequence[E]) -> list[E]:
    """The entries this source has not stored yet (first occurrence of each key), in feed order."""
    keyed: dict[str, E] = {}
    for entry in entries:
        key = dedupe_key(entry)
        if key is not None:
            keyed.setdefault(key, entry)
    known = _known_keys(session, source_id, list(keyed))
    return [entry for key, entry in keyed.items() if key not in known]


def _rows_by_key(source_id: int, entries: Sequence[EntryLike], now: datetime) -> dict[str, dict[str, Any]]:
    """One row per dedupe key (the first occurrence wins), with hostile text sanitized and cut to size."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = dedupe_key(entry)
        if key is None or key in rows:
            continue
        title = sanitize(entry.title or "")[:MAX_TITLE_CHARS]
        summary = sanitize(entry.summary or "")[:MAX_SUMMARY_CHARS]
        content = sanitize(entry.content or "")[:MAX_CONTENT_CHARS]
        rows[key] = {
            "source_id": source_id,
            "dedupe_key": key,
            "url": sanitize(entry.url)[:MAX_URL_CHARS] if entry.url else None,
            "guid": sanitize(entry.guid)[:MAX_URL_CHARS] if entry.guid else None,
            "title": title,
            "summary": summary,
            "content": content,
            "language": sanitize(entry.language)[:35] if entry.language else None,
            "published_at": entry.published,
            "first_seen_at": now,
            "content_hash": _sha256("\x00".join((title, summary, content))),
        }
    return rows


def _known_keys(session: Session, source_id: int, keys: list[str]) -> dict[str, tuple[int, str]]:
    """The id and content hash of the stored articles of the source with these dedupe keys."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 500):
        statement = select(Article.dedupe_key, Article.id, Article.content_hash).where(
            Article.source_id == source_id, col(Article.dedupe_key).in_(keys[start : start + 500])
        )
        found.update(
            (key, (article_id, content_hash))
            for key, article_id, content_hash in session.exec(statement)
            if article_id is not None  # a stored row's primary key; None only in the column's type
        )
    return found


def _apply_edit(session: Session, article_id: int, row: dict[str, Any]) -> None:
    """Update the stored text of an article whose entry was edited; the article stays the same one."""
    values = {name: row[name] for name in _EDITABLE if name != "published_at" or row[name] is not None}
    table = Article.__table__  # type: ignore[attr-defined]
    session.connection().execute(update(table).where(table.c.id == article_id).values(**values))
    index_articles(session, [(article_id, row["title"], article_text(row["summary"], row["content"]))])


def _bounded(key: str) -> str:
    return key if len(key) <= MAX_KEY_CHARS else f"sha256:{_sha256(key)}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def iter_articles(session: Session, *, since: datetime | None = None) -> Iterator[tuple[Article, str]]:
    """Stored articles first seen at or after `since`, oldest first, with their source's name."""
    statement = select(Article, Source.name).join(Source, col(Source.id) == Article.source_id)
    if since is not None:
        statement = statement.where(col(Article.first_seen_at) >= since)
    statement = statement.order_by(col(Article.first_seen_at), col(Article.id)).execution_options(
        yield_per=500
    )
    yield from session.exec(statement)
