"""Poller processes: one per core by default (`polling.processes`), and `run_cycle`, what `monitor poll` does.

feedparser, the matcher and the HTTP client all hold the GIL, so a process uses one core. Pollers share
the sources through the same leases that share them between machines (see
`monitor.storage.sources.claim_sources`): N pollers on one machine are N workers. Each poller is a fresh
process (spawned, not forked: the parent may run threads) that loads the configuration directory itself,
since a compiled configuration cannot be pickled.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor import clock
from monitor.alerts.dispatcher import dispatch_pending
from monitor.config import WatchConfig
from monitor.errors import MonitorError
from monitor.logs import configure_logging
from monitor.pipeline.cycle import (
    CycleSummary,
    channel_styles,
    channel_urls,
    poll_all,
    sync_configured_sources,
)
from monitor.pipeline.lastgood import load_or_last_good
from monitor.pipeline.poll import SourceOutcome
from monitor.settings import Settings
from monitor.storage.database import Database, open_database

logger = logging.getLogger(__name__)


def poller_count(settings: Settings) -> int:
    """How many poller processes to run: the setting, or one per core."""
    return settings.polling.processes or os.cpu_count() or 1


def settings_for_poller(settings: Settings, count: int) -> Settings:
    """The settings of one of `count` pollers on this machine: the fetch limits are shared out between
    them, so that a host sees `per_host_concurrency` requests at once from the machine, not from each
    poller (or one per poller, when the limit is lower than the number of pollers)."""
    fetch = settings.fetch.model_copy(
        update={
            "max_concurrency": max(1, settings.fetch.max_concurrency // count),
            "per_host_concurrency": max(1, settings.fetch.per_host_concurrency // count),
        }
    )
    return settings.model_copy(update={"fetch": fetch})


@dataclass(frozen=True)
class PollerSpec:
    """What a poller process needs to rebuild its worker: all of it can be pickled."""

    config_dir: Path
    settings: Settings
    log_level: int

    def start(self) -> tuple[WatchConfig, Database]:
        """In the poller process: its logging (the parent's level, its name on each line), its tie to
        the parent, then its configuration and database (ConfigError or StorageError if either fails)."""
        configure_logging(self.log_level, process_name=True)
        exit_with_parent()
        database = open_database(self.settings.database_url)
        return load_or_last_good(self.config_dir, database, level=logging.DEBUG), database


def check_pollable(config: WatchConfig, names: Sequence[str]) -> None:
    """MonitorError for the first of `names` that is not an enabled source of the configuration: what
    `monitor poll --source` and the desk's "check now" refuse before polling."""
    for name in names:
        configured = config.source_by_name(name)
        if configured is None:
            raise MonitorError(f"no source named {name!r} in {config.directory / 'sources.yaml'}")
        if not configured.enabled:
            raise MonitorError(f"source {name!r} is disabled in {config.directory / 'sources.yaml'}")


async def run_cycle(
    config: WatchConfig,
    settings: Settings,
    database: Database,
    *,
    now: datetime | None = None,
    names: Sequence[str] | None = None,
) -> CycleSummary:
    """Poll every enabled source once (or the `names` ones, now), with the configured number of pollers,
    then send every pending delivery: what `monitor poll` does."""
    moment = now or clock.now()
    sync_configured_sources(database, config)
    pollers = poller_count(settings)
    if names is not None:
        outcomes = await poll_all(config, settings, database, names=names)
    elif pollers == 1:
        outcomes = await poll_all(config, settings, database, now=moment)
    else:
        level = logging.getLogger().getEffectiveLevel()
        spec = PollerSpec(config.directory, settings_for_poller(settings, pollers), level)
        outcomes = await asyncio.to_thread(poll_in_processes, spec, pollers, now=moment)
    delivery = await asyncio.to_thread(
        dispatch_pending,
        database,
        channel_urls(config),
        settings.delivery,
        now=now or clock.now(),
        styles=channel_styles(config),
    )
    return CycleSummary(outcomes=outcomes, delivery=delivery)


def exit_with_parent() -> None:
    """In a poller: exit at once if the parent dies, as if their machine had stopped (its leases then
    expire and other workers take its sources). Left running, a poller would be out of reach of SIGTERM
    and of the parent's restarts."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        logger.error("the parent process is gone: this poller stops")
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def poll_in_processes(spec: PollerSpec, count: int, *, now: datetime) -> list[SourceOutcome]:
    """Poll every enabled source once with `count` poller processes; their outcomes together."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[list[SourceOutcome] | str] = context.Queue()
    pollers = [
        context.Process(target=_poll_share, args=(spec, now, results), name=f"poller-{n + 1}")
        for n in range(count)
    ]
    for poller in pollers:
        poller.start()
    outcomes: list[SourceOutcome] = []
    problems: list[str] = []
    reported = 0
    try:
        while reported < count:
            try:
                share = results.get(timeout=1)
            except queue.Empty:
                if not any(poller.is_alive() for poller in pollers) and results.empty():
                    codes = [poller.exitcode for poller in pollers]
                    message = f"poller processes exited without reporting (exit codes {codes})"
                    raise MonitorError(message) from None
                continue
            reported += 1
            if isinstance(share, str):
                problems.append(share)
            else:
                outcomes += share
    finally:
        for poller in pollers:
            poller.join(timeout=30)
            if poller.is_alive():
                poller.kill()
    if problems:
        raise MonitorError("; ".join(dict.fromkeys(problems)))
    return outcomes


def _poll_share(spec: PollerSpec, now: datetime, results: multiprocessing.Queue) -> None:
    """In a poller process: poll the sources no other poller has taken, report the outcomes."""
    try:
        config, database = spec.start()
    except MonitorError as error:
        results.put(str(error))
        return
    try:
        results.put(asyncio.run(poll_all(config, spec.settings, database, now=now)))
    except MonitorError as error:
        results.put(str(error))
    finally:
        database.dispose()
