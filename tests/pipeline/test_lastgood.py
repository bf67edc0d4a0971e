"""The last good configuration: saved in the database whenever one loads, started on (with every problem
logged as an error) when the current files are broken or one has disappeared."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.pipeline.lastgood import load_or_last_good
from monitor.storage.database import Database, open_database
from tests.support.watch_config import write_config


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


def _config_dir(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "c", sources={"wire": "http://127.0.0.1:9/wire.xml"}, alert_url="json://127.0.0.1:9/x"
    )


def test_a_broken_configuration_starts_on_the_last_good_one_with_a_loud_error(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_dir = _config_dir(tmp_path)
    good = load_or_last_good(config_dir, database)
    (config_dir / "rules.yaml").write_text(
        (config_dir / "rules.yaml").read_text() + "  - name: broken\n    query: (\n"
    )
    with caplog.at_level(logging.ERROR):
        started = load_or_last_good(config_dir, database)
    assert [rule.name for rule in started.rules] == [rule.name for rule in good.rules]
    assert started.directory == config_dir, "reloads keep watching the real directory"
    assert "configuration broken, running on the last good one" in caplog.text
    assert "rules.yaml:" in caplog.text, "each problem is located"


def test_a_file_that_disappeared_is_a_problem_and_the_last_good_rules_stay(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_dir = _config_dir(tmp_path)
    good = load_or_last_good(config_dir, database)
    (config_dir / "rules.yaml").unlink()
    with caplog.at_level(logging.ERROR):
        started = load_or_last_good(config_dir, database)
    assert len(started.rules) == len(good.rules) > 0
    assert "rules.yaml:1:1: file disappeared" in caplog.text


def test_without_a_last_good_configuration_a_broken_one_is_refused(
    database: Database, tmp_path: Path
) -> None:
    config_dir = _config_dir(tmp_path)
    (config_dir / "sources.yaml").write_text("sources:\n  - name: a\n    url: ftp://x\n")
    with pytest.raises(ConfigError):
        load_or_last_good(config_dir, database)
