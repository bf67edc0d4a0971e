"""Helpers for configuration tests: a directory of YAML files, and problems rendered relative to it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from monitor.errors import Problem

SOURCES = """\
sources:
  - name: BBC World
    url: https://feeds.bbci.co.uk/news/world/rss.xml
"""
CHANNELS = """\
channels:
  - name: analysts
    urls: ["json://localhost:8099/alerts"]
"""
RULES = """\
rules:
  - name: drones
    query: shahed
    channels: [analysts]
"""
VALID = {"sources.yaml": SOURCES, "channels.yaml": CHANNELS, "rules.yaml": RULES}

WriteConfig = Callable[[Mapping[str, str | None]], Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write a valid configuration with some files replaced (text, dedented) or removed (None)."""

    def write(files: Mapping[str, str | None]) -> Path:
        directory = tmp_path / "config"
        directory.mkdir(exist_ok=True)
        for name, text in {**VALID, **files}.items():
            if text is not None:
                (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return directory

    return write


def rendered(problems: list[Problem], directory: Path) -> str:
    """Every problem rendered, with paths relative to the configuration directory."""
    return "\n".join(problem.render() for problem in problems).replace(f"{directory}/", "")
