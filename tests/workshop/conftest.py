"""A migrated database (SQLite and PostgreSQL) and a copy of the bundled configuration for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.storage.conftest import database

__all__ = ["database"]

BUNDLED = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the bundled configuration directory."""
    target = tmp_path / "config"
    shutil.copytree(BUNDLED, target)
    return target
