"""What monitor prints of hostile feed text: no bidirectional overrides or control characters, no CSV cell
a spreadsheet would run as a formula, source names taken from feed titles cleaned; nothing else lost."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from monitor.config import SourceConfig, load_config
from monitor.pipeline.poll import document_for
from monitor.storage import record_hits, store_entries, sync_sources
from monitor.storage.database import open_database
from tests.storage.builders import NOW, Entry
from tests.support.cli import invoke
from tests.support.feed_server import FeedServer
from tests.support.watch_config import BUNDLED_CONFIG, rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

OVERRIDE = "\u202e"
HOSTILE = (
    "h1",
    '=HYPERLINK("http://evil.example") Shahed drones made at Alabuga ' + OVERRIDE + "gnp.exe",
    "Russia builds Shahed drones at the Alabuga plant.",
)


def test_hits_output_is_sanitized_and_csv_cells_cannot_be_formulas(sqlite_url: str) -> None:
    config = load_config(BUNDLED_CONFIG, {})
    database = open_database(sqlite_url)
    with database.session() as session:
        source = sync_sources(session, [SourceConfig(name="+wire", url="https://news.example/feed")], now=NOW)
        entry = Entry(guid=HOSTILE[0], url="https://news.example/h1", title=HOSTILE[1], summary=HOSTILE[2])
        (article,) = store_entries(session, source["+wire"].id, [entry], now=NOW)
        matches = config.matcher.match(document_for(article, "+wire"))
        assert len(record_hits(session, article, matches, lambda _: [], now=NOW)) == 1
        session.commit()
    database.dispose()
    base = ("--config", str(BUNDLED_CONFIG), "--db", sqlite_url)

    _, out, _ = invoke(*base, "hits", "--format", "json")
    (hit,) = map(json.loads, out.splitlines())
    assert hit["title"] == HOSTILE[1].replace(OVERRIDE, ""), (
        "the override is gone, every other character kept"
    )
    assert (hit["source"], hit["rule"]) == ("+wire", "shahed-production-russia")

    _, out, _ = invoke(*base, "hits", "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["title"] == "'" + hit["title"]
    assert row["source"] == "'+wire"
    assert (row["rule"], row["url"]) == ("shahed-production-russia", "https://news.example/h1")

    _, out, _ = invoke(*base, "hits")
    assert OVERRIDE not in out and "gnp.exe" in out


def test_a_source_added_from_a_hostile_feed_title_gets_a_clean_name(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    feed = rss([HOSTILE]).replace(
        b"<title>Test feed</title>", "<title>Evil\u202eFeed\u2066 News</title>".encode()
    )
    url = feed_server.serve("/evil.xml", feed)
    config_dir = write_config(tmp_path / "c", sources={}, alert_url=webhook_receiver.apprise_url("/a"))
    code, out, _ = invoke("--config", str(config_dir), "sources", "add", url)
    assert code == 0 and "added source 'EvilFeed News'" in out
    assert "name: EvilFeed News" in (config_dir / "sources.yaml").read_text()
