"""Builders of the real objects other stages hand to storage (FeedEntry, SourceConfig, RuleMatch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from monitor.config import SourceConfig
from monitor.parsing import FeedEntry
from monitor.rules import Highlight, RuleMatch
from monitor.storage import Article, Source, store_entries, sync_sources

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def Entry(
    guid: str | None = None,
    url: str | None = None,
    title: str = "",
    summary: str = "",
    content: str = "",
    published: datetime | None = None,
    language: str | None = None,
    author: str | None = None,
) -> FeedEntry:
    """A feed entry as monitor.parsing produces it, every field optional."""
    return FeedEntry(guid, url, title, summary, content, published, language, author)


def SourceSpec(
    name: str, url: str, enabled: bool = True, interval: timedelta = timedelta(minutes=15)
) -> SourceConfig:
    """A configured source as monitor.config produces it."""
    return SourceConfig(name=name, url=url, enabled=enabled, interval=interval)


def Match(rule: str) -> RuleMatch:
    """A match of `rule` as monitor.rules produces it: one highlighted term and a snippet."""
    highlight = Highlight("shahed", "title", 0, 6)
    return RuleMatch(rule, ("shahed",), (highlight,), "… Shahed drones assembled in Alabuga …")


def add_source(session: Session, name: str = "kyiv-independent") -> Source:
    """One enabled source, flushed so that it has an id."""
    return sync_sources(session, [SourceSpec(name, f"https://example.org/{name}.xml")], now=NOW)[name]


def add_article(session: Session, source: Source, guid: str = "a-1", title: str = "Shahed plant") -> Article:
    """One stored article of `source`."""
    (article,) = store_entries(session, source.id, [Entry(guid=guid, title=title)], now=NOW)
    return article
