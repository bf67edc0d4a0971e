"""Concurrency limits: at most N fetches in flight overall, M per host, and a minimum gap per host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    """The per-host state: a semaphore, and when the last request to this host started."""

    slots: asyncio.Semaphore
    pacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None


class HostLimiter:
    """Grants slots so that one busy or slow host cannot take every worker.

    Belongs to one `Fetcher`; its state lives and dies with it (no module-level registry).
    """

    def __init__(self, total: int, per_host: int, min_delay: float = 0.0) -> None:
        self._total = asyncio.Semaphore(total)
        self._per_host = per_host
        self._min_delay = min_delay
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._per_host))
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold a per-host slot and a global slot (in that order, so waiting hosts don't hog globals)."""
        state = self._host(host)
        async with state.slots:
            await self._pace(state)
            async with self._total:
                yield

    async def _pace(self, state: _Host) -> None:
        """Wait until `min_delay` seconds have passed since the previous request to the same host."""
        if self._min_delay <= 0:
            return
        loop = asyncio.get_running_loop()
        async with state.pacing:
            if state.last_start is not None:
                wait = state.last_start + self._min_delay - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            state.last_start = loop.time()
