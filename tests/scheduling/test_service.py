"""`monitor run` as a service: polls due sources, sends alerts, reloads its configuration, stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.scheduling.service import MonitorService
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.hits import list_hits
from tests.conftest import PROJECT_ROOT
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

__all__ = ["feed_server", "webhook_receiver"]

SHAHED = ("s1", "Shahed drone production expands at Alabuga", "The Alabuga factory assembles Shahed drones.")
SHELLS = ("k1", "North Korea ships shells to Russia", "Pyongyang supplied artillery shells to Russia.")
FAST = "polling:\n  tick: 0.2s\n  parse_workers: 1\ndelivery:\n  dispatch_interval: 1s\n"


async def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until `condition()` holds, checking every 50 ms, or fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(service: MonitorService) -> AsyncIterator[MonitorService]:
    """The service running until the block ends, then stopped and waited for."""
    task = asyncio.create_task(service.run(install_signal_handlers=False))
    try:
        yield service
    finally:
        service.stop()
        await asyncio.wait_for(task, timeout=20)


def run_while(service: MonitorService, body: Callable[[], Awaitable[None]]) -> None:
    """Run `service` while `body` runs, then stop it; its database is disposed of afterwards."""

    async def main() -> None:
        async with running(service):
            await body()

    try:
        asyncio.run(main())
    finally:
        service.database.dispose()


async def with_service(config_dir: Path, database_url: str, body: Callable[[], Awaitable[None]]) -> None:
    """Run the service while `body` runs, then stop it and wait for it to end."""
    config = load_config(config_dir)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    try:
        async with running(MonitorService(config, settings, database)):
            await body()
    finally:
        database.dispose()


def test_the_service_polls_sources_and_delivers_their_alerts(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, sqlite_url: str
) -> None:
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )

    async def body() -> None:
        await eventually(lambda: len(webhook_receiver.accepted) == 1)

    asyncio.run(with_service(config_dir, sqlite_url, body))
    assert SHAHED[1] in webhook_receiver.accepted[0].json["title"]
    assert len(feed_server.requests_for("/wire.xml")) == 1, "not due again within its 10 minute interval"


@pytest.fixture
def watched_config(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A configuration with one source, `wire`, reloaded by the service within 0.2 s of a change."""
    monkeypatch.setattr(MonitorService, "config_watch_interval", timedelta(seconds=0.2))
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    return write_config(
        tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )


def test_a_broken_configuration_is_rejected_and_a_good_one_is_taken_up(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    watched_config: Path,
) -> None:
    config_dir = watched_config
    second = feed_server.serve("/second.xml", rss([SHELLS]))
    sources_file = config_dir / "sources.yaml"

    async def body() -> None:
        await eventually(lambda: len(webhook_receiver.accepted) == 1)
        good = sources_file.read_text()
        sources_file.write_text(good + "  - name: broken\n    url: not a url\n")
        await eventually(lambda: "configuration rejected, the last good one stays in force" in caplog.text)
        assert "sources.yaml:" in caplog.text, "the problem is located"
        sources_file.write_text(good + f"  - name: second\n    url: {second}\n    interval: 10m\n")
        await eventually(lambda: len(webhook_receiver.accepted) == 2, timeout=30)

    asyncio.run(with_service(config_dir, sqlite_url, body))
    database = open_database(sqlite_url)
    with database.session() as session:
        assert {hit.source for hit in list_hits(session)} == {"wire", "second"}
    database.dispose()


