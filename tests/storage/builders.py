"""Plain stand-ins for the types other stages hand to storage (FeedEntry, SourceConfig, RuleMatch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from monitor.storage import Article, Source, store_entries, sync_sources

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """A feed entry as monitor.parsing produces it."""

    guid: str | None = None
    url: str | None = None
    title: str = ""
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    language: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """A configured source as monitor.config produces it."""

    name: str
    url: str
    enabled: bool = True
    interval: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Highlight:
    term: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Match:
    """A rule match as monitor.rules produces it."""

    rule: str
    terms: tuple[str, ...] = ("shahed",)
    highlights: tuple[Highlight, ...] = (Highlight("shahed", "title", 0, 6),)
    snippet: str = "… Shahed drones assembled in Alabuga …"


def add_source(session: Session, name: str = "kyiv-independent") -> Source:
    """One enabled source, flushed so that it has an id."""
    return sync_sources(session, [SourceSpec(name, f"https://example.org/{name}.xml")], now=NOW)[name]


def add_article(session: Session, source: Source, guid: str = "a-1", title: str = "Shahed plant") -> Article:
    """One stored article of `source`."""
    (article,) = store_entries(session, source, [Entry(guid=guid, title=title)], now=NOW)
    return article
