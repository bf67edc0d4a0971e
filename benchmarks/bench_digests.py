"""Benchmark the alert policy: the cost it adds to recording a hit, and writing, claiming and rendering
digests.

- record: `record_hits` for N articles routed to one channel, in batches of 50 per transaction (as a poll
  stores a feed), with a channel that sends at once, then with a digest channel (each hit held).
- digests: `write_due_digests` for the N held alerts (200 per digest), then claiming them with their
  alerts and rendering each as text (what the dispatcher does before sending).

    python benchmarks/bench_digests.py --hits 5000 [--db postgresql+psycopg://postgres@127.0.0.1:5432/test]

Last line: `RESULT hits=… record_at_once_ms=… record_held_ms=… digest_ms_per_item=…` (per hit, per item).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_poll import fresh_database
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col

from monitor.alerts.digest import build_digest
from monitor.alerts.digest_context import format_digest
from monitor.alerts.dispatcher import write_due_digests
from monitor.alerts.policy import channel_holds
from monitor.config import ChannelConfig, RuleConfig, SourceConfig
from monitor.parsing import FeedEntry
from monitor.rules import Highlight, RuleMatch
from monitor.storage import record_hits, store_entries, sync_sources
from monitor.storage.database import Database, open_database
from monitor.storage.deliveries import claim_due_deliveries, mark_sent
from monitor.storage.tables import Delivery

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BATCH = 50
MATCH = RuleMatch(
    "shahed", ("shahed",), (Highlight("shahed", "title", 0, 6),), "Shahed drones assembled at Alabuga " * 8
)


def _record(database: Database, channel: ChannelConfig, hits: int, tag: str) -> float:
    """Seconds per hit to store articles and record their hits under `channel`'s policy."""
    rule = RuleConfig(name="shahed", query="shahed", channels=[channel.name])
    hold = channel_holds([channel], [rule])
    with database.session() as session:
        source = sync_sources(session, [SourceConfig(name=tag, url=f"https://{tag}.example/feed")], now=T0)[
            tag
        ]
        session.commit()
    elapsed = 0.0
    for start in range(0, hits, BATCH):
        entries = [
            FeedEntry(f"{tag}-{n}", None, f"Shahed report {n}", "", "", T0, "en", None)
            for n in range(start, min(start + BATCH, hits))
        ]
        began = time.perf_counter()
        with database.session() as session:
            for article in store_entries(session, source.id, entries, now=T0):
                record_hits(session, article, [MATCH], lambda _: [channel.name], now=T0, hold=hold)
            session.commit()
        elapsed += time.perf_counter() - began
    return elapsed / hits


def _digests(database: Database, hits: int) -> float:
    """Seconds per held alert to write the digests, claim them and render them as text."""
    later = T0 + timedelta(days=1)
    with database.session() as session:  # the single alerts of the first channel are not measured here
        session.exec(update(Delivery).where(col(Delivery.digest).is_(None)).values(status="sent"))
        session.commit()
    began = time.perf_counter()
    write_due_digests(database, later)
    rendered = 0
    while True:
        with database.session() as session:
            claimed = claim_due_deliveries(session, now=later, limit=10)
            session.commit()
        if not claimed:
            break
        for delivery in claimed:
            assert delivery.digest is not None
            format_digest(build_digest(delivery.channel, delivery.digest, delivery.created_at, delivery.held))
            rendered += len(delivery.held)
            with database.session() as session:
                mark_sent(session, delivery.id, now=later)
                session.commit()
    assert rendered == hits, (rendered, hits)
    return (time.perf_counter() - began) / hits


def _drop(url: str) -> None:
    """Drop the database a PostgreSQL run created (a SQLite file goes with its temporary directory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=5000)
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (default: SQLite in a temporary file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = fresh_database(args.db, Path(scratch))
        database = open_database(url)
        at_once = ChannelConfig(name="at-once", urls=["json://localhost/x"])
        digest = ChannelConfig(
            name="digest", urls=["json://localhost/x"], mode="digest", every=timedelta(hours=1)
        )
        record_at_once = _record(database, at_once, args.hits, "a")
        record_held = _record(database, digest, args.hits, "b")
        per_item = _digests(database, args.hits)
        database.dispose()
        _drop(url)
    print(
        f"record, at once: {record_at_once * 1000:.3f} ms per hit; held: {record_held * 1000:.3f} ms per hit"
    )
    print(f"digests written, claimed and rendered: {per_item * 1000:.3f} ms per held alert")
    print(
        f"RESULT hits={args.hits} record_at_once_ms={record_at_once * 1000:.3f} "
        f"record_held_ms={record_held * 1000:.3f} digest_ms_per_item={per_item * 1000:.3f}"
    )


if __name__ == "__main__":
    main()
