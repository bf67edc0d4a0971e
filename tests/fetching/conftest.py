"""Fixtures of the fetching tests: the shared local feed server, and settings with short limits."""

from __future__ import annotations

import pytest

from monitor.settings import FetchSettings
from tests.support.feed_server import feed_server

__all__ = ["feed_server"]


@pytest.fixture
def settings() -> FetchSettings:
    """Limits small enough that hostile servers trip them within a second or two."""
    return FetchSettings.model_validate(
        {
            "connect_timeout": 2.0,
            "read_timeout": 1.0,
            "total_timeout": 1.5,
            "max_body_bytes": 1_000_000,
            "max_concurrency": 32,
            "per_host_concurrency": 32,
            "user_agent": "monitor-tests/1.0",
        }
    )
