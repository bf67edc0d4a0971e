"""Fixtures shared by every test package: the corpus, and a fresh database on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A desk started by any test (`monitor run` serves one) listens on a port the system chooses: tests never
# bind a fixed port, since other test runs share the machine.
os.environ.setdefault("MONITOR_WEB__ADDRESS", "127.0.0.1:0")
POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """`../shared/corpus` beside the project (or MONITOR_CORPUS_DIR); skip where it is absent."""
    path = Path(os.environ.get("MONITOR_CORPUS_DIR", PROJECT_ROOT.parent / "shared" / "corpus"))
    if not path.is_dir():
        pytest.skip(f"test corpus not found at {path} (set MONITOR_CORPUS_DIR)")
    return path


def _postgres_admin_engine():  # type: ignore[no-untyped-def]
    """An AUTOCOMMIT engine on the maintenance database, or a skip with the reason."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # the reason is shown in the skip
        engine.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"
        if os.environ.get("MONITOR_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (MONITOR_REQUIRE_POSTGRES is set, as in CI)")
        pytest.skip(reason)
    return engine


def make_postgres_database() -> Iterator[str]:
    """Create a database of our own on the test server, yield its URL, drop it afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = _postgres_admin_engine()
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database, once on SQLite (a file) and once on PostgreSQL (its own database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from make_postgres_database()
