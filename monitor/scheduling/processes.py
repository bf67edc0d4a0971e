"""`monitor run` with several poller processes: each runs the whole service, the parent watches them.

Each poller is a `MonitorService` of its own (claiming due sources, sending alerts, reloading the
configuration), exactly as if it were a worker on another machine: leases make each due source and each
pending alert go to one of them. The parent starts them, restarts one that dies (after a growing pause),
and on SIGINT or SIGTERM asks each to stop and waits for their polls to finish their transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from types import FrameType

from monitor.errors import ConfigError, MonitorError
from monitor.pipeline.pollers import PollerSpec
from monitor.scheduling.activity import ActivityCounters
from monitor.scheduling.service import SUMMARY_INTERVAL, MonitorService

logger = logging.getLogger(__name__)

FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 60.0
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
FIRST_POLLER = "poller-1"
STOP_TIMEOUT = 60.0
"""Seconds a poller gets to finish its running polls after SIGTERM before it is killed."""


class _Poller:
    """One poller process and, when it died, when it may be started again."""

    def __init__(self, number: int) -> None:
        self.name = f"poller-{number}"
        self.process: BaseProcess | None = None
        self.started_at = 0.0
        self.restart_delay = FIRST_RESTART_DELAY
        self.restart_at: float | None = None


class PollerSupervisor:
    """Starts `count` poller processes, restarts those that die, and says which are alive."""

    summary_interval = SUMMARY_INTERVAL.total_seconds()

    def __init__(self, spec: PollerSpec, count: int) -> None:
        self.spec = spec
        self.pollers = [_Poller(number) for number in range(1, count + 1)]
        self.counters = ActivityCounters()

    def alive(self) -> dict[str, bool]:
        """Each poller's name → whether its process is running (for /readyz)."""
        return {p.name: p.process is not None and p.process.is_alive() for p in self.pollers}

    def serve(self, beside: contextlib.AbstractContextManager[object] | None = None) -> None:
        """Run the pollers until SIGINT or SIGTERM; a poller that dies is started again. `beside` (the
        desk) is entered once the pollers are started, and left before they are stopped."""
        context = multiprocessing.get_context("spawn")
        stopping = threading.Event()
        previous = {sig: signal.signal(sig, _stop_on(stopping)) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for poller in self.pollers:
                _start(context, self.spec, poller, self.counters)
            summary_at = time.monotonic() + self.summary_interval
            with beside or contextlib.nullcontext():
                while not stopping.is_set():
                    sentinels = [p.process.sentinel for p in self.pollers if p.process is not None]
                    multiprocessing.connection.wait(sentinels, timeout=0.5)
                    now = time.monotonic()
                    for poller in self.pollers:
                        _watch(context, self.spec, poller, now, stopping, self.counters)
                    if now >= summary_at:
                        logger.info("last minute: %s", self.counters.take().line())
                        summary_at = now + self.summary_interval
        finally:
            _stop_all(self.pollers)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve_in_processes(spec: PollerSpec, count: int) -> None:
    """Run `count` poller processes until SIGINT or SIGTERM; a poller that dies is started again."""
    PollerSupervisor(spec, count).serve()


@contextmanager
def shared_metrics() -> Iterator[None]:
    """While inside, poller processes started write their Prometheus counts to a directory of their own
    (prometheus-client's multiprocess mode), which the desk's /metrics adds up; removed afterwards."""
    directory = tempfile.mkdtemp(prefix="monitor-metrics-")
    previous = os.environ.get(MULTIPROC_DIR)
    os.environ[MULTIPROC_DIR] = directory
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_DIR, None)
        else:
            os.environ[MULTIPROC_DIR] = previous
        shutil.rmtree(directory, ignore_errors=True)


def _watch(
    context: multiprocessing.context.BaseContext,
    spec: PollerSpec,
    poller: _Poller,
    now: float,
    stopping: threading.Event,
    counters: ActivityCounters,
) -> None:
    """Notice a poller that died and start it again once its pause is over."""
    process = poller.process
    if process is not None and process.exitcode is not None and not stopping.is_set():
        if now - poller.started_at > MAX_RESTART_DELAY:
            poller.restart_delay = FIRST_RESTART_DELAY  # it had been running well: no long pause
        logger.error(
            "%s exited with code %s; starting it again in %.0f s",
            poller.name,
            process.exitcode,
            poller.restart_delay,
        )
        poller.process, poller.restart_at = None, now + poller.restart_delay
        poller.restart_delay = min(poller.restart_delay * 2, MAX_RESTART_DELAY)
    if poller.process is None and poller.restart_at is not None and now >= poller.restart_at:
        _start(context, spec, poller, counters)


def _start(
    context: multiprocessing.context.BaseContext,
    spec: PollerSpec,
    poller: _Poller,
    counters: ActivityCounters,
) -> None:
    speaker = poller.name == FIRST_POLLER
    arguments = (spec, speaker, counters)
    process = context.Process(target=_serve, args=arguments, name=poller.name)  # type: ignore[attr-defined]
    process.start()
    poller.process, poller.started_at, poller.restart_at = process, time.monotonic(), None


def _stop_all(pollers: list[_Poller]) -> None:
    """SIGTERM to every poller (each lets its polls finish), then wait; kill any still running after that."""
    running = [p.process for p in pollers if p.process is not None and p.process.is_alive()]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in running:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            logger.error("%s did not stop within %.0f s: killed", process.name, STOP_TIMEOUT)
            process.kill()
            process.join()


def _stop_on(stopping: threading.Event) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        logger.info("stopping the pollers")
        stopping.set()

    return handler


def _serve(spec: PollerSpec, announce: bool, counters: ActivityCounters) -> None:
    """In a poller process: the whole service, until SIGTERM (or SIGINT from the terminal); `announce`
    for the one poller that logs what they all do alike (see `MonitorService.announce`)."""
    try:
        config, database = spec.start()
    except ConfigError as error:
        logger.error("configuration rejected:\n%s", "\n".join(p.render() for p in error.problems))
        raise SystemExit(1) from error
    except MonitorError as error:
        logger.error("%s", error)
        raise SystemExit(1) from error
    try:
        service = MonitorService(config, spec.settings, database, announce=announce, counters=counters)
        asyncio.run(service.run())
    finally:
        database.dispose()
