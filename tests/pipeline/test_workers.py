"""Several `monitor worker` processes on one PostgreSQL database share the sources: each due source is
fetched by exactly one of them, and the sources of a worker killed with SIGKILL are taken over once its
leases expire."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.storage.database import Database, open_database
from monitor.storage.tables import Source
from tests.conftest import PROJECT_ROOT, make_postgres_database
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config

__all__ = ["feed_server"]

pytestmark = pytest.mark.postgres

SOURCES = 12
LEASE_SECONDS = 3
SETTINGS = f"""
fetch:
  max_concurrency: 2
polling:
  tick: 0.2s
  lease: {LEASE_SECONDS}s
  processes: 1
"""
POLLED = re.compile(r"source (feed \d+) polled")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from make_postgres_database()


@pytest.fixture
def config_dir(feed_server: FeedServer, tmp_path: Path) -> Path:
    sources = {
        f"feed {n}": feed_server.serve(f"/feed{n}.xml", rss([(f"g{n}", f"Item {n}", "text")]), delay=1.0)
        for n in range(SOURCES)
    }
    return write_config(
        tmp_path / "config", sources=sources, alert_url="json://127.0.0.1:9/x", settings=SETTINGS
    )


def start_worker(config_dir: Path, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    monitor = Path(sys.executable).parent / "monitor"
    command = [
        str(monitor),
        "--config",
        str(config_dir),
        "--db",
        database_url,
        "--log-level",
        "INFO",
        "worker",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, stderr=output, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def polled_sources(database: Database) -> int:
    with database.read_session() as session:
        return sum(1 for source in session.exec(select(Source)) if source.last_success_at is not None)


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def test_three_workers_fetch_each_due_source_exactly_once(
    config_dir: Path, postgres_url: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [start_worker(config_dir, postgres_url, log) for log in logs]
    database = open_database(postgres_url)
    try:
        wait_until(lambda: all("monitor running" in log.read_text() for log in logs))
        wait_until(lambda: polled_sources(database) == SOURCES)
        time.sleep(1.0)  # room for a wrongly repeated fetch to show up before counting
    finally:
        stop(workers)
        database.dispose()

    fetches = Counter(request.path for request in feed_server.requests)
    assert fetches == {f"/feed{n}.xml": 1 for n in range(SOURCES)}
    per_worker = [len(POLLED.findall(log.read_text())) for log in logs]
    assert sum(per_worker) == SOURCES
    assert sum(1 for count in per_worker if count) >= 2, f"the work was shared: {per_worker}"
    assert all(worker.returncode == 0 for worker in workers)


def test_a_killed_workers_sources_are_taken_over_when_its_leases_expire(
    config_dir: Path, postgres_url: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    for n in range(SOURCES):
        feed_server.route(f"/feed{n}.xml").delay = 30  # the first worker is stuck in its fetches
    first = start_worker(config_dir, postgres_url, tmp_path / "first.log")
    wait_until(lambda: len(feed_server.requests) >= 2)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    stuck = {request.path for request in feed_server.requests}
    for n in range(SOURCES):
        feed_server.route(f"/feed{n}.xml").delay = 0

    second = start_worker(config_dir, postgres_url, tmp_path / "second.log")
    database = open_database(postgres_url)
    try:
        wait_until(lambda: polled_sources(database) == SOURCES)
    finally:
        stop([second])
        database.dispose()

    retaken = [r for r in feed_server.requests if r.path in stuck and r.at > killed_at]
    assert {r.path for r in retaken} == stuck, "every source the dead worker held was fetched again"
    assert min(r.at for r in retaken) >= killed_at + LEASE_SECONDS * 0.5, "not before the lease expired"
