"""Opening the database: migrations, per-backend settings, and clear errors that never show a password."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import select

from monitor.errors import StorageError
from monitor.storage import Database, Source, open_database
from monitor.storage.database import normalise_url
from monitor.storage.search import is_managed
from monitor.storage.tables import metadata
from tests.conftest import PROJECT_ROOT


def test_migrated_schema_equals_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": is_managed})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_opening_again_keeps_the_data_and_the_revision(database: Database, database_url: str) -> None:
    with database.session() as session:
        session.add(Source(name="a", url="https://a.example/feed", created_at=datetime.now(UTC)))
        session.commit()
    again = open_database(database_url)
    try:
        with again.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            sources = connection.execute(text("SELECT count(*) FROM source")).scalar_one()
    finally:
        again.dispose()
    assert (revision, sources) == (head_revision(), 1)


def head_revision() -> str:
    """The newest migration shipped in the package."""
    from alembic.script import ScriptDirectory

    from monitor.storage.database import MIGRATIONS_DIR

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def test_a_database_at_the_first_revision_is_upgraded_keeping_its_data(empty_database_url: str) -> None:
    """Upgrading never loses what users stored: a source written at revision 0001 survives 0002."""
    from monitor.storage.database import _create_engine, migrate

    database_url = empty_database_url
    engine = _create_engine(normalise_url(database_url))
    migrate(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (name, url, enabled, consecutive_failures, created_at) "
                "VALUES ('kept', 'https://kept.example/rss', true, 0, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    database = open_database(database_url)
    try:
        with database.session() as session:
            kept = session.exec(select(Source).where(Source.name == "kept")).one()
        assert kept.configured_url == "https://kept.example/rss"
    finally:
        database.dispose()


def test_two_processes_opening_a_new_database_together_both_succeed(empty_database_url: str) -> None:
    database_url = empty_database_url
    script = "import sys; from monitor.storage import open_database; open_database(sys.argv[1]).dispose()"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url], cwd=PROJECT_ROOT, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    errors = [process.communicate(timeout=60)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], errors


@pytest.mark.parametrize(
    ("offset_hours", "naive"),
    [(0, False), (2, False), (-5, False), (0, True)],
)
def test_timestamps_come_back_aware_in_utc(database: Database, offset_hours: int, naive: bool) -> None:
    zone = timezone(timedelta(hours=offset_hours))
    written = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=zone)
    with database.session() as session:
        source = Source(name="s", url="u", created_at=written.replace(tzinfo=None) if naive else written)
        session.add(source)
        session.commit()
    with database.session() as session:
        read = session.exec(select(Source.created_at)).one()
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)
    assert read == (written.replace(tzinfo=UTC) if naive else written)


def test_sqlite_creates_the_directory_and_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'deep' / 'er' / 'monitor.db'}")
    try:
        with database.engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
            busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    finally:
        database.dispose()
    assert (tmp_path / "deep" / "er" / "monitor.db").is_file()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy >= 1000


TRY_WRITER_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as lock:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("busy")
    else:
        print("free")
"""


def test_sqlite_writers_of_other_processes_wait_on_a_lock_file(tmp_path: Path) -> None:
    """Pollers in several processes queue on an flock, woken at once, instead of SQLite's sleeping retries."""
    database = open_database(f"sqlite:///{tmp_path / 'monitor.db'}")
    lock_file = str(tmp_path / "monitor.db.writer-lock")

    def other_process_sees() -> str:
        run = [sys.executable, "-c", TRY_WRITER_LOCK, lock_file]
        return subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()

    try:
        with database.session() as session:
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
            during = other_process_sees()
            session.commit()
        with database.read_session():
            while_reading = other_process_sees()
    finally:
        database.dispose()
    assert (during, while_reading, other_process_sees()) == ("busy", "free", "free")


def test_in_memory_sqlite_works_for_quick_use() -> None:
    database = open_database("sqlite://")
    try:
        with database.session() as session:
            session.add(Source(name="m", url="u", created_at=datetime.now(UTC)))
            session.commit()
        with database.session() as session:
            assert len(session.exec(select(Source)).all()) == 1
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///data/monitor.db", "sqlite"),
    ],
)
def test_urls_are_normalised_to_psycopg_3(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "invalid database URL"),
        ("mysql://root:hunter2secret@127.0.0.1/db", "unsupported database"),
        ("postgresql://monitor:hunter2secret@127.0.0.1:1/monitor", "cannot open database"),
    ],
)
def test_bad_urls_raise_a_clear_storage_error_without_the_password(url: str, expected: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_database(url)
    assert expected in str(caught.value)
    assert "hunter2secret" not in str(caught.value)


def test_an_unreachable_server_names_host_and_reason() -> None:
    with pytest.raises(StorageError) as caught:
        open_database("postgresql://monitor:hunter2secret@127.0.0.1:1/monitor")
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "***" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://monitor:hunter2pw@127.0.0.1:1/x",
        "postgresql://monitor@127.0.0.1:1/x?password=hunter2pw",
        "postgresql://monitor:hun@ter2pw@127.0.0.1:1/x",
        "postgresql://monitor:hunter2pw@127.0.0.1:notaport/x",
        "mysql://monitor:hunter2pw@127.0.0.1/x",
    ],
)
def test_a_database_password_never_appears_in_the_error(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "hunter2pw" not in message and "ter2pw" not in message
    assert "monitor" in message and "***" in message, "the user is named, the password masked"


def test_the_data_directory_and_the_sqlite_database_are_created_private(tmp_path: Path) -> None:
    database_file = tmp_path / "data" / "monitor.db"
    db = open_database(f"sqlite:///{database_file}")
    try:
        with db.session() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        assert database_file.parent.stat().st_mode & 0o777 == 0o700
        for path in database_file.parent.iterdir():
            if path.name.startswith("monitor.db"):
                assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others"
    finally:
        db.dispose()
