"""health.operations_channel in settings.yaml must name a channel of channels.yaml, like a rule's channels."""

from __future__ import annotations

import shutil
from pathlib import Path

from monitor.config import check_config, load_config
from tests.conftest import PROJECT_ROOT


def configured(tmp_path: Path, settings: str) -> Path:
    for name in ("sources.yaml", "rules.yaml", "concepts.yaml", "channels.yaml"):
        shutil.copy(PROJECT_ROOT / "config" / name, tmp_path / name)
    (tmp_path / "settings.yaml").write_text(settings, encoding="utf-8")
    return tmp_path


def test_an_unknown_operations_channel_is_located(tmp_path: Path) -> None:
    directory = configured(tmp_path, "health:\n  operations_channel: ops\n")
    (problem,) = check_config(directory)
    assert (problem.file, problem.line, problem.column) == (str(directory / "settings.yaml"), 2, 23)
    assert problem.message == "unknown channel 'ops'"


def test_a_known_operations_channel_is_accepted(tmp_path: Path) -> None:
    config = load_config(configured(tmp_path, "health:\n  operations_channel: analysts\n"))
    assert config.settings_values["health"]["operations_channel"] == "analysts"
