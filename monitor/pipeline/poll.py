"""Poll one claimed source end to end: fetch → parse → (full text) → store new articles → match → hits.

Everything a poll writes for one source is one transaction: new articles, their hits, the deliveries of
those hits, operations notices and the source's new state (validators, errors, next check, lease
released). A crash leaves all of it or none of it, so nothing is lost and nothing is alerted twice.
Failures of the outside world are recorded on the source, never raised.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from monitor.alerts.policy import channel_holds
from monitor.config import SourceConfig, WatchConfig
from monitor.errors import FetchError, StorageError
from monitor.fetching import Fetcher, FetchResult, failures
from monitor.metrics import count_hits, count_poll
from monitor.parsing import FeedEntry, ParsedFeed
from monitor.pipeline.batching import UnchangedSourceWriter
from monitor.pipeline.cpu import CpuPool, parse_source_body
from monitor.pipeline.full_text import with_full_text
from monitor.pipeline.health import note_failure, note_success
from monitor.pipeline.stories import (
    FeaturesByKey,
    assign_stories,
    follow_ups,
    prepare_stories,
    story_assigner,
    story_times,
)
from monitor.rules import Document, RuleMatch
from monitor.sanitize import sanitize
from monitor.scheduling.policy import FeedHints, IntervalBounds, NextCheck, next_check
from monitor.secrets import mask_url_secrets
from monitor.settings import Settings
from monitor.storage.articles import (
    StoredArticle,
    article_text,
    dedupe_key,
    store_entries,
    unseen_entries,
)
from monitor.storage.database import Database
from monitor.storage.hits import HoldFor, record_hits
from monitor.storage.sources import (
    record_fetch_failure,
    record_fetch_success,
    record_gone,
    record_not_modified,
)
from monitor.storage.stories import StoryAssigner
from monitor.storage.tables import Article, Source
from monitor.wording import plural

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollContext:
    """What polling needs; one per cycle or service, shared by every poll."""

    fetcher: Fetcher
    database: Database
    config: WatchConfig
    settings: Settings
    cpu: CpuPool
    unchanged: UnchangedSourceWriter = field(init=False)
    """Commits the "nothing new" results of polls finishing together in one transaction."""
    stories: StoryAssigner | None = field(init=False)
    """Assigns new articles to stories (None when stories are off)."""
    holds: HoldFor = field(init=False)
    """Which alerts the channels' policies hold for a digest (quiet hours, digests, max_per_hour)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "unchanged", UnchangedSourceWriter(self.database, self.cpu.run_blocking))
        object.__setattr__(self, "stories", story_assigner(self.config, self.settings))
        object.__setattr__(self, "holds", channel_holds(self.config.channels, self.config.rules))


@dataclass(frozen=True)
class ClaimedSource:
    """The stored state of a source, read when it was claimed: where to fetch and what we knew."""

    id: int
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_failures: int
    first_poll: bool
    health_alert: str | None = None
    """The operations alert raised for the source ("failing", "silent"), whose recovery a success reports."""

    @classmethod
    def of(cls, row: Source) -> ClaimedSource:
        assert row.id is not None, "a claimed source is stored"
        return cls(
            id=row.id,
            name=row.name,
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            body_hash=row.body_hash,
            consecutive_failures=row.consecutive_failures,
            first_poll=row.last_success_at is None,
            health_alert=row.health_alert,
        )


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
    skipped: int = 0
    """Entries with neither link, GUID nor title: they cannot be stored or told apart."""


def document_for(article: Article | StoredArticle | FeedEntry, source_name: str) -> Document:
    """The matcher's view of an article, stored or about to be: title, and summary plus content as text,
    sanitized as storage sanitizes them (so that highlights point into the stored text)."""
    return Document(
        title=sanitize(article.title or ""),
        text=article_text(sanitize(article.summary or ""), sanitize(article.content or "")),
        language=article.language,
        url=article.url or "",
        source=source_name,
    )


async def poll_source(
    context: PollContext, source: SourceConfig, claimed: ClaimedSource, *, now: datetime
) -> SourceOutcome:
    """Fetch, parse and store one source; failures are recorded on the source, never raised.

    A fault of our own or of a library (a redirect httpx cannot follow, text the database refuses, a CPU
    pool stopped under it) is recorded as the source's failure too, its work rolled back and its lease
    released: one bad source never breaks the others' poll, nor leaves itself leased and unchecked.
    """
    try:
        outcome = await _poll(context, source, claimed, now=now)
    except Exception as exc:  # anything unforeseen in this source's poll is this source's failure
        outcome = await _record_crash(context, source, claimed, exc, now)
    count_poll(
        ok=outcome.ok,
        not_modified=outcome.not_modified,
        new_articles=outcome.new_articles,
        error=outcome.error,
    )
    return outcome


