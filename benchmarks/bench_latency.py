"""Benchmark publish → alert latency: N healthy sources under `monitor run`, each publishing one item.

A local feed farm (see feed_farm.py: many loopback hosts, added latency, ETag/304) serves N quiet feeds of a
few old items. Once `monitor run` (its default poller processes, the desk off) has checked every source
once, each feed publishes one new item that a bundled rule matches, at a moment spread at random over
`--window` seconds; a local webhook receiver takes the alerts. Latency is the time from the item's
publication to its alert's arrival. The goal is each alert within `interval` + 5 s.

    python benchmarks/bench_latency.py --sources 1000 --interval 60

The news items differ only by their number, so stories may fold some of them into one: the bundled rules
are given `follow_ups: every` here, so that every article alerts and each publication is timed.

The baseline, measured in the same run, is what the interval alone allows: a publication falls at a
uniformly random moment between two checks, so the wait is uniform over [0, interval] (p50 = interval/2,
max = interval). The last line is
`RESULT sources=N p50_s=… p99_s=… max_s=… interval_s=… late=… missing=…` (late: alerts after interval + 5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feed_farm import WORDS, FarmLayout, FeedFarm

from tests.support.webhook_receiver import WebhookReceiver

BUNDLED = Path(__file__).resolve().parent.parent / "config"
MONITOR = Path(sys.executable).parent / "monitor"
OLD_ITEMS = 5
ALLOWANCE = 5.0
NEWS = "Shahed drone production expands at the Alabuga plant, report {index}"
REPORT = re.compile(r"report (\d+)")


class PublishingFarm(FeedFarm):
    """The farm's feeds, each of a few old items plus, from its publication moment on, one new item.

    Publication moments are `start + offset(i)` on the machine's monotonic clock (shared by processes),
    `start` set by the benchmark once the service has checked every source; the ETag changes with it.
    """

    def __init__(self, layout: FarmLayout, latency: float, start: Any, window: float) -> None:
        self.layout, self.latency, self.start, self.window = layout, latency, start, window
        self.old = {f"/feeds/{i}.xml": _items(i) for i in range(layout.feeds)}

    def response(self, path: str, headers: dict[str, str]) -> bytes:
        if path not in self.old:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        index = int(path.rsplit("/", 1)[1].split(".")[0])
        start = self.start.value
        published = bool(start) and time.monotonic() >= start + publication_offset(index, self.window)
        etag = f'"{index}-{int(published)}"'
        if headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
        news = _news(index) if published else ""
        body = (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Feed {index}</title><link>https://news{index}.example/</link>{news}{self.old[path]}"
            "</channel></rss>"
        ).encode()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            f"ETag: {etag}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


def publication_offset(index: int, window: float) -> float:
    """When feed `index` publishes its news, in seconds after the start: reproducible, spread evenly."""
    return random.Random(index).uniform(0, window)


def _items(index: int) -> str:
    """Old items that no rule matches, published days before any benchmark."""
    rng = random.Random(index)
    return "".join(
        f"<item><title>{' '.join(rng.choice(WORDS) for _ in range(8))}</title>"
        f"<link>https://news{index}.example/old/{n}</link><guid>feed{index}-old{n}</guid>"
        f"<pubDate>Sun, 01 Nov 2026 {n:02d}:00:00 GMT</pubDate>"
        f"<description>{' '.join(rng.choice(WORDS) for _ in range(80))}</description></item>"
        for n in range(OLD_ITEMS)
    )


def _news(index: int) -> str:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
    title = escape(NEWS.format(index=index))
    return (
        f"<item><title>{title}</title><link>https://news{index}.example/news</link>"
        f"<guid>feed{index}-news</guid><pubDate>{when}</pubDate><description>{title}.</description></item>"
    )


def _serve(layout: FarmLayout, latency: float, start: Any, window: float, ready: Any) -> None:
    asyncio.run(PublishingFarm(layout, latency, start, window).serve(ready))


def write_config(directory: Path, urls: list[str], interval: float, alert_url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(BUNDLED / "concepts.yaml", directory / "concepts.yaml")
    rules = (BUNDLED / "rules.yaml").read_text(encoding="utf-8")
    every = rules.replace("    channels: [analysts]\n", "    channels: [analysts]\n    follow_ups: every\n")
    (directory / "rules.yaml").write_text(every, encoding="utf-8")
    lines = ["sources:"] + [
        f"  - name: feed {i}\n    url: {url}\n    interval: {interval:g}s" for i, url in enumerate(urls)
    ]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n")
    (directory / "channels.yaml").write_text(f"channels:\n  - name: analysts\n    urls: ['{alert_url}']\n")
    settings = "fetch:\n  max_concurrency: 128\n  per_host_concurrency: 4\nweb:\n  enabled: false\n"
    (directory / "settings.yaml").write_text(settings)
    return directory


def checked_once(database: Path) -> int:
    """How many sources the service has checked at least once (0 before its tables exist)."""
    try:
        connection = sqlite3.connect(database, timeout=30)
        try:
            (count,) = connection.execute(
                "SELECT count(*) FROM source WHERE last_checked_at IS NOT NULL"
            ).fetchone()
            return int(count)
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def _stored_counts(database: Path) -> dict[str, int]:
    """What the service stored: news articles, their hits, stories and the deliveries (to explain a gap)."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        queries = {
            "news articles": "SELECT count(*) FROM article WHERE url LIKE '%/news'",
            "hits": "SELECT count(*) FROM hit",
            "stories of news": (
                "SELECT count(DISTINCT s.story_id) FROM story_article s"
                " JOIN article a ON a.id = s.article_id WHERE a.url LIKE '%/news'"
            ),
            "deliveries": "SELECT count(*) FROM delivery",
            "sent": "SELECT count(*) FROM delivery WHERE status = 'sent'",
        }
        return {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}
    except sqlite3.Error as error:
        return {f"unreadable ({error})": 0}
    finally:
        connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=60.0, help="each source's interval, seconds")
    parser.add_argument("--window", type=float, default=120.0, help="seconds the publications spread over")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1, help="the farm's added latency, seconds")
    parser.add_argument("--port", type=int, default=18095)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    start = context.Value("d", 0.0)
    ready = context.Event()
    layout = FarmLayout(args.sources, min(args.hosts, args.sources), args.port)
    farm = context.Process(target=_serve, args=(layout, args.latency, start, args.window, ready), daemon=True)
    farm.start()
    if not ready.wait(60):
        raise SystemExit("the feed farm did not start within 60 s")
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    database = tmp / "monitor.db"
    service = None
    with WebhookReceiver() as receiver:
        try:
            config_dir = write_config(
                tmp / "config", layout.urls(), args.interval, receiver.apprise_url("/a")
            )
            command = [str(MONITOR), "--config", str(config_dir), "--db", f"sqlite:///{database}", "run"]
            log = (tmp / "service.log").open("w")
            launched = time.monotonic()
            service = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            while checked_once(database) < args.sources:
                if service.poll() is not None:
                    raise SystemExit(f"monitor run exited: {(tmp / 'service.log').read_text()[-2000:]}")
                time.sleep(1)
            print(f"every source checked once after {time.monotonic() - launched:.1f} s", flush=True)
            start.value = time.monotonic() + 2.0
            deadline = start.value + args.window + args.interval + 60
            while len(receiver.accepted) < args.sources and time.monotonic() < deadline:
                time.sleep(1)
        finally:
            if service is not None:
                service.terminate()
                service.wait(timeout=90)
            farm.terminate()
        latencies = {}
        for alert in receiver.accepted:
            found = REPORT.search(str(alert.json.get("title", "")))
            if found:
                index = int(found.group(1))
                latencies[index] = alert.at - (start.value + publication_offset(index, args.window))
    stored = _stored_counts(database)
    shutil.rmtree(tmp, ignore_errors=True)
    values = list(latencies.values())
    missing = args.sources - len(values)
    if not values:
        raise SystemExit("no alert arrived")
    late = sum(1 for value in values if value > args.interval + ALLOWANCE)
    print(
        f"publish → alert over {len(values)} alerts: p50 {statistics.median(values):.1f} s, "
        f"p99 {percentile(values, 0.99):.1f} s, max {max(values):.1f} s; interval {args.interval:g} s, "
        f"{late} later than interval + {ALLOWANCE:g} s, {missing} missing"
    )
    print("stored: " + ", ".join(f"{name} {count}" for name, count in stored.items()))
    print(f"baseline (the interval alone): p50 {args.interval / 2:.1f} s, max {args.interval:.1f} s")
    print(
        f"RESULT sources={args.sources} p50_s={statistics.median(values):.1f} "
        f"p99_s={percentile(values, 0.99):.1f} max_s={max(values):.1f} interval_s={args.interval:g} "
        f"late={late} missing={missing}"
    )


if __name__ == "__main__":
    main()
