"""Claiming and polling sources in one process: one cycle now, or forever as they fall due (`monitor run`).

A worker leases the sources it polls in the database (see `monitor.storage.sources.claim_sources`), at
most twice `fetch.max_concurrency` at a time, and refills as polls finish. Several workers on one PostgreSQL
database thus share the sources: each due source is fetched by exactly one of them, and the sources of a
worker that died are taken over when its leases expire.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from monitor import clock
from monitor.alerts.dispatcher import DispatchSummary
from monitor.alerts.styles import MessageStyle
from monitor.config import WatchConfig
from monitor.errors import MonitorError
from monitor.fetching import Fetcher, failures
from monitor.pipeline.cpu import CpuPool
from monitor.pipeline.poll import ClaimedSource, PollContext, SourceOutcome, poll_source
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.sources import (
    claim_sources,
    enabled_names,
    lease_holders,
    release_lease,
    renew_leases,
    sync_sources,
)

logger = logging.getLogger(__name__)


IN_FLIGHT_PER_FETCH_SLOT = 2
"""Polls in flight per fetch slot. A poll keeps its slot while its feed waits to be parsed and stored;
with only as many polls as fetch slots, fetching stopped whenever parsing fell behind, and the two took
turns instead of overlapping. Fetch concurrency itself stays bounded by the fetcher's limits."""
LEASE_WAIT_SECONDS = 0.25
"""How often `poll_now` tries again to claim a source another worker is polling."""
DATABASE_THREADS = 32
"""Threads for blocking work off the loop (alerts, reloads, and the database work of polls when they parse
in processes): polls queued on SQLite's write lock must not hold up the rest."""


def use_database_threads() -> None:
    """Give the running loop a default executor large enough for the database work of many polls."""
    executor = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="monitor-db")
    asyncio.get_running_loop().set_default_executor(executor)


