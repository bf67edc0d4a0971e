"""What the pollers of one machine did, counted together for the service's summary line.

Each poller process adds its polls and deliveries to counters in shared memory; one place (the service
itself, or the supervisor of several pollers) logs them once a minute and starts again from zero, so
that the machine prints one line a minute, not one per poller.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from typing import Any

from monitor.wording import plural

FIELDS = ("polled", "new_articles", "hits", "sent", "failed")


@dataclass(frozen=True)
class Activity:
    """Counts over one span: sources polled, new articles, hits, alerts sent, delivery attempts failed."""

    polled: int = 0
    new_articles: int = 0
    hits: int = 0
    sent: int = 0
    failed: int = 0

    def line(self) -> str:
        return (
            f"{plural(self.polled, 'source')} polled, {plural(self.new_articles, 'new article')}, "
            f"{plural(self.hits, 'hit')}, {plural(self.sent, 'alert')} sent, {self.failed} failed"
        )


class ActivityCounters:
    """Counters in shared memory: created by the parent, passed to spawned pollers as an argument."""

    def __init__(self) -> None:
        self._values: Any = multiprocessing.get_context("spawn").Array("q", len(FIELDS))

    def add(self, **counts: int) -> None:
        with self._values.get_lock():
            for name, count in counts.items():
                self._values[FIELDS.index(name)] += count

    def take(self) -> Activity:
        """The counts since the last `take`, and start again from zero."""
        with self._values.get_lock():
            values = list(self._values)
            for index in range(len(FIELDS)):
                self._values[index] = 0
        return Activity(*values)