def test_monitor_run_stops_cleanly_on_sigterm(
    feed_server: FeedServer, tmp_path: Path, sqlite_url: str
) -> None:
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=FAST
    )
    monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
    process = subprocess.Popen(
        [
            monitor,
            "--config",
            str(config_dir),
            "--db",
            sqlite_url,
            "--log-level",
            "INFO",
            "run",
        ],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "monitor running" in line:
            break
    else:
        pytest.fail(f"monitor run did not start (exit {process.wait()})")
    process.send_signal(signal.SIGTERM)
    remaining = process.communicate(timeout=30)[1]
    assert process.returncode == 0, remaining
    assert "monitor stopped" in remaining


def test_a_reloaded_rule_applies_to_the_next_articles(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    watched_config: Path,
) -> None:
    config_dir = watched_config
    rules_file = config_dir / "rules.yaml"
    enabled = rules_file.read_text()
    rules_file.write_text(enabled.replace("enabled: true", "enabled: false", 1))  # the Shahed rule is off
    later = feed_server.serve("/later.xml", rss([("s2", "More Shahed drones built at Alabuga", SHAHED[2])]))
    caplog.set_level("INFO", logger="monitor")

    async def body() -> None:
        await eventually(lambda: "source wire polled: 1 new article, 0 new hits" in caplog.text)
        rules_file.write_text(enabled)
        await eventually(lambda: "configuration reloaded" in caplog.text)
        (config_dir / "sources.yaml").write_text(
            (config_dir / "sources.yaml").read_text() + f"  - name: later\n    url: {later}\n"
        )
        await eventually(lambda: len(webhook_receiver.accepted) == 1, timeout=30)

    asyncio.run(with_service(config_dir, sqlite_url, body))
    assert "More Shahed drones built at Alabuga" in webhook_receiver.accepted[0].json["title"]


def test_a_reload_lets_the_polls_in_flight_finish_on_the_old_pool(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MonitorService, "config_watch_interval", timedelta(seconds=0.2))
    slow = feed_server.serve("/slow.xml", rss([SHAHED]), delay=6)  # in flight across the reload
    config_dir = write_config(
        tmp_path / "c", sources={"slow": slow}, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )
    rules_file = config_dir / "rules.yaml"
    caplog.set_level("INFO", logger="monitor")

    async def body() -> None:
        await eventually(lambda: len(feed_server.requests_for("/slow.xml")) == 1)
        rules_file.write_text(rules_file.read_text() + "\n# a rule was added\n")
        await eventually(lambda: "configuration reloaded" in caplog.text)
        await eventually(lambda: len(webhook_receiver.accepted) == 1, timeout=60)

    asyncio.run(with_service(config_dir, sqlite_url, body))
    assert "poll of source slow failed" not in caplog.text and "unexpected error" not in caplog.text
    assert SHAHED[1] in webhook_receiver.accepted[0].json["title"]


def test_a_rules_file_that_disappears_while_running_is_reported_and_the_rules_stay(
    sqlite_url: str, caplog: pytest.LogCaptureFixture, watched_config: Path
) -> None:
    from monitor.pipeline.lastgood import load_or_last_good

    database = open_database(sqlite_url)
    config = load_or_last_good(watched_config, database)
    service = MonitorService(
        config, build_settings(config.settings_values, {"database_url": sqlite_url}), database
    )
    caplog.set_level("INFO", logger="monitor")

    async def body() -> None:
        (watched_config / "rules.yaml").unlink()
        await eventually(lambda: "configuration rejected, the last good one stays in force" in caplog.text)

    run_while(service, body)
    assert "rules.yaml:1:1: file disappeared" in caplog.text
    assert service.config.rules == config.rules and "0 rules" not in caplog.text


def test_a_file_that_disappears_is_reported_once_per_disappearance(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, watched_config: Path
) -> None:
    """Other files edited while rules.yaml is away change nothing about the problem: it is not logged as an
    error again; once the file is back and gone again, it is."""
    from monitor.pipeline.lastgood import load_or_last_good

    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    database = open_database(database_url)
    config = load_or_last_good(watched_config, database)
    service = MonitorService(
        config, build_settings(config.settings_values, {"database_url": database_url}), database
    )
    caplog.set_level("DEBUG", logger="monitor")
    rules, sources = watched_config / "rules.yaml", watched_config / "sources.yaml"
    kept = rules.read_text()

    def rejections() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "the last good one stays in force" in r.getMessage()]

    async def body() -> None:
        rules.unlink()
        await eventually(lambda: len(rejections()) == 1)
        sources.write_text(sources.read_text() + "\n# edited while rules.yaml is away\n")
        await eventually(lambda: len(rejections()) == 2)
        rules.write_text(kept)
        await eventually(lambda: "configuration reloaded" in caplog.text)
        rules.unlink()
        await eventually(lambda: len(rejections()) == 3)

    run_while(service, body)
    said = [r.levelno for r in rejections()]
    assert said == [logging.ERROR, logging.DEBUG, logging.ERROR], "once per disappearance"
    assert all("rules.yaml:1:1: file disappeared" in r.getMessage() for r in rejections())
    assert "configuration reloaded: 1 source, 3 rules" in caplog.text
