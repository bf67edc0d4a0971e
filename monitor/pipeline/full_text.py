"""Full text for summary-only feeds: fetch each new entry's page and extract its main text.

Only entries not stored yet are fetched (a few at a time, at most `MAX_PAGES_PER_POLL` per poll), so a
feed is never crawled twice. A page that fails keeps the entry's summary: a missing full text never loses
the article. Article links are found in content: they reach only the addresses the fetcher's address
policy permits (no internal ones unless `fetch.allowed_networks` lists them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING

from monitor.config import SourceConfig
from monitor.errors import FetchError
from monitor.parsing import FeedEntry, ParsedFeed
from monitor.pipeline.cpu import extract_page
from monitor.storage.articles import unseen_entries
from monitor.storage.sources import get_source

if TYPE_CHECKING:
    from monitor.pipeline.poll import PollContext

logger = logging.getLogger(__name__)

MAX_PAGES_PER_POLL = 50


async def with_full_text(context: PollContext, source: SourceConfig, parsed: ParsedFeed) -> ParsedFeed:
    """The feed with the main text of each new entry's page as its content."""
    unseen = await context.cpu.run_blocking(_unseen, context, source, parsed.entries)
    wanted = [entry for entry in unseen if entry.url][:MAX_PAGES_PER_POLL]
    if not wanted:
        return parsed
    limit = asyncio.Semaphore(context.settings.polling.full_text_concurrency)
    filled = await asyncio.gather(*(_fill(context, entry, limit) for entry in wanted))
    replaced = {id(old): new for old, new in zip(wanted, filled, strict=True)}
    entries = [replaced.get(id(entry), entry) for entry in parsed.entries]
    return dataclasses.replace(parsed, entries=entries)


def _unseen(context: PollContext, source: SourceConfig, entries: list[FeedEntry]) -> list[FeedEntry]:
    with context.database.read_session() as session:
        row = get_source(session, source.name)
        if row is None or row.id is None:
            return list(entries)
        return unseen_entries(session, row.id, entries)


async def _fill(context: PollContext, entry: FeedEntry, limit: asyncio.Semaphore) -> FeedEntry:
    assert entry.url is not None
    async with limit:
        try:
            page = await context.fetcher.fetch(entry.url, found_in_content=True)
            article = await context.cpu.run(extract_page, page.body or b"", page.url, page.content_type)
        except FetchError as error:
            logger.info("full text of %s not fetched: %s", entry.url, error.message)
            return entry
    if len(article.text) <= len(entry.content or entry.summary):
        return entry
    return dataclasses.replace(entry, content=article.text)
