"""Group commit for the most frequent write of all: "checked, nothing new" on a source.

A warm cycle is mostly sources answering 304 (or sending the same bytes). Each of them changes one row,
and a transaction per row cost more CPU than the fetch itself, so the rows of polls finishing together
share one transaction (one executemany). A poll returns only once its row is committed: a crash loses
only the lease, which expires, and the source is polled again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from monitor.storage.database import Database
from monitor.storage.sources import NotModified, record_not_modified_many

BATCH_DELAY_SECONDS = 0.01
"""How long the first row of a batch waits for others: short next to any fetch."""
MAX_BATCH_ROWS = 500


class UnchangedSourceWriter:
    """Collects "not modified" results of polls and commits them together; one per event loop.

    `run_blocking` runs the commit off the loop (the poll context's, to share its work thread).
    """

    def __init__(
        self,
        database: Database,
        run_blocking: Callable[..., Awaitable[None]] = asyncio.to_thread,
        *,
        delay: float = BATCH_DELAY_SECONDS,
    ) -> None:
        self._database = database
        self._run_blocking = run_blocking
        self._delay = delay
        self._pending: list[tuple[NotModified, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Task[None]] = set()

    async def record(
        self, source_id: int, *, now: datetime, next_check_at: datetime | None, reason: str | None = None
    ) -> None:
        """Record that the source was checked and had nothing new; returns once that is committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._pending.append((NotModified(source_id, now, next_check_at, reason), done))
        if len(self._pending) >= MAX_BATCH_ROWS:
            self._write_pending()
        elif self._timer is None:
            self._timer = loop.call_later(self._delay, self._write_pending)
        await done

    def _write_pending(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.create_task(self._write(batch))
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    async def _write(self, batch: list[tuple[NotModified, asyncio.Future[None]]]) -> None:
        try:
            await self._run_blocking(self._commit, [row for row, _ in batch])
        except Exception as error:  # every poll of the batch reports it, as if it had written alone
            for _, done in batch:
                if not done.done():
                    done.set_exception(error)
        else:
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    def _commit(self, rows: list[NotModified]) -> None:
        with self._database.session() as session:
            record_not_modified_many(session, rows)
            session.commit()