async def _poll(
    context: PollContext, source: SourceConfig, claimed: ClaimedSource, *, now: datetime
) -> SourceOutcome:
    try:
        result = await context.fetcher.fetch(
            claimed.url, etag=claimed.etag, last_modified=claimed.last_modified
        )
        body_hash = hashlib.sha256(result.body).hexdigest() if result.body is not None else None
        if result.not_modified or body_hash == claimed.body_hash:
            return await _record_unchanged(context, source, claimed, result, now)
        selectors = source.selectors.model_dump() if source.selectors else None
        parsed = await context.cpu.run(
            parse_source_body,
            result.body or b"",
            result.url,
            result.content_type,
            source.language,
            selectors,
            context.settings.fetch.max_entries_per_feed,
        )
    except FetchError as error:
        return await context.cpu.run_blocking(_record_failure, context, source, claimed, error, now)
    if source.full_text:
        parsed = await with_full_text(context, source, parsed)
    unseen = await context.cpu.run_blocking(_unseen, context, claimed, parsed)
    documents = [document_for(entry, source.name) for entry in unseen]
    found, described = await context.cpu.analyse(documents, story_times(context.stories, unseen, now))
    matched = {dedupe_key(entry): matches for entry, matches in zip(unseen, found, strict=True)}
    features = (
        {dedupe_key(entry): item for entry, item in zip(unseen, described, strict=True)} if described else {}
    )
    if features:
        await context.cpu.run_blocking(prepare_stories, context.stories, context.database)
    store = (_store, context, source, claimed, result, parsed, matched, features, body_hash, now)
    return await context.cpu.run_blocking(*store)


def _unseen(context: PollContext, claimed: ClaimedSource, parsed: ParsedFeed) -> list[FeedEntry]:
    """The entries not stored yet: the only ones to match (read without SQLite's write lock)."""
    with context.database.read_session() as session:
        return unseen_entries(session, claimed.id, parsed.entries)


async def _record_crash(
    context: PollContext, source: SourceConfig, claimed: ClaimedSource, exc: Exception, now: datetime
) -> SourceOutcome:
    """A poll that failed for a reason other than the source's answer: logged with the source's name and
    recorded as its failure, lease released, outside the CPU pool (which may be the cause). When the
    database is unreachable the lease cannot be released: it expires (`polling.lease`)."""
    error = failures.unexpected_error(exc)
    logger.warning("poll of source %s failed: %s", source.name, error.message)
    logger.debug("poll of source %s failed", source.name, exc_info=exc)
    try:
        return await asyncio.to_thread(_record_failure, context, source, claimed, error, now)
    except StorageError as storage_error:
        logger.debug("source %s stays leased until its lease expires: %s", source.name, storage_error)
    return SourceOutcome(source.name, ok=False, error=error.message)


def _record_failure(
    context: PollContext, source: SourceConfig, claimed: ClaimedSource, error: FetchError, now: datetime
) -> SourceOutcome:
    logger.warning("source %s failed: %s", source.name, error.message)
    hints = FeedHints(retry_after=error.retry_after)
    with context.database.session() as session:
        row = _row(session, claimed)
        if error.gone:
            record_gone(session, row, error.message, now=now)
        else:
            when = _next_check(context, source, claimed.consecutive_failures + 1, hints, (), now)
            record_fetch_failure(
                session, row, error.message, now=now, next_check_at=now + when.delay, reason=when.reason
            )
        note_failure(session, row, context.settings.health, now=now)
        session.commit()
    return SourceOutcome(source.name, ok=False, error=error.message)


async def _record_unchanged(
    context: PollContext, source: SourceConfig, claimed: ClaimedSource, result: FetchResult, now: datetime
) -> SourceOutcome:
    """304, or the same bytes as last time: nothing to parse, the source is healthy.

    Batched with other polls (see `UnchangedSourceWriter`), unless the source's recovery must be reported.
    """
    hints = FeedHints(max_age=result.cache_max_age, retry_after=result.retry_after)
    when = _next_check(context, source, 0, hints, (), now)
    if claimed.health_alert is None:
        await context.unchanged.record(
            claimed.id, now=now, next_check_at=now + when.delay, reason=when.reason
        )
    else:
        await context.cpu.run_blocking(_record_recovered, context, claimed, when, now)
    return SourceOutcome(source.name, ok=True, not_modified=True)


