"""Benchmark a poll cycle: N feeds of 50 items (about 70 KB) with 100 ms of latency, over many loopback hosts.

Measures, in one run:
- cold: every item new — fetch, parse, store, match with the bundled rules;
- warm: nothing new — each feed answers 304 to the conditional GET;
- baseline: a sequential loop of `feedparser.parse(url)` over the same feeds, as simple scripts do.

    python benchmarks/bench_poll.py --feeds 1000
    python benchmarks/bench_poll.py --feeds 1000 --workers 2 --db postgresql://postgres@127.0.0.1/bench

A cycle is polled as `monitor poll` and `monitor run` poll: by one poller process per core, sharing the
sources through leases. It is timed from the moment every poller has loaded the configuration and opened
the database (as a running service has) until every feed is polled.

With `--workers N`, scaling out is measured too: N poller processes (as on N one-core machines) against
one, on fresh databases. The last line is
`RESULT feeds=N cold_s=… warm_s=… baseline_s=… speedup=… feeds_per_s=… [workers=N one_worker_cold_s=…
workers_cold_s=… scale_out=…]`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feed_farm import start_farm

from monitor.config import load_config
from monitor.pipeline import poll_all, sync_configured_sources
from monitor.pipeline.pollers import settings_for_poller
from monitor.settings import build_settings
from monitor.storage.database import open_database

BUNDLED = Path(__file__).resolve().parent.parent / "config"


def write_config(directory: Path, urls: list[str]) -> Path:
    """The bundled rules and concepts, one source per farm feed, a channel nobody listens to."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("rules.yaml", "concepts.yaml"):
        shutil.copy(BUNDLED / name, directory / name)
    lines = ["sources:"] + [f"  - name: feed {i}\n    url: {url}" for i, url in enumerate(urls)]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n")
    (directory / "channels.yaml").write_text(
        "channels:\n  - name: analysts\n    urls: ['json://127.0.0.1:9/x']\n"
    )
    settings = "fetch:\n  max_concurrency: 128\n  per_host_concurrency: 4\n"
    (directory / "settings.yaml").write_text(settings)
    return directory


def timed_cycle(config_dir: Path, database_url: str, workers: int) -> tuple[float, int]:
    """Seconds for `workers` poller processes to poll every source once, and how many polls they made.

    Each loads the configuration and opens the database first, as a running service has; the clock runs
    from the moment all are ready until the last one has polled its share.
    """
    config = load_config(config_dir)
    database = open_database(database_url)
    sync_configured_sources(database, config)
    database.dispose()
    now = datetime.now(UTC)
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(workers + 1), context.Queue()
    processes = [
        context.Process(target=_worker, args=(str(config_dir), database_url, now, workers, ready, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    polled = sum(results.get() for _ in processes)
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return elapsed, polled


def _worker(
    config_dir: str,
    database_url: str,
    now: datetime,
    workers: int,
    ready: threading.Barrier,
    results: multiprocessing.Queue,
) -> None:
    """One poller: ready like a started service, then its share of one cycle."""
    config = load_config(Path(config_dir))
    settings = build_settings(config.settings_values, {"database_url": database_url})
    settings = settings_for_poller(settings, workers)  # as monitor run and poll share out the fetch limits
    database = open_database(database_url)
    ready.wait()
    try:
        results.put(len(asyncio.run(poll_all(config, settings, database, now=now))))
    finally:
        database.dispose()


def fresh_database(base_url: str | None, tmp: Path) -> str:
    """A new empty database: a SQLite file, or a new database on the given PostgreSQL server."""
    if base_url is None:
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"monitor_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def baseline(urls: list[str]) -> float:
    """What a simple script does: feedparser fetching and parsing each feed in turn."""
    started = time.perf_counter()
    for url in urls:
        feedparser.parse(url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--db", help="PostgreSQL server URL (a database is created per cycle); default SQLite"
    )
    parser.add_argument("--port", type=int, default=18090)
    args = parser.parse_args()

    layout, farm = start_farm(args.feeds, hosts=args.hosts, port=args.port, latency=args.latency)
    tmp = Path(tempfile.mkdtemp(prefix="bench-poll-"))
    try:
        urls = layout.urls()
        config_dir = write_config(tmp / "config", urls)
        database_url = fresh_database(args.db, tmp)
        pollers = os.cpu_count() or 1
        cold, polled = timed_cycle(config_dir, database_url, pollers)
        print(
            f"cold cycle, {pollers} pollers: {cold:.2f} s for {polled} feeds ({polled / cold:.0f} feeds/s)",
            flush=True,
        )
        warm, _ = timed_cycle(config_dir, database_url, pollers)
        print(f"warm cycle (all 304): {warm:.2f} s", flush=True)
        if args.workers > 1:
            one, _ = timed_cycle(config_dir, fresh_database(args.db, tmp), 1)
            parallel, polled_n = timed_cycle(config_dir, fresh_database(args.db, tmp), args.workers)
            print(
                f"cold cycle, scaling out: 1 poller {one:.2f} s, {args.workers} pollers {parallel:.2f} s "
                f"for {polled_n} polls ({one / parallel:.2f}x)",
                flush=True,
            )
        sample = urls[: max(1, min(len(urls), 100))]
        base_sample = baseline(sample)
        base = base_sample * len(urls) / len(sample)
        print(f"baseline: sequential feedparser.parse(url): {base:.1f} s (measured on {len(sample)} feeds)")
        print(
            f"RESULT feeds={args.feeds} cold_s={cold:.2f} warm_s={warm:.2f} baseline_s={base:.1f} "
            f"speedup={base / cold:.1f} feeds_per_s={args.feeds / cold:.0f}"
            + (
                f" workers={args.workers} one_worker_cold_s={one:.2f} workers_cold_s={parallel:.2f} "
                f"scale_out={one / parallel:.2f}"
                if args.workers > 1
                else ""
            )
        )
    finally:
        farm.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
