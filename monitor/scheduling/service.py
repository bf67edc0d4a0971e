"""`monitor run`: an APScheduler 3.x scheduler on an asyncio loop.

Jobs: `tick` claims the sources that fell due (each source's next check comes from
`monitor.scheduling.policy`, stored in the database) and starts polling them, every second by default, so
a due source is fetched within seconds and never waits for a batch; `dispatch` sends pending alerts (and
runs at once after a poll finds hits); `reload` reloads the configuration directory when a file changes —
a broken new configuration is rejected with its problems logged and the last good one stays in force, and
the polls in flight finish on the CPU pool they started with, stopped only once they are done;
`health` reports sources silent far longer than usual. SIGINT and SIGTERM stop the scheduler and let
running polls finish their transaction.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import clock
from monitor.alerts.dispatcher import dispatch_pending
from monitor.config import WatchConfig, load_config
from monitor.errors import ConfigError, StorageError
from monitor.fetching import Fetcher
from monitor.pipeline import (
    PollContext,
    SourceOutcome,
    SourcePoller,
    channel_styles,
    channel_urls,
    sync_configured_sources,
)
from monitor.pipeline.cpu import CpuPool
from monitor.pipeline.cycle import use_database_threads
from monitor.pipeline.health import report_silent_sources
from monitor.pipeline.lastgood import check_none_disappeared, remember
from monitor.pipeline.volume import report_volume_spikes
from monitor.scheduling.activity import ActivityCounters
from monitor.scheduling.outage import DatabaseWatch
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.sources import release_leases
from monitor.wording import plural

logger = logging.getLogger(__name__)

CONFIG_WATCH_INTERVAL = timedelta(seconds=5)
HEALTH_CHECK_INTERVAL = timedelta(hours=1)
Found = TypeVar("Found")
VOLUME_CHECK_INTERVAL = timedelta(minutes=10)
SUMMARY_INTERVAL = timedelta(minutes=1)


def config_fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the configuration files (and of the message templates
    under `templates/`): what a reload watches."""
    files = sorted(p for p in [*directory.glob("*.y*ml"), *directory.glob("templates/**/*")] if p.is_file())
    return tuple((str(p.relative_to(directory)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


class MonitorService:
    """The long-running worker: the current configuration, the scheduler and the source poller."""

    config_watch_interval = CONFIG_WATCH_INTERVAL
    summary_interval = SUMMARY_INTERVAL

    def __init__(
        self,
        config: WatchConfig,
        settings: Settings,
        database: Database,
        *,
        owner: str | None = None,
        announce: bool = True,
        counters: ActivityCounters | None = None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.database = database
        self.owner = owner
        self.announce = announce
        """Whether this service speaks for the machine: of several poller processes, only the first logs
        what they all do alike (reloads, the summary line), so that each line is printed once."""
        self._said = logging.INFO if announce else logging.DEBUG
        self._summarize_here = counters is None
        """Without counters given, the service counts and logs its own summary line; with them, it adds
        its counts to the machine's, which the supervisor logs."""
        self.counters = counters or ActivityCounters()
        self._fingerprint = config_fingerprint(config.directory)
        self._rejected: str | None = None
        """The problems of the last rejected reload: the same ones again (another file edited meanwhile)
        are an error already logged, not a new one."""
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._poller: SourcePoller | None = None
        self._stopping = asyncio.Event()
        self._retiring: set[asyncio.Task[None]] = set()
        self.database_watch = DatabaseWatch(database.display_url)

    async def run(self, *, install_signal_handlers: bool = True) -> None:
        """Run until `stop()` is called or SIGINT/SIGTERM arrives."""
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.stop)
        use_database_threads()
        await asyncio.to_thread(sync_configured_sources, self.database, self.config)
        async with Fetcher(self.settings.fetch) as fetcher:
            cpu = CpuPool.for_config(self.config, self.settings.polling.parse_workers)
            cpu.start()
            context = PollContext(fetcher, self.database, self.config, self.settings, cpu)
            self._poller = SourcePoller(context, owner=self.owner)
            self._add_job(self._tick, "tick", self.settings.polling.tick)
            self._add_job(self._dispatch, "dispatch", self.settings.delivery.dispatch_interval)
            self._add_job(self._reload_if_changed, "reload", self.config_watch_interval, start_now=False)
            self._add_job(self._report_silent, "health", HEALTH_CHECK_INTERVAL, start_now=False)
            self._add_job(self._report_volume, "volume", VOLUME_CHECK_INTERVAL, start_now=False)
            if self._summarize_here:
                self._add_job(self._summarize, "summary", self.summary_interval, start_now=False)
            self._scheduler.start()
            logger.info(
                "monitor running as %s: %s", self._poller.owner, plural(len(self.config.sources), "source")
            )
            try:
                await self._stopping.wait()
            finally:
                self._scheduler.shutdown(wait=False)
                await self._poller.wait_all()
                await asyncio.gather(*self._retiring)
                self._poller.context.cpu.close()
        logger.info("monitor stopped")

    def stop(self) -> None:
        """Ask the service to stop; safe to call from a signal handler."""
        logger.log(self._said, "stopping")
        self._stopping.set()

    def _add_job(
        self, function: Callable[[], object], job_id: str, interval: timedelta, *, start_now: bool = True
    ) -> None:
        # APScheduler 3 reads an explicit next_run_time=None as "paused": pass it only to start at once.
        first_run = {"next_run_time": clock.wall_now()} if start_now else {}
        self._scheduler.add_job(
            function,
            IntervalTrigger(seconds=max(0.1, interval.total_seconds()), timezone=UTC),
            id=job_id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            **first_run,
        )

    async def _tick(self) -> None:
        """Collect finished polls, then claim and start the sources that fell due."""
        assert self._poller is not None
        if self._stopping.is_set():
            return
        outcomes = await self._poller.reap()
        new_articles, new_hits = sum(o.new_articles for o in outcomes), sum(o.new_hits for o in outcomes)
        self.counters.add(polled=len(outcomes), new_articles=new_articles, hits=new_hits)
        if new_hits:
            self._scheduler.modify_job("dispatch", next_run_time=clock.wall_now())
        try:
            await self._poller.fill()
        except asyncio.CancelledError:
            if not self._stopping.is_set():
                raise
            logger.debug("claiming interrupted by shutdown")  # the claim's transaction rolls back
        except StorageError as error:
            self.database_watch.failed(error)
            return
        if self.database_watch.succeeded():
            await self._release_stale_leases()

    async def _release_stale_leases(self) -> None:
        """After an outage: give back the sources this worker holds but is not polling (their polls failed
        while the database was away and could not release them)."""
        assert self._poller is not None
        polling = self._poller.in_flight_names()
        owner = self._poller.owner

        def release() -> int:
            with self.database.session() as session:
                released = release_leases(session, owner=owner, keep=polling)
                session.commit()
                return released

        try:
            released = await asyncio.to_thread(release)
        except StorageError as error:
            self.database_watch.failed(error)
            return
        if released:
            logger.info("%s whose polls failed during the outage released", plural(released, "source"))

    async def _dispatch(self) -> None:
        try:
            summary = await asyncio.to_thread(
                dispatch_pending,
                self.database,
                channel_urls(self.config),
                self.settings.delivery,
                styles=channel_styles(self.config),
            )
        except StorageError as error:
            self.database_watch.failed(error)
            return
        self.counters.add(sent=summary.sent, failed=summary.failed + summary.retried)
        if summary.sent or summary.failed or summary.retried:
            logger.info(
                "alerts: %d sent, %d to retry, %d failed", summary.sent, summary.retried, summary.failed
            )

    async def _summarize(self) -> None:
        """One line a minute: what this service did since the last line."""
        logger.info("last minute: %s", self.counters.take().line())

    async def _report_silent(self) -> None:
        for name in await self._health_check(report_silent_sources):
            logger.warning("source %s is silent far longer than usual", name)

    async def _report_volume(self) -> None:
        for spike in await self._health_check(report_volume_spikes):
            logger.warning("rule %s got %d hits, about %.1f usually", spike.rule, spike.hits, spike.usual)

    async def _health_check(self, check: Callable[..., list[Found]]) -> list[Found]:
        """Run a health check in its own transaction, in a thread; what it reported ([] if the database
        failed)."""

        def run() -> list[Found]:
            with self.database.session() as session:
                found = check(session, self.settings.health, now=clock.now())
                session.commit()
                return found

        try:
            return await asyncio.to_thread(run)
        except StorageError as error:
            self.database_watch.failed(error)
            return []

    async def _reload_if_changed(self) -> None:
        fingerprint = config_fingerprint(self.config.directory)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        try:
            await asyncio.to_thread(check_none_disappeared, self.database, self.config.directory)
            config = await asyncio.to_thread(load_config, self.config.directory)
        except ConfigError as error:
            problems = "\n".join(p.render() for p in error.problems)
            said_before = problems == self._rejected
            self._rejected = problems
            logger.log(
                logging.ERROR if self.announce and not said_before else logging.DEBUG,
                "configuration rejected, the last good one stays in force:\n%s",
                problems,
            )
            return
        except Exception:  # a fault of monitor's own must not stop the reload job nor the configuration
            logger.exception("configuration rejected, the last good one stays in force: it could not be read")
            return
        await asyncio.to_thread(sync_configured_sources, self.database, config)
        await asyncio.to_thread(remember, self.database, config)
        self._rejected = None
        self.config = config
        if self._poller is not None:
            retired = self._poller.context.cpu
            cpu = CpuPool.for_config(config, self.settings.polling.parse_workers)
            cpu.start()
            self._poller.context = dataclasses.replace(self._poller.context, config=config, cpu=cpu)
            retiring = asyncio.create_task(_retire(retired, self._poller.in_flight()))
            self._retiring.add(retiring)
            retiring.add_done_callback(self._retiring.discard)
        counts = f"{plural(len(config.sources), 'source')}, {plural(len(config.rules), 'rule')}"
        logger.log(self._said, "configuration reloaded: %s", counts)


async def _retire(pool: CpuPool, polls: set[asyncio.Task[SourceOutcome]]) -> None:
    """Stop a replaced pool once the polls that started with it have ended: they use it to the end."""
    if polls:
        await asyncio.wait(polls)
    await asyncio.to_thread(pool.retire)
