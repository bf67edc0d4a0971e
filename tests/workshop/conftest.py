"""A migrated database (SQLite and PostgreSQL) and a copy of the bundled configuration for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.storage import Database, open_database

BUNDLED = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the bundled configuration directory."""
    target = tmp_path / "config"
    shutil.copytree(BUNDLED, target)
    return target
