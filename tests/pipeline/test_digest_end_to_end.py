"""A digest channel end to end: four outlets (one local feed server each) in three languages, the bundled
rules, one local receiver. Nothing goes out when the articles arrive; at the channel's digest time one
message lists each story once per rule, with the other outlets that reported it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from monitor import clock
from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import DispatchSummary
from monitor.alerts.policy import ChannelPolicy
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.pipeline.cycle import channel_urls
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.hits import list_hits
from tests.pipeline.test_stories import MUNITIONS, RAIL, SHAHED, outlets
from tests.support.watch_config import write_config
from tests.support.webhook_receiver import WebhookReceiver

__all__ = ["outlets"]


def test_a_digest_channel_lists_each_story_once_with_the_outlets_that_also_reported_it(
    outlets: dict[str, str], webhook_receiver: WebhookReceiver, database_url: str, tmp_path: Path
) -> None:
    url = webhook_receiver.apprise_url("/digest")
    directory = write_config(tmp_path / "config", sources=outlets, alert_url=url)
    (directory / "channels.yaml").write_text(
        f"channels:\n  - name: analysts\n    urls: ['{url}']\n    mode: digest\n    every: 1h\n"
        "    timezone: Europe/Paris\n",
        encoding="utf-8",
    )
    config = load_config(directory)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    now = clock.now()
    digest_time = ChannelPolicy(config.channels[0]).next_digest(now)
    try:
        polled = asyncio.run(run_cycle(config, settings, database, now=now))
        at_digest_time = dispatch_pending(database, channel_urls(config), settings.delivery, now=digest_time)
        with database.read_session() as session:
            hits = list_hits(session)
    finally:
        database.dispose()

    assert polled.new_articles == 11 and polled.delivery == DispatchSummary(), "nothing before the digest"
    assert at_digest_time == DispatchSummary(sent=1)
    (message,) = [request.json for request in webhook_receiver.wait_for(1)]
    body = message["message"]
    sections = re.findall(r"^== (.+) ==$", body, re.MULTILINE)
    assert sections == sorted({SHAHED, MUNITIONS, RAIL})
    shahed = body.split(f"== {SHAHED} ==")[1].split("\n== ")[0]
    entries = re.findall(r"^\* (.+)$", shahed, re.MULTILINE)
    assert len(entries) == 2, f"Alabuga's output and the strike on Alabuga: two stories, {entries}"
    assert len([hit for hit in hits if hit.rule == SHAHED]) == 8, "every report is in the hit log"
    also = re.findall(r"Also reported by (\d+) more sources? \(([a-z, ]+)\)", shahed)
    assert also == [("3", "en, fr, ru")] * 2, "the six other reports, in three languages, are listed"
    assert "*Alabuga*" in shahed, "the matched words are marked in the snippet"
    assert message["title"] == "[analysts] 3 stories (digest)", "munitions and rail freight: one story"
