"""Start on the last good configuration when the current one is broken or a file of it is gone.

Every configuration that loads cleanly is saved in the database (`monitor.storage.config_snapshots`). A
process starting (`monitor run`, a restarted poller) with a broken configuration logs every problem as an
error and runs on the saved one; a file of the saved configuration that has disappeared is such a problem
too, never "0 rules".
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from monitor import clock
from monitor.config import WatchConfig, load_config
from monitor.config.loader import REQUIRED
from monitor.errors import ConfigError, Problem
from monitor.storage.config_snapshots import save_config, saved_config
from monitor.storage.database import Database

logger = logging.getLogger(__name__)

MAX_FILE_CHARS = 5_000_000


def config_files(directory: Path) -> dict[str, str]:
    """The YAML files of a configuration directory as written, by name."""
    files = sorted(p for p in directory.glob("*.y*ml") if p.is_file())
    return {p.name: p.read_text(encoding="utf-8", errors="replace")[:MAX_FILE_CHARS] for p in files}


def remember(database: Database, config: WatchConfig) -> None:
    """Save `config`'s directory as the last good configuration."""
    with database.session() as session:
        save_config(session, _key(config.directory), config_files(config.directory), now=clock.now())
        session.commit()


def check_none_disappeared(database: Database, directory: Path) -> None:
    """ConfigError naming each of sources.yaml, rules.yaml and channels.yaml that the last good
    configuration had and `directory` no longer has: a file that disappears is a problem, not an empty list
    (to empty one on purpose, leave it with an empty list: `rules: []`)."""
    with database.read_session() as session:
        saved = saved_config(session, _key(directory))
    kept = [name for name in REQUIRED if saved and name in saved.files]
    gone = [name for name in kept if not (directory / name).is_file()]
    if gone:
        raise ConfigError([Problem(str(directory / name), 1, 1, "file disappeared") for name in gone])


def load_or_last_good(directory: Path, database: Database, *, level: int = logging.ERROR) -> WatchConfig:
    """The configuration of `directory`, saved as the last good one; when it is broken or a file of the
    last good one is gone, every problem logged (at `level`: a poller passes DEBUG, its parent having said
    it already) and the last good configuration instead. ConfigError when there is none to fall back on."""
    try:
        check_none_disappeared(database, directory)
        config = load_config(directory)
    except ConfigError as error:
        fallback = _last_good(database, directory, level)
        if fallback is None:
            raise
        logger.log(
            level,
            "configuration broken, running on the last good one until it is fixed:\n%s",
            "\n".join(problem.render() for problem in error.problems),
        )
        return fallback
    remember(database, config)
    return config


def _last_good(database: Database, directory: Path, level: int) -> WatchConfig | None:
    with database.read_session() as session:
        saved = saved_config(session, _key(directory))
    if saved is None:
        return None
    with tempfile.TemporaryDirectory(prefix="monitor-last-good-") as scratch:
        for name, text in saved.files.items():
            (Path(scratch) / Path(name).name).write_text(text, encoding="utf-8")
        try:
            config = load_config(Path(scratch))
        except ConfigError:
            return None  # the environment changed since (a `${VAR}` gone): nothing good to run on
    logger.log(
        level, "using the last good configuration, saved %s", saved.saved_at.isoformat(timespec="seconds")
    )
    return config.model_copy(update={"directory": directory})


def _key(directory: Path) -> str:
    return str(directory.resolve())
