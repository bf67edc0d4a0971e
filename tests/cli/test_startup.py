"""`monitor --help` starts without loading the heavy libraries: each is imported where it is used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "alembic",
    "apprise",
    "apscheduler",
    "bs4",
    "fastapi",
    "feedparser",
    "httpx",
    "jinja2",
    "pydantic",
    "sqlalchemy",
    "sqlmodel",
    "trafilatura",
    "uvicorn",
)
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
