"""Fixtures shared by every test package: the corpus, and a fresh database on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import queue
import shutil
import threading
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


class _LateDrops:
    """Drops the tests' PostgreSQL databases on a thread of its own: a DROP DATABASE waits until every
    backend of the server has let go of the files (up to seconds on a busy machine), which no test needs
    to wait for. `finish` waits for the drops and raises the first that failed."""

    def __init__(self) -> None:
        self._names: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._failures: list[BaseException] = []

    def drop(self, name: str) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="drop-test-databases", daemon=True)
                self._thread.start()
        self._names.put(name)

    def _run(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            while (name := self._names.get()) is not None:
                try:
                    with engine.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                except Exception as exc:  # raised by finish(), in the test session
                    self._failures.append(exc)
        finally:
            engine.dispose()

    def finish(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._names.put(None)
            thread.join()
        if self._failures:
            raise self._failures[0]


_late_drops = _LateDrops()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    """At the end of the session, wait for the test databases to be dropped (set up first, so last out)."""
    yield
    _late_drops.finish()


def make_postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a database of our own on the test server (a copy of `template` if named), yield its URL,
    drop it afterwards (on a thread, see _LateDrops)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = _postgres_admin_engine()
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    finally:
        admin.dispose()
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _late_drops.drop(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head once per session: tests get a copy (a file copy takes
    milliseconds, running the migrations most of a second)."""
    from monitor.storage import open_database

    path = tmp_path_factory.mktemp("template") / "monitor.db"
    open_database(f"sqlite:///{path}").dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not checkpointed"
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated to the head once per session, for CREATE DATABASE …
    TEMPLATE (which needs it to have no connections: the engine is disposed of)."""
    from sqlalchemy.engine import make_url

    from monitor.storage import open_database

    for url in make_postgres_database():
        open_database(url).dispose()
        name = make_url(url).database
        assert name is not None
        yield name


def migrated_sqlite_url(template: Path, directory: Path) -> str:
    """The URL of a copy of the migrated SQLite template in `directory` (mode 0600 kept)."""
    target = directory / "monitor.db"
    shutil.copy2(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A URL to a SQLite database migrated to the head, in the test's directory, for tests where the
    backend does not matter."""
    return migrated_sqlite_url(sqlite_template, tmp_path)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""The params of a fixture that gives a database on each backend."""


def migrated_url(request: pytest.FixtureRequest, backend: str, directory: Path) -> Iterator[str]:
    """The URL of a copy of the migrated template of `backend`, in `directory` for SQLite; a PostgreSQL
    copy is dropped afterwards."""
    if backend == "sqlite":
        yield migrated_sqlite_url(request.getfixturevalue("sqlite_template"), directory)
    else:
        yield from make_postgres_database(request.getfixturevalue("postgres_template"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to a database migrated to the head, once on SQLite (a file) and once on PostgreSQL (its own
    database): a copy of a per-session template, since the tests need the schema, not the migrations."""
    yield from migrated_url(request, request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database, once on SQLite (a file) and once on PostgreSQL (its own database),
    for the tests of migrating."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from make_postgres_database()
