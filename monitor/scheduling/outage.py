"""The database going away and coming back, told in two lines rather than a traceback every tick.

The jobs of `monitor run` touch the database every second; while it is unreachable each attempt fails the
same way. `DatabaseWatch` logs the first failure as one ERROR line, counts the others quietly, and logs one
line when an attempt succeeds again, with how long the outage lasted.
"""

from __future__ import annotations

import logging
from datetime import datetime

from monitor import clock
from monitor.durations import describe_duration
from monitor.errors import StorageError

logger = logging.getLogger(__name__)


class DatabaseWatch:
    """Whether the database answered the last attempt, and since when it has not."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.down_since: datetime | None = None
        self.failures = 0
        """Failed attempts during the current outage."""

    def failed(self, error: StorageError) -> None:
        """An attempt failed: said once per outage."""
        self.failures += 1
        if self.down_since is None:
            self.down_since = clock.now()
            logger.error("database unavailable (%s): %s; retrying until it is back", self.where, error)
        else:
            logger.debug("database still unavailable: %s", error)

    def succeeded(self) -> bool:
        """An attempt succeeded; True when that ends an outage (said once)."""
        if self.down_since is None:
            return False
        logger.warning(
            "database available again (%s) after %s, %d failed attempts",
            self.where,
            describe_duration(clock.now() - self.down_since),
            self.failures,
        )
        self.down_since, self.failures = None, 0
        return True
