"""The last good configuration is kept once per directory, whoever saves it and however many at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from monitor.storage import Database
from monitor.storage.config_snapshots import save_config, saved_config
from tests.storage.builders import NOW


def test_a_later_save_replaces_the_kept_configuration(database: Database) -> None:
    with database.session() as session:
        save_config(session, "/etc/monitor", {"rules.yaml": "rules: []\n"}, now=NOW)
        session.commit()
    later = NOW + timedelta(minutes=5)
    with database.session() as session:
        save_config(session, "/etc/monitor", {"rules.yaml": "rules: [a]\n"}, now=later)
        session.commit()
    with database.read_session() as session:
        kept = saved_config(session, "/etc/monitor")
    assert kept is not None and (kept.files, kept.saved_at) == ({"rules.yaml": "rules: [a]\n"}, later)


@pytest.mark.postgres
def test_pollers_saving_the_same_configuration_at_once_both_succeed(postgres_database: Database) -> None:
    """Two pollers of one service start together: the second insert waits for the first, then updates."""
    errors: list[BaseException] = []
    first_saved = threading.Event()

    def second_poller() -> None:
        first_saved.wait(timeout=60)
        try:
            with postgres_database.session() as session:
                save_config(session, "/etc/monitor", {"rules.yaml": "second"}, now=NOW)
                session.commit()
        except BaseException as error:
            errors.append(error)

    with postgres_database.session() as session:
        save_config(session, "/etc/monitor", {"rules.yaml": "first"}, now=NOW)
        thread = threading.Thread(target=second_poller)
        thread.start()
        first_saved.set()
        thread.join(timeout=2)  # it waits on the first's uncommitted row (a join that times out is expected)
        session.commit()
    thread.join(timeout=60)
    with postgres_database.read_session() as session:
        kept = saved_config(session, "/etc/monitor")
    assert errors == []
    assert kept is not None and kept.files == {"rules.yaml": "second"}
