"""`monitor check` prints the configuration's notes (remarks that are not errors) before its OK line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli.app import app
from tests.conftest import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "config"
DEFAULTED = "MONITOR_ALERT_URL is not set; using the default written there"


def check(directory: Path, env: dict[str, str | None]) -> tuple[int, list[str]]:
    """Exit code and output lines of `monitor --config directory check` in this environment."""
    result = CliRunner().invoke(app, ["--config", str(directory), "check"], env=env)
    return result.exit_code, result.stdout.splitlines()


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled configuration directory, to add and remove files in."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "config"))


def channels_line(directory: Path) -> int:
    """The line of channels.yaml that names MONITOR_ALERT_URL with its default."""
    lines = (directory / "channels.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if "${MONITOR_ALERT_URL:-" in line)


def test_a_variable_that_fell_back_to_its_default_is_noted_before_the_ok_line(bundled: Path) -> None:
    code, lines = check(bundled, {"MONITOR_ALERT_URL": None})

    assert code == 0
    assert lines[0] == f"note: {bundled / 'channels.yaml'}:{channels_line(bundled)}: {DEFAULTED}"
    assert lines[-1].startswith(f"{bundled}: OK")


def test_a_set_variable_gives_no_note(bundled: Path) -> None:
    code, lines = check(bundled, {"MONITOR_ALERT_URL": "json://127.0.0.1:8099/secret-hook-1234"})

    assert code == 0
    assert [line for line in lines if line.startswith("note:")] == []
    assert "secret-hook-1234" not in "\n".join(lines)


# (file removed from or added to the bundled directory, what its note says after the file's path)
CHANGES = [
    ("-sources.yaml", "not found: no sources configured"),
    ("+source.yaml", "is not a configuration file monitor reads; ignored"),
]


@pytest.mark.parametrize(("change", "remark"), CHANGES)
def test_missing_and_stray_files_are_noted(bundled: Path, change: str, remark: str) -> None:
    path = bundled / change[1:]
    if change.startswith("-"):
        path.unlink()
    else:
        path.write_text("sources: []\n", encoding="utf-8")

    code, lines = check(bundled, {"MONITOR_ALERT_URL": "json://127.0.0.1:8099/alerts"})

    assert code == 0
    assert lines[:-1] == [f"note: {path} {remark}"]
    assert lines[-1].startswith(f"{bundled}: OK")
