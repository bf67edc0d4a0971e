"""An open database for every storage test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.storage import Database, open_database
from tests.conftest import make_postgres_database


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A freshly migrated database, disposed of after the test."""
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def postgres_database() -> Iterator[Database]:
    """A freshly migrated database on PostgreSQL only (skipped where the server is unreachable)."""
    for url in make_postgres_database():
        db = open_database(url)
        yield db
        db.dispose()
