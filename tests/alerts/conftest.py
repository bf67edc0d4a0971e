"""The local receivers the alert tests send to, and an open database on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.storage import Database, open_database
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import webhook_receiver

__all__ = ["smtp_server", "webhook_receiver"]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A freshly migrated database, disposed of after the test."""
    db = open_database(database_url)
    yield db
    db.dispose()
