"""What `monitor run` tells its operator: the level of settings.yaml, a start banner, one summary line a
minute, each line once however many pollers, times in UTC with their zone."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.scheduling.service import MonitorService
from monitor.settings import build_settings
from monitor.storage.database import open_database
from tests.conftest import PROJECT_ROOT
from tests.scheduling.test_service import FAST, SHAHED, eventually, running, with_service
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

__all__ = ["feed_server", "webhook_receiver"]

UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
SUMMARY = (
    r"last minute: (\d+) sources? polled, (\d+) new articles?, (\d+) hits?, (\d+) alerts? sent, (\d+) failed"
)
SINGLE = "log_level: INFO\npolling:\n  processes: 1\nweb:\n  enabled: false\n"


def run_until_started(config_dir: Path, tmp_path: Path, *options: str) -> str:
    """`monitor run` started with these global options, stopped with SIGTERM once polling; its log."""
    monitor = shutil.which("monitor", path=str(Path(sys.executable).parent)) or "monitor"
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    process = subprocess.Popen(
        [monitor, "--config", str(config_dir), "--db", database, *options, "run"],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "MONITOR_LOG_LEVEL"} | {"PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "source wire polled" in line or "source wire failed" in line:
            break
    else:
        pytest.fail(f"monitor run did not poll (exit {process.wait()}):\n{''.join(seen)}")
    process.send_signal(signal.SIGTERM)
    seen.append(process.communicate(timeout=60)[1])
    return "".join(seen)


def test_the_level_of_settings_yaml_applies_and_a_banner_says_where_everything_is(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    secret = "json://127.0.0.1:9/secret-token"
    config_dir = write_config(tmp_path / "c", sources=sources, alert_url=secret, settings=SINGLE)

    log = run_until_started(config_dir, tmp_path)

    assert "monitor " in log and " starting" in log, log
    assert f"configuration: {config_dir.resolve()}: 1 source, 3 rules, 1 channel" in log
    assert f"database: sqlite:///{tmp_path / 'db.sqlite'}" in log
    assert "desk: off" in log
    assert "alerts go to: analysts (3 rules)" in log
    assert "secret-token" not in log, "channel URLs are secrets"
    stamped = [line for line in log.splitlines() if line and not line.startswith(" ")]
    assert stamped and all(UTC_STAMP.match(line) for line in stamped), stamped


def test_the_command_line_level_beats_settings_yaml(feed_server: FeedServer, tmp_path: Path) -> None:
    sources = {"wire": feed_server.serve("/wire.xml", b"", status=500)}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=SINGLE
    )

    log = run_until_started(config_dir, tmp_path, "--log-level", "WARNING")

    assert "source wire failed" in log
    assert "starting" not in log and "INFO" not in log


def test_a_summary_line_says_what_was_done_in_the_last_minute(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MonitorService, "summary_interval", timedelta(seconds=0.5))
    caplog.set_level("INFO", logger="monitor")
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )

    async def body() -> None:
        await eventually(lambda: len(webhook_receiver.accepted) == 1)
        await eventually(lambda: "1 alert sent" in caplog.text)

    asyncio.run(with_service(config_dir, f"sqlite:///{tmp_path / 'db.sqlite'}", body))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("last minute: ")]
    assert re.fullmatch(SUMMARY, lines[0]), lines[0]
    totals = [sum(int(re.fullmatch(SUMMARY, line)[n]) for line in lines) for n in range(1, 6)]  # type: ignore[index]
    assert totals == [1, 1, 1, 1, 0], "polled, new articles, hits, sent, failed: each counted once"


def test_of_several_pollers_one_logs_what_they_all_do_alike(
    feed_server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MonitorService, "config_watch_interval", timedelta(seconds=0.2))
    caplog.set_level("INFO", logger="monitor")
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=FAST
    )
    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = load_config(config_dir)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    first = MonitorService(config, settings, database)
    second = MonitorService(config, settings, database, announce=False)

    async def both() -> None:
        async with running(first), running(second):
            await eventually(lambda: "source wire polled" in caplog.text)
            rules = config_dir / "rules.yaml"
            rules.write_text(rules.read_text() + "\n")
            await eventually(lambda: first.config is not config and second.config is not config)

    try:
        asyncio.run(both())
    finally:
        database.dispose()
    assert caplog.text.count("configuration reloaded") == 1
