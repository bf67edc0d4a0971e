"""`monitor run`: an APScheduler 3.x scheduler on an asyncio loop.

One job per enabled source, on the source's own interval (a due source is fetched at once, no batch
tick in between); one job sends pending deliveries; one job reloads the configuration directory when a
file changes. A broken new configuration is rejected with its problems logged, and the last good one
stays in force. SIGINT and SIGTERM stop the scheduler and let running polls finish their transaction.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.alerts.dispatcher import dispatch_pending
from monitor.config import SourceConfig, WatchConfig, load_config
from monitor.errors import ConfigError
from monitor.fetching import Fetcher
from monitor.pipeline.cycle import channel_urls, sync_configured_sources
from monitor.pipeline.poll import poll_source
from monitor.settings import Settings
from monitor.storage.database import Database

logger = logging.getLogger(__name__)

CONFIG_WATCH_INTERVAL = timedelta(seconds=5)
_SOURCE_JOB_PREFIX = "source:"


def config_fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the configuration files: what a reload watches."""
    files = sorted(p for p in directory.glob("*.y*ml") if p.is_file())
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)


class MonitorService:
    """The long-running service: the current configuration, the scheduler and the shared fetcher."""

    def __init__(self, config: WatchConfig, settings: Settings, database: Database) -> None:
        self.config = config
        self.settings = settings
        self.database = database
        self._fingerprint = config_fingerprint(config.directory)
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._fetcher: Fetcher | None = None
        self._stopping = asyncio.Event()

    async def run(self, *, install_signal_handlers: bool = True) -> None:
        """Run until `stop()` is called or SIGINT/SIGTERM arrives."""
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.stop)
        sync_configured_sources(self.database, self.config)
        async with Fetcher(self.settings.fetch) as fetcher:
            self._fetcher = fetcher
            self._schedule_sources()
            self._add_job(self._dispatch, "dispatch", self.settings.delivery.dispatch_interval)
            self._add_job(self._reload_if_changed, "reload", CONFIG_WATCH_INTERVAL, start_now=False)
            self._scheduler.start()
            logger.info("monitor running: %d sources scheduled", len(self._source_job_ids()))
            try:
                await self._stopping.wait()
            finally:
                self._scheduler.shutdown(wait=False)
                await self._drain()
        logger.info("monitor stopped")

    def stop(self) -> None:
        """Ask the service to stop; safe to call from a signal handler."""
        logger.info("stopping")
        self._stopping.set()

    def _add_job(
        self,
        function: Callable[[], object],
        job_id: str,
        interval: timedelta,
        *,
        start_now: bool = True,
    ) -> None:
        self._scheduler.add_job(
            function,
            IntervalTrigger(seconds=max(1, interval.total_seconds()), timezone=UTC),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC) if start_now else None,
        )

    def _schedule_sources(self) -> None:
        """One job per enabled source; removed or disabled sources lose theirs."""
        wanted = {_SOURCE_JOB_PREFIX + s.name: s for s in self.config.sources if s.enabled}
        for job_id in self._source_job_ids() - wanted.keys():
            self._scheduler.remove_job(job_id)
        for job_id, source in wanted.items():
            existing = self._scheduler.get_job(job_id)
            if existing is not None and existing.trigger.interval == source.interval:
                continue
            self._add_job(self._poll_job(source.name), job_id, source.interval)

    def _source_job_ids(self) -> set[str]:
        return {j.id for j in self._scheduler.get_jobs() if j.id.startswith(_SOURCE_JOB_PREFIX)}

    def _poll_job(self, source_name: str) -> Callable[[], object]:
        async def poll() -> None:
            source = self._current_source(source_name)
            if source is None or self._fetcher is None or self._stopping.is_set():
                return
            outcome = await poll_source(
                self._fetcher, self.database, self.config, source, now=datetime.now(UTC)
            )
            if outcome.new_hits:
                await self._dispatch()

        return poll

    def _current_source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.config.sources if s.name == name and s.enabled), None)

    async def _dispatch(self) -> None:
        summary = await asyncio.to_thread(
            dispatch_pending, self.database, channel_urls(self.config), self.settings.delivery
        )
        if summary.sent or summary.failed or summary.retried:
            logger.info(
                "alerts: %d sent, %d to retry, %d failed", summary.sent, summary.retried, summary.failed
            )

    async def _reload_if_changed(self) -> None:
        fingerprint = config_fingerprint(self.config.directory)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        try:
            config = await asyncio.to_thread(load_config, self.config.directory)
        except ConfigError as error:
            logger.error(
                "configuration rejected, the last good one stays in force:\n%s",
                "\n".join(p.render() for p in error.problems),
            )
            return
        self.config = config
        await asyncio.to_thread(sync_configured_sources, self.database, config)
        self._schedule_sources()
        logger.info("configuration reloaded: %d sources, %d rules", len(config.sources), len(config.rules))

    async def _drain(self) -> None:
        """Let polls already running finish, so their transactions complete before the fetcher closes."""
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=self.settings.fetch.total_timeout)
