"""`monitor run` serves the desk from its supervising process: once, beside its pollers, with /healthz,
/readyz (database and pollers) and /metrics (every poller's counts), and the setup link at first start."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import PROJECT_ROOT
from tests.scheduling.test_processes import RUNNING, ServiceLog
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config

SETTINGS = "polling:\n  tick: 0.2s\n  processes: 2\ndelivery:\n  dispatch_interval: 1s\n"


def _metric(text: str, name: str) -> float:
    values = re.findall(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? ([0-9.e+]+)$", text, re.MULTILINE)
    return sum(float(value) for value in values)


def test_monitor_run_serves_the_desk_once_with_readiness_and_metrics(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        sources = {
            "wire": feeds.serve("/wire.xml", rss([("s1", "Shahed plant", "Shahed drones made at Alabuga.")]))
        }
        config_dir = write_config(
            tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=SETTINGS
        )
        monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
        process = subprocess.Popen(
            [monitor, "--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "run"],
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "MONITOR_LOG_LEVEL": "INFO"},
        )
        try:
            log = ServiceLog(process)
            (desk,) = log.matches(r"the desk is at (http://127\.0\.0\.1:\d+)")
            (setup,) = log.matches(r"create the first admin: (http://\S+/setup/\S+)")
            log.matches(RUNNING, 2)
            log.matches(r"source wire polled")
            base = desk.group(1)
            assert setup.group(1).startswith(base)
            assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
            ready = httpx.get(f"{base}/readyz").json()
            assert ready["status"] == "ok" and ready["pollers"] == {"poller-1": True, "poller-2": True}
            assert httpx.get(f"{base}/setup/{setup.group(1).rsplit('/', 1)[1]}").status_code == 200
            deadline = time.monotonic() + 30
            while _metric(httpx.get(f"{base}/metrics").text, "monitor_polls_total") < 1:
                assert time.monotonic() < deadline, "the pollers' counts never reached /metrics"
                time.sleep(0.2)
            metrics = httpx.get(f"{base}/metrics").text
            assert _metric(metrics, "monitor_new_articles_total") == 1
            assert 'monitor_new_hits_total{rule="shahed-production-russia"}' in metrics
            assert "monitor_deliveries{" in metrics and "monitor_web_request_seconds_count" in metrics
            assert httpx.get(f"{base}/").status_code == 303  # every page needs a login
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()


def _web_command(tmp_path: Path, *extra: str) -> list[str]:
    """`monitor web` on a configuration without sources and a fresh SQLite database."""
    config_dir = write_config(tmp_path / "c", sources={}, alert_url="json://127.0.0.1:9/x")
    monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    return [monitor, "--config", str(config_dir), "--db", database, "web", *extra]


@contextlib.contextmanager
def _web_alone(tmp_path: Path, **env: str) -> Iterator[tuple[ServiceLog, str]]:
    """`monitor web` running: its log and the desk's URL; on leaving, SIGTERM ends it with exit 0."""
    process = subprocess.Popen(
        _web_command(tmp_path),
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )
    try:
        log = ServiceLog(process)
        (desk,) = log.matches(r"the desk is at (http://127\.0\.0\.1:\d+)")
        yield log, desk.group(1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_monitor_web_serves_the_desk_alone_until_sigterm(tmp_path: Path) -> None:
    with _web_alone(tmp_path) as (log, desk):
        log.matches(r"create the first admin: http://\S+/setup/")
        ready = httpx.get(f"{desk}/readyz").json()
        assert (ready["status"], ready["pollers"]) == ("ok", {})


def test_monitor_web_exits_1_in_one_line_when_its_address_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        command = _web_command(tmp_path, "--address", address)
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"error: the desk is not served at {address}" in done.stderr
    assert "polling goes on" not in done.stderr


def test_monitor_web_serves_even_when_run_is_told_not_to(tmp_path: Path) -> None:
    """web.enabled says whether `monitor run` serves the desk; `monitor web` is the desk."""
    with _web_alone(tmp_path, MONITOR_WEB__ENABLED="false") as (_, desk):
        assert httpx.get(f"{desk}/healthz").status_code == 200