def _record_recovered(context: PollContext, claimed: ClaimedSource, when: NextCheck, now: datetime) -> None:
    with context.database.session() as session:
        record_not_modified(session, claimed.id, now=now, next_check_at=now + when.delay, reason=when.reason)
        _note_success(context, session, claimed, new_items=0, now=now)
        session.commit()


def _store(
    context: PollContext,
    source: SourceConfig,
    claimed: ClaimedSource,
    result: FetchResult,
    parsed: ParsedFeed,
    matched: dict[str | None, list[RuleMatch]],
    features: FeaturesByKey,
    body_hash: str | None,
    now: datetime,
) -> SourceOutcome:
    """Write new articles, their hits and deliveries, and the source's new state, in one transaction.

    The new entries were matched before (in a worker): on SQLite the write lock is held only for writes.
    """
    config = context.config
    alert_since = now - context.settings.polling.first_poll_alert_window if claimed.first_poll else None
    with context.database.session() as session:
        new_articles = store_entries(session, claimed.id, parsed.entries, now=now)
        stories = assign_stories(context.stories, session, new_articles, features, now)
        every = follow_ups(config)
        new_hits = 0
        for article in new_articles:
            matches = matched.get(article.dedupe_key)
            if matches is None:  # stored by another worker between our read and our write: match it now
                matches = config.matcher.match(document_for(article, source.name))
            if matches:
                alerted = alert_since is None or _published_since(article, alert_since)
                channels = _channel_names(config) if alerted else _no_channels
                story = stories.get(article.id)
                recorded = record_hits(
                    session, article, matches, channels, now=now, story=story, every=every, hold=context.holds
                )
                count_hits([hit.rule for hit in recorded])
                new_hits += len(recorded)
        hints = FeedHints(ttl=parsed.ttl, max_age=result.cache_max_age, retry_after=result.retry_after)
        posts = [entry.published for entry in parsed.entries if entry.published]
        when = _next_check(context, source, 0, hints, posts, now)
        record_fetch_success(
            session,
            claimed.id,
            etag=result.etag,
            last_modified=result.last_modified,
            final_url=result.permanent_redirect,
            now=now,
            next_check_at=now + when.delay,
            body_hash=body_hash,
            reason=when.reason,
            warning=sanitize(parsed.warning) if parsed.warning else None,
        )
        _note_success(context, session, claimed, new_items=len(new_articles), now=now)
        session.commit()
    if result.permanent_redirect:
        logger.info(
            "source %s moved permanently to %s", source.name, mask_url_secrets(result.permanent_redirect)
        )
    found = f"{plural(len(new_articles), 'new article')}, {plural(new_hits, 'new hit')}"
    logger.info("source %s polled: %s", source.name, found)
    return SourceOutcome(
        source.name,
        ok=True,
        new_articles=len(new_articles),
        new_hits=new_hits,
        warning=parsed.warning,
        skipped=parsed.skipped,
    )


def _note_success(
    context: PollContext, session: Session, claimed: ClaimedSource, *, new_items: int, now: datetime
) -> None:
    """Report the recovery of a source that had an operations alert (most have none: nothing to load)."""
    if claimed.health_alert is not None:
        note_success(session, _row(session, claimed), context.settings.health, new_items=new_items, now=now)


def _row(session: Session, claimed: ClaimedSource) -> Source:
    row = session.get(Source, claimed.id)
    if row is None:
        raise LookupError(f"source {claimed.name!r} is not in the database: sync the sources first")
    return row


def _published_since(article: StoredArticle, moment: datetime) -> bool:
    """Whether an entry counts as recent on a first poll; an undated entry does not (it may be old)."""
    return article.published_at is not None and article.published_at >= moment


def _channel_names(config: WatchConfig) -> Callable[[str], list[str]]:
    """The names of the channels a rule alerts, as the outbox wants them."""
    return lambda rule: [channel.name for channel in config.channels_for_rule(rule)]


def _no_channels(rule: str) -> list[str]:
    """Old entries of a first poll: hits for the log, no alert."""
    return []


def _next_check(
    context: PollContext,
    source: SourceConfig,
    failures: int,
    hints: FeedHints,
    posts: Sequence[datetime],
    now: datetime,
) -> NextCheck:
    bounds = IntervalBounds(source.interval, source.min_interval, source.max_interval)
    return next_check(
        bounds,
        consecutive_failures=failures,
        hints=hints,
        post_times=posts,
        now=now,
        max_backoff=context.settings.polling.max_backoff,
        max_server_wait=context.settings.polling.max_server_wait,
    )
