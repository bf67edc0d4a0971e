"""A configuration past a limit, written while `monitor run` runs: rejected with its problems located,
the last good configuration kept in force, and the reload job still alive (no job traceback)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.rules.limits import TOO_DEEP, too_many_terms
from monitor.scheduling.service import MonitorService
from monitor.settings import build_settings
from monitor.storage.database import open_database
from tests.scheduling.test_service import FAST, SHAHED, eventually, running
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

__all__ = ["feed_server", "webhook_receiver"]

DOUBLING = (
    "concepts:\n" + "".join(f"  c{i}: ['@c{i + 1}', '@c{i + 1}']\n" for i in range(30)) + "  c30: [x]\n"
)
ALIASED = (
    "rules:\n  - name: r0\n    query: &q "
    + "x" * 700_000
    + "\n    channels: []\n"
    + "".join(f"  - name: r{i}\n    query: *q\n    channels: []\n" for i in range(1, 5))
)
DEEP = "rules:\n  - name: deep\n    query: '" + "(" * 400 + "drone" + ")" * 400 + "'\n    channels: []\n"

# (file, its broken text from its good one, what the log must say besides "configuration rejected")
BROKEN: list[tuple[str, Callable[[str], str], str]] = [
    ("rules.yaml", lambda _: DEEP, TOO_DEEP),
    (
        "concepts.yaml",
        lambda good: good + DOUBLING.removeprefix("concepts:\n"),
        too_many_terms("this concept"),
    ),
    ("settings.yaml", lambda good: good + "web: " + "{a: " * 600 + "}" * 600 + "\n", "nested more than 32"),
]


def test_a_configuration_past_a_limit_is_rejected_on_reload_and_the_last_good_one_kept(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MonitorService, "config_watch_interval", timedelta(seconds=0.2))
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED]))}
    config_dir = write_config(
        tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )
    config = load_config(config_dir)
    database = open_database(sqlite_url)
    service = MonitorService(config, build_settings(config.settings_values), database)

    caplog.set_level("INFO", logger="monitor")

    async def body() -> None:
        await eventually(lambda: "monitor running" in caplog.text)
        kept = service.config
        for name, broken, message in BROKEN:
            good = (config_dir / name).read_text()
            caplog.clear()
            (config_dir / name).write_text(broken(good))
            await eventually(lambda: "configuration rejected" in caplog.text)
            assert message in caplog.text and f"{name}:" in caplog.text
            assert service.config is kept
            (config_dir / name).write_text(good)
            await eventually(lambda: "configuration reloaded" in caplog.text)
            kept = service.config
        assert "Traceback" not in caplog.text and "raised an exception" not in caplog.text
        assert [rule.name for rule in service.config.rules] == [rule.name for rule in config.rules]

    async def run() -> None:
        async with running(service):
            await body()

    asyncio.run(run())
    database.dispose()
