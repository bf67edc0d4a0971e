"""Sources follow the configuration without losing history, and keep the state of their fetches."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from monitor.storage import (
    Database,
    Source,
    due_sources,
    record_fetch_failure,
    record_fetch_success,
    record_not_modified,
    sync_sources,
)
from monitor.storage.sources import claim_sources, renew_leases
from tests.storage.builders import NOW, SourceSpec


def test_sync_inserts_updates_and_disables_but_never_deletes(database: Database) -> None:
    with database.session() as session:
        sync_sources(session, [SourceSpec("a", "https://a/1"), SourceSpec("b", "https://b/1")], now=NOW)
        session.commit()
        changed = [SourceSpec("a", "https://a/2"), SourceSpec("c", "https://c/1", enabled=False)]
        synced = sync_sources(session, changed)
        session.commit()
        rows = {s.name: (s.url, s.enabled) for s in session.exec(select(Source))}
    assert set(synced) == {"a", "c"}
    assert rows == {"a": ("https://a/2", True), "b": ("https://b/1", False), "c": ("https://c/1", False)}


def test_sync_keeps_fetch_state_unless_the_url_changed(database: Database) -> None:
    with database.session() as session:
        (source,) = sync_sources(session, [SourceSpec("a", "https://a/1")], now=NOW).values()
        record_fetch_success(session, source.id, etag='"x"', last_modified="Sat, 01 Mar 2025", now=NOW)
        same = sync_sources(session, [SourceSpec("a", "https://a/1")])["a"]
        validators_kept = (same.etag, same.last_modified, same.last_success_at)
        moved = sync_sources(session, [SourceSpec("a", "https://a/new")])["a"]
    assert validators_kept == ('"x"', "Sat, 01 Mar 2025", NOW)
    assert (moved.etag, moved.last_modified, moved.last_success_at) == (None, None, NOW)


def test_failures_are_counted_and_cleared_by_the_next_success(database: Database) -> None:
    later = NOW + timedelta(minutes=15)
    with database.session() as session:
        source = sync_sources(session, [SourceSpec("a", "https://a/1")], now=NOW)["a"]
        record_fetch_failure(session, source, "timed out after 20 s", now=NOW, next_check_at=later)
        record_fetch_failure(session, source, "HTTP 500 Internal Server Error", now=later)
        failing = (source.last_error, source.consecutive_failures, source.last_success_at)
        record_not_modified(session, source.id, now=later, next_check_at=later + timedelta(minutes=15))
        session.commit()
        session.refresh(source)  # the success is written by one UPDATE, not through the loaded row
    assert failing == ("HTTP 500 Internal Server Error", 2, None)
    assert (source.last_error, source.consecutive_failures, source.last_success_at) == (None, 0, later)


def test_a_permanent_redirect_moves_the_source(database: Database) -> None:
    with database.session() as session:
        source = sync_sources(session, [SourceSpec("a", "http://a/feed")], now=NOW)["a"]
        record_fetch_success(
            session, source.id, etag=None, last_modified=None, final_url="https://a/feed", now=NOW
        )
        session.refresh(source)
    assert source.url == "https://a/feed"


def test_due_sources_are_enabled_and_unchecked_or_overdue(database: Database) -> None:
    specs = [SourceSpec(n, f"https://{n}/") for n in ("never", "overdue", "later")]
    specs.append(SourceSpec("off", "https://off/", enabled=False))
    with database.session() as session:
        sources = sync_sources(session, specs, now=NOW)
        record_not_modified(session, sources["overdue"].id, now=NOW, next_check_at=NOW - timedelta(minutes=1))
        record_not_modified(session, sources["later"].id, now=NOW, next_check_at=NOW + timedelta(minutes=1))
        due = [source.name for source in due_sources(session, now=NOW)]
    assert due == ["never", "overdue"]


def test_renewing_extends_only_the_leases_the_owner_still_holds(database: Database) -> None:
    lease = timedelta(seconds=30)
    with database.session() as session:
        sync_sources(session, [SourceSpec("a", "https://a/1"), SourceSpec("b", "https://b/1")], now=NOW)
        claimed = claim_sources(session, owner="w1", now=NOW, lease=lease, limit=2, due_only=False)
        ids = {source.name: source.id for source in claimed}
        record_not_modified(session, ids["b"], now=NOW)  # b's poll finished: its lease is released
        later = NOW + timedelta(minutes=10)
        renewed_by_other = renew_leases(session, owner="w2", source_ids=list(ids.values()), until=later)
        renewed_by_owner = renew_leases(session, owner="w1", source_ids=list(ids.values()), until=later)
        session.commit()
        session.expire_all()  # the rows were updated without loading them
        leases = {s.name: (s.lease_owner, s.lease_expires_at) for s in session.exec(select(Source))}
    assert (renewed_by_other, renewed_by_owner) == (0, 1)
    assert leases == {"a": ("w1", later), "b": (None, None)}


def test_a_shortened_interval_pulls_in_a_next_check_the_interval_decided_not_one_the_server_asked_for(
    database: Database,
) -> None:
    hour, later = timedelta(hours=1), NOW + timedelta(hours=1)
    specs = [SourceSpec(name, f"https://{name}/", interval=hour) for name in ("chosen", "told", "failing")]
    with database.session() as session:
        rows = sync_sources(session, specs, now=NOW)
        for name, reason in (("chosen", "interval 1h"), ("told", "server: max-age 1h")):
            checked = {"etag": None, "last_modified": None, "now": NOW, "next_check_at": later}
            record_fetch_success(session, rows[name].id, **checked, reason=reason)
        record_fetch_failure(session, rows["failing"], "HTTP 500", now=NOW, next_check_at=later)
        session.commit()
        shorter = [SourceSpec(spec.name, spec.url, interval=timedelta(minutes=5)) for spec in specs]
        synced = {
            name: (row.next_check_at, row.next_check_reason)
            for name, row in sync_sources(session, shorter).items()
        }
    assert synced["chosen"] == (NOW + timedelta(minutes=5), "interval changed to 5m")
    assert synced["told"] == (later, "server: max-age 1h")
    assert synced["failing"][0] == later, "a failing source keeps its backoff"
