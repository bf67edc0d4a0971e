"""`monitor run` with several poller processes: each runs the service, a dead one is started again, and
SIGTERM stops them all."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config

__all__ = ["feed_server"]

TWO_POLLERS = "polling:\n  tick: 0.2s\n  processes: 2\ndelivery:\n  dispatch_interval: 1s\n"
RUNNING = re.compile(r"(poller-\d) .*monitor running as [^:]+:(\d+):")


class ServiceLog:
    """The lines `monitor run` writes to stderr, read by a thread so that tests can wait for one."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stderr is not None
        stream = process.stderr
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()

    def matches(
        self, pattern: re.Pattern[str] | str, count: int = 1, timeout: float = 90.0
    ) -> list[re.Match[str]]:
        """The first `count` lines so far matching `pattern`, waiting for more lines as long as needed."""
        deadline = time.monotonic() + timeout
        while len(found := [m for line in self.seen if (m := re.search(pattern, line))]) < count:
            try:
                self.seen.append(self.lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"not {count} lines matching {pattern!r} in {timeout} s:\n{''.join(self.seen)}")
        return found[:count]


MonitorRun = tuple[subprocess.Popen[str], ServiceLog]


def _run(command: list[str]) -> subprocess.Popen[str]:
    """`monitor run` with these global options, logging at INFO to a pipe."""
    return subprocess.Popen(
        [*command, "--log-level", "INFO", "run"],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def monitor_run(feed_server: FeedServer, tmp_path: Path) -> Iterator[MonitorRun]:
    """`monitor run` with two pollers and one source, and its log; killed if a test leaves it running."""
    sources = {"wire": feed_server.serve("/wire.xml", rss([("s1", "Shahed plant", "Shahed drones.")]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=TWO_POLLERS
    )
    monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
    command = [monitor, "--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    process = _run(command)
    try:
        yield process, ServiceLog(process)
    finally:
        if process.poll() is None:
            process.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_pollers_run_side_by_side_a_dead_one_is_restarted_and_sigterm_stops_all(
    monitor_run: MonitorRun, feed_server: FeedServer
) -> None:
    process, log = monitor_run
    pids = {name: int(pid) for name, pid in (match.groups() for match in log.matches(RUNNING, 2))}
    assert sorted(pids) == ["poller-1", "poller-2"]
    log.matches(r"source wire polled")

    os.kill(pids["poller-1"], signal.SIGKILL)
    log.matches(r"poller-1 exited with code -9; starting it again")
    name, pid = log.matches(RUNNING, 3)[2].groups()
    assert name == "poller-1" and int(pid) != pids["poller-1"]

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert not any(_alive(p) for p in (int(pid), pids["poller-2"])), "a poller outlived its parent"
    assert len(feed_server.requests_for("/wire.xml")) == 1, "the source is polled by one poller only"


def test_pollers_stop_when_their_parent_is_killed(monitor_run: MonitorRun) -> None:
    """A SIGKILLed `monitor run` takes its pollers with it, as a machine that stops would."""
    process, log = monitor_run
    pids = [int(match.group(2)) for match in log.matches(RUNNING, 2)]
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids), "pollers outlived their killed parent"


def test_a_file_gone_at_start_is_reported_once_not_by_each_poller(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """The parent logs the problem as it starts on the last good configuration; its pollers, loading the
    same directory, do not say it again."""
    sources = {"wire": feed_server.serve("/wire.xml", rss([("s1", "Shahed plant", "Shahed drones.")]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=TWO_POLLERS
    )
    monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
    command = [monitor, "--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    subprocess.run([*command, "poll"], cwd=PROJECT_ROOT, capture_output=True, check=False)  # the last good
    (config_dir / "rules.yaml").unlink()
    process = _run(command)
    try:
        log = ServiceLog(process)
        log.matches(RUNNING, count=2)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.matches("stopping the pollers")
    finally:
        if process.poll() is None:
            process.kill()
    said = "".join(log.seen)
    assert said.count("rules.yaml:1:1: file disappeared") == 1, said