def worker_name() -> str:
    """A name unique to this process, shown as the owner of its leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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


POLL_TASK_PREFIX = "poll of source "


class SourcePoller:
    """Claims sources for one worker and polls them concurrently, within the fetch limits."""

    def __init__(self, context: PollContext, *, owner: str | None = None) -> None:
        self.context = context
        self.owner = owner or worker_name()
        self.capacity = IN_FLIGHT_PER_FETCH_SLOT * context.settings.fetch.max_concurrency
        self._running: set[asyncio.Task[SourceOutcome]] = set()
        self._claims: dict[asyncio.Task[SourceOutcome], ClaimedSource] = {}
        """The source each poll started with, kept until its outcome is collected."""
        self._renewer: asyncio.Task[None] | None = None
        self._reported_waits: set[str] = set()

    @property
    def running(self) -> int:
        return len(self._running)

    async def fill(self, *, now: datetime | None = None, every_source: bool = False) -> int:
        """Claim as many sources as there is room for and start polling them; how many were started.

        Normally only due sources are claimed; `every_source` claims every source not yet checked at or
        after `now` (a cycle that polls everything once).
        """
        moment = now or clock.now()
        room = self.capacity - len(self._running - {task for task in self._running if task.done()})
        if room <= 0:
            return 0
        claimed = await self.context.cpu.run_blocking(self._claim, moment, room, every_source)
        self._start(claimed, moment)
        return len(claimed)

    def _start(self, claimed: list[ClaimedSource], moment: datetime) -> None:
        sources = {source.name: source for source in self.context.config.sources}
        for row in claimed:
            poll = poll_source(self.context, sources[row.name], row, now=moment)
            task = asyncio.create_task(poll, name=f"{POLL_TASK_PREFIX}{row.name}")
            self._running.add(task)
            self._claims[task] = row
        if claimed and (self._renewer is None or self._renewer.done()):
            self._renewer = asyncio.create_task(self._keep_leases())

    async def _keep_leases(self) -> None:
        """While polls run, renew their sources' leases every third of the lease."""
        lease = self.context.settings.polling.lease
        while self.in_flight():
            await asyncio.sleep(lease.total_seconds() / 3)
            source_ids = [self._claims[task].id for task in self.in_flight()]
            if not source_ids:
                return
            try:
                await asyncio.to_thread(self._renew, source_ids, clock.now() + lease)
            except Exception as error:  # the database may be away; the next round tries again
                logger.warning("could not renew the leases of %d polls: %s", len(source_ids), error)

    def _renew(self, source_ids: list[int], until: datetime) -> None:
        with self.context.database.session() as session:
            renew_leases(session, owner=self.owner, source_ids=source_ids, until=until)
            session.commit()

    async def reap(self) -> list[SourceOutcome]:
        """Collect the polls that have finished, without waiting for the others."""
        done = {task for task in self._running if task.done()}
        self._running -= done
        return await self._collect(done)

    async def _collect(self, done: set[asyncio.Task[SourceOutcome]]) -> list[SourceOutcome]:
        """The outcomes of finished polls. A poll that raised (a fault `poll_source` could not record on
        its source, the database refusing its failure, say) is logged with its source's name, counted as
        that source's failure, and its lease released, so that the source is polled again when due."""
        outcomes = []
        for task in done:
            claimed = self._claims.pop(task)
            if task.cancelled():
                continue
            if (exc := task.exception()) is None:
                outcomes.append(task.result())
                continue
            error = failures.unexpected_error(exc).message
            logger.error("poll of source %s failed unexpectedly: %s", claimed.name, error)
            logger.debug("poll of source %s failed unexpectedly", claimed.name, exc_info=exc)
            await self._release(claimed)
            outcomes.append(SourceOutcome(claimed.name, ok=False, error=error))
        return outcomes

    async def _release(self, claimed: ClaimedSource) -> None:
        """Give back the lease of a poll that ended without releasing it (outside the CPU pool, which may
        be the cause); when the database is away, the lease expires (`polling.lease`)."""

        def release() -> None:
            with self.context.database.session() as session:
                release_lease(session, owner=self.owner, source_id=claimed.id)
                session.commit()

        try:
            await asyncio.to_thread(release)
        except Exception as error:  # the same fault may stop this too: the lease then expires
            logger.warning("source %s stays leased until its lease expires: %s", claimed.name, error)

    def in_flight(self) -> set[asyncio.Task[SourceOutcome]]:
        """The polls running now (each keeps the context it started with until it ends)."""
        return {task for task in self._running if not task.done()}

    def in_flight_names(self) -> set[str]:
        """The names of the sources being polled now."""
        return {task.get_name().removeprefix(POLL_TASK_PREFIX) for task in self.in_flight()}

    async def next_finished(self) -> list[SourceOutcome]:
        """Wait for at least one running poll to finish; the outcomes of those finished."""
        if not self._running:
            return []
        done, self._running = await asyncio.wait(self._running, return_when=asyncio.FIRST_COMPLETED)
        return await self._collect(done)

    async def drain(self, *, now: datetime | None = None) -> list[SourceOutcome]:
        """Poll every enabled source once (those other workers are not polling), then return."""
        moment = now or clock.now()
        outcomes: list[SourceOutcome] = []
        await self.fill(now=moment, every_source=True)
        while self._running:
            outcomes += await self.next_finished()
            await self.fill(now=moment, every_source=True)
        return outcomes

    async def poll_now(self, names: Sequence[str]) -> list[SourceOutcome]:
        """Poll the named sources now, due or not. One that another worker is polling (leased) is polled
        once that poll has finished and released it, or its lease has expired."""
        waiting = set(names)
        outcomes: list[SourceOutcome] = []
        while waiting:
            moment = clock.now()
            claimed = await self.context.cpu.run_blocking(self._claim, moment, len(waiting), False, waiting)
            self._start(claimed, moment)
            waiting -= {row.name for row in claimed}
            if waiting:
                await self._wait_for_lease(waiting)
        while self._running:
            outcomes += await self.next_finished()
        return outcomes

    async def _wait_for_lease(self, names: set[str]) -> None:
        """Wait a moment for sources that another worker is polling; MonitorError for one that cannot be
        polled at all (disabled, or gone). A lease may end between the claim and this look: such a source
        is neither held nor unpollable, and the next claim takes it."""
        moment = clock.now()
        holders, enabled = await self.context.cpu.run_blocking(self._lease_holders, names, moment)
        if unpollable := sorted(names - enabled):
            raise MonitorError(f"source {unpollable[0]!r} cannot be polled: it is disabled or gone")
        if not self._reported_waits >= holders.keys():
            for name, owner in holders.items():
                logger.warning("source %s is being polled by %s: polling it once that poll ends", name, owner)
            self._reported_waits |= holders.keys()
        await asyncio.sleep(LEASE_WAIT_SECONDS)

    def _lease_holders(self, names: set[str], now: datetime) -> tuple[dict[str, str], set[str]]:
        """Which of the sources are leased (name → worker), and which are stored and enabled."""
        with self.context.database.read_session() as session:
            return lease_holders(session, names, now=now), enabled_names(session, names)

    async def wait_all(self) -> list[SourceOutcome]:
        """Let the polls already running finish (their transactions complete)."""
        outcomes: list[SourceOutcome] = []
        while self._running:
            outcomes += await self.next_finished()
        return outcomes

    def _claim(
        self, now: datetime, limit: int, every_source: bool, names: Collection[str] | None = None
    ) -> list[ClaimedSource]:
        configured = [source.name for source in self.context.config.sources if source.enabled]
        if names is not None:
            configured = [name for name in configured if name in names]
            every_source = True
        with self.context.database.session() as session:
            rows = claim_sources(
                session,
                owner=self.owner,
                now=now,
                lease=self.context.settings.polling.lease,
                limit=limit,
                due_only=not every_source,
                names=configured,
                checked_before=now if every_source and names is None else None,
            )
            claimed = [ClaimedSource.of(row) for row in rows]
            session.commit()
        return claimed


def channel_urls(config: WatchConfig) -> dict[str, list[str]]:
    """Each channel's Apprise URLs, by channel name, as the dispatcher wants them."""
    return {channel.name: list(channel.urls) for channel in config.channels}


def channel_styles(config: WatchConfig) -> dict[str, MessageStyle]:
    """Each channel's format and templates, by channel name, as the dispatcher wants them."""
    return {channel.name: channel.style() for channel in config.channels}


def sync_configured_sources(database: Database, config: WatchConfig) -> None:
    """Make the source table agree with sources.yaml (new rows, changed URLs, removed ones disabled)."""
    with database.session() as session:
        sync_sources(session, config.sources)
        session.commit()


async def poll_all(
    config: WatchConfig,
    settings: Settings,
    database: Database,
    *,
    now: datetime | None = None,
    names: Sequence[str] | None = None,
) -> list[SourceOutcome]:
    """Poll every enabled source once, sharing them with any other worker doing the same; or only the
    named ones, now, each after any other worker's poll of it has finished."""
    async with (
        Fetcher(settings.fetch) as fetcher,
        CpuPool.for_config(config, settings.polling.parse_workers) as cpu,
    ):
        poller = SourcePoller(PollContext(fetcher, database, config, settings, cpu))
        return await (poller.drain(now=now) if names is None else poller.poll_now(names))
