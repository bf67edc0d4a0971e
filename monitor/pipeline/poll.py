"""Poll one source end to end: fetch → parse → store new articles → match → hits and outbox.

Everything a poll writes for one source is one transaction: new articles, their hits, the deliveries of
those hits and the source's state. A crash leaves either all of it or none of it, so nothing is lost and
nothing is alerted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from monitor.config import SourceConfig, WatchConfig
from monitor.errors import FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.parsing import ParsedFeed, parse_feed
from monitor.rules import Document
from monitor.storage.articles import store_entries
from monitor.storage.database import Database
from monitor.storage.hits import record_hits
from monitor.storage.sources import (
    get_source,
    record_fetch_failure,
    record_fetch_success,
)
from monitor.storage.tables import Article

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceOutcome:
    """What polling one source did."""

    source: str
    ok: bool
    new_articles: int = 0
    new_hits: int = 0
    not_modified: bool = False
    error: str | None = None
    warning: str | None = None


def document_for(article: Article, source_name: str) -> Document:
    """The matcher's view of a stored article: title, and summary plus content as text."""
    return Document(
        title=article.title or "",
        text=article_text(article.summary or "", article.content or ""),
        language=article.language,
        url=article.url or "",
        source=source_name,
    )


def article_text(summary: str, content: str) -> str:
    """Summary and content as one text, without repeating a summary that opens the content."""
    if summary and content and summary[:200] in content:
        return content
    return "\n\n".join(part for part in (summary, content) if part)


async def poll_source(
    fetcher: Fetcher, database: Database, config: WatchConfig, source: SourceConfig, *, now: datetime
) -> SourceOutcome:
    """Fetch, parse and store one source; failures are recorded on the source, never raised.

    Parsing and database work run in threads so that one large feed never stalls the other fetches.
    """
    etag, last_modified = await asyncio.to_thread(_validators, database, source.name)
    try:
        result = await fetcher.fetch(source.url, etag=etag, last_modified=last_modified)
        parsed = None if result.not_modified else await asyncio.to_thread(_parse, result, source)
    except FetchError as error:
        logger.warning("source %s failed: %s", source.name, error.message)
        await asyncio.to_thread(_record_failure, database, source.name, error.message, now)
        return SourceOutcome(source.name, ok=False, error=error.message)
    return await asyncio.to_thread(_store, database, config, source, result, parsed, now=now)


def _validators(database: Database, source_name: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified kept from the last successful fetch, for a conditional GET."""
    with database.session() as session:
        row = get_source(session, source_name)
        return (row.etag, row.last_modified) if row else (None, None)


def _record_failure(database: Database, source_name: str, message: str, now: datetime) -> None:
    with database.session() as session:
        record_fetch_failure(session, get_source(session, source_name), message, now=now)
        session.commit()


def _parse(result: FetchResult, source: SourceConfig) -> ParsedFeed:
    return parse_feed(
        result.body or b"",
        url=result.url,
        content_type=result.content_type,
        language_hint=source.language,
    )


def _channel_names(config: WatchConfig) -> Callable[[str], list[str]]:
    """The names of the channels a rule alerts, as the outbox wants them."""
    return lambda rule: [channel.name for channel in config.channels_for_rule(rule)]


def _store(
    database: Database,
    config: WatchConfig,
    source: SourceConfig,
    result: FetchResult,
    parsed: ParsedFeed | None,
    *,
    now: datetime,
) -> SourceOutcome:
    """Write new articles, their hits and deliveries, and the source's new state, in one transaction."""
    with database.session() as session:
        row = get_source(session, source.name)
        new_articles: list[Article] = []
        new_hits = 0
        if parsed is not None:
            new_articles = store_entries(session, row, parsed.entries, now=now)
            for article in new_articles:
                matches = config.matcher.match(document_for(article, source.name))
                if matches:
                    hits = record_hits(session, article, matches, _channel_names(config), now=now)
                    new_hits += len(hits)
        record_fetch_success(
            session,
            row,
            etag=result.etag,
            last_modified=result.last_modified,
            final_url=result.permanent_redirect,
            now=now,
        )
        session.commit()
    if result.permanent_redirect:
        logger.info("source %s moved permanently to %s", source.name, result.permanent_redirect)
    return SourceOutcome(
        source.name,
        ok=True,
        new_articles=len(new_articles),
        new_hits=new_hits,
        not_modified=result.not_modified,
        warning=parsed.warning if parsed else None,
    )
