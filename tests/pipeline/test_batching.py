"""UnchangedSourceWriter: "checked, nothing new" results of polls finishing together share one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from monitor.errors import StorageError
from monitor.pipeline.batching import UnchangedSourceWriter
from monitor.storage import Database, Source, open_database, sync_sources
from tests.storage.builders import SourceSpec

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.dispose()


def _sources(database: Database, count: int) -> list[int]:
    with database.session() as session:
        rows = sync_sources(
            session, [SourceSpec(f"s{n}", f"https://s{n}.example/feed") for n in range(count)]
        )
        for row in rows.values():
            row.consecutive_failures, row.last_error, row.lease_owner = 2, "timed out", "worker-1"
            session.add(row)
        session.commit()
        return [row.id for row in rows.values() if row.id is not None]


def _commits(database: Database) -> list[None]:
    commits: list[None] = []
    event.listen(database.engine, "commit", lambda _connection: commits.append(None))
    return commits


def test_polls_finishing_together_are_committed_in_one_transaction(database: Database) -> None:
    ids = _sources(database, 40)
    commits = _commits(database)

    async def finish_polls() -> None:
        writer = UnchangedSourceWriter(database)
        await asyncio.gather(*(writer.record(i, now=NOW, next_check_at=LATER) for i in ids))

    asyncio.run(finish_polls())
    with database.read_session() as session:
        rows = session.exec(select(Source)).all()
    assert len(commits) == 1
    assert {(r.last_success_at, r.next_check_at, r.consecutive_failures) for r in rows} == {(NOW, LATER, 0)}
    assert {(r.last_error, r.lease_owner) for r in rows} == {(None, None)}


def test_a_poll_returns_only_once_its_row_is_committed(database: Database) -> None:
    (source_id,) = _sources(database, 1)

    async def finish_poll_then_look() -> datetime | None:
        await UnchangedSourceWriter(database).record(source_id, now=NOW, next_check_at=LATER)
        with database.read_session() as session:  # another connection: sees committed rows only
            return session.get(Source, source_id).next_check_at  # type: ignore[union-attr]

    assert asyncio.run(finish_poll_then_look()) == LATER


def test_a_failed_write_is_raised_to_every_poll_of_the_batch(database: Database) -> None:
    ids = _sources(database, 3)
    with database.session() as session:
        session.execute(text("ALTER TABLE source RENAME TO source_gone"))
        session.commit()

    async def finish_polls() -> list[BaseException | None]:
        writer = UnchangedSourceWriter(database)
        writes = (writer.record(i, now=NOW, next_check_at=LATER) for i in ids)
        return await asyncio.gather(*writes, return_exceptions=True)

    first, *others = asyncio.run(finish_polls())
    assert isinstance(first, StorageError | SQLAlchemyError)
    assert others == [first, first]
