"""One full cycle: poll every enabled source concurrently, then deliver what is pending."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.alerts.dispatcher import DispatchSummary, dispatch_pending
from monitor.config import SourceConfig, WatchConfig
from monitor.fetching import Fetcher
from monitor.pipeline.poll import SourceOutcome, poll_source
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.sources import sync_sources


@dataclass(frozen=True)
class CycleSummary:
    """What one cycle did, as `monitor poll` prints it."""

    outcomes: list[SourceOutcome] = field(default_factory=list)
    delivery: DispatchSummary | None = None

    @property
    def sources_ok(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.ok)

    @property
    def sources_failed(self) -> int:
        return sum(1 for outcome in self.outcomes if not outcome.ok)

    @property
    def new_articles(self) -> int:
        return sum(outcome.new_articles for outcome in self.outcomes)

    @property
    def new_hits(self) -> int:
        return sum(outcome.new_hits for outcome in self.outcomes)


def enabled_sources(config: WatchConfig) -> list[SourceConfig]:
    """The sources a cycle polls."""
    return [source for source in config.sources if source.enabled]


def channel_urls(config: WatchConfig) -> dict[str, list[str]]:
    """Each channel's Apprise URLs, by channel name, as the dispatcher wants them."""
    return {channel.name: list(channel.urls) for channel in config.channels}


def sync_configured_sources(database: Database, config: WatchConfig) -> None:
    """Make the source table agree with sources.yaml (new rows, changed URLs, removed ones disabled)."""
    with database.session() as session:
        sync_sources(session, config.sources)
        session.commit()


async def poll_sources(
    config: WatchConfig,
    settings: Settings,
    database: Database,
    sources: Sequence[SourceConfig],
    *,
    now: datetime | None = None,
) -> list[SourceOutcome]:
    """Poll the given sources concurrently; the fetcher's global and per-host limits pace them."""
    moment = now or datetime.now(UTC)
    async with Fetcher(settings.fetch) as fetcher:
        return list(
            await asyncio.gather(
                *(poll_source(fetcher, database, config, source, now=moment) for source in sources)
            )
        )


async def run_cycle(
    config: WatchConfig, settings: Settings, database: Database, *, now: datetime | None = None
) -> CycleSummary:
    """Poll every enabled source, then send every pending delivery: what `monitor poll` does."""
    sync_configured_sources(database, config)
    outcomes = await poll_sources(config, settings, database, enabled_sources(config), now=now)
    delivery = await asyncio.to_thread(
        dispatch_pending, database, channel_urls(config), settings.delivery, now=now
    )
    return CycleSummary(outcomes=outcomes, delivery=delivery)
