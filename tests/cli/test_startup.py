"""Start-up loads only what a command uses: `monitor --help` none of the heavy libraries, `monitor hits`
not the configuration loader, the matcher or the service's libraries (each is imported where it is used)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from monitor.storage.database import open_database
from tests.conftest import PROJECT_ROOT

NOT_FOR_READING = (
    "apprise",
    "apscheduler",
    "bs4",
    "fastapi",
    "feedparser",
    "httpx",
    "jinja2",
    "trafilatura",
    "uvicorn",
)
"""What only the service, the desk or alerts need."""
HEAVY = (*NOT_FOR_READING, "alembic", "pydantic", "sqlalchemy", "sqlmodel")
PROBE = """
import json, sys
from monitor.cli.app import main
sys.argv = ["monitor", "--help"]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})))
"""


def test_help_imports_none_of_the_heavy_modules() -> None:
    code = PROBE.format(heavy=set(HEAVY))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Commands" in result.stdout
    assert json.loads(result.stdout.splitlines()[-1]) == []


READING_NEEDS_NONE_OF = (*NOT_FOR_READING, "monitor.config.loader", "monitor.rules.matcher", "simplemma")
READING_PROBE = """
import json, sys
from monitor.cli.app import main
sys.argv = ["monitor", "--config", {config!r}, "--db", {database!r}, "hits", "--since", "1d"]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
loaded = {{name for name in sys.modules}}
print(json.dumps(sorted(n for n in {unwanted!r} if n in loaded)))
"""


def test_reading_hits_loads_neither_the_configuration_nor_the_matcher(tmp_path: Path) -> None:
    """`monitor hits` reads the database: it needs settings.yaml, not the loader, the rule compiler with
    its dictionaries, the fetcher or the alert library (the start-up that benchmarks/bench_startup.py
    measures)."""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    database = f"sqlite:///{tmp_path / 'monitor.db'}"
    open_database(database).dispose()  # reading commands do not create a database
    code = READING_PROBE.format(config=str(config), database=database, unwanted=READING_NEEDS_NONE_OF)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
