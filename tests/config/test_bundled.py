"""The configuration shipped in config/ loads, and starts an analyst off sensibly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.config import check_config, load_config
from monitor.settings import build_settings
from tests.conftest import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "config"


def test_the_bundled_configuration_loads_without_problems() -> None:
    if not (BUNDLED / "rules.yaml").is_file():
        pytest.skip("config/rules.yaml is not written yet (it belongs to the rules package)")
    problems = check_config(BUNDLED, {})
    assert [problem.render() for problem in problems] == []


@pytest.fixture
def sources_and_channels(tmp_path: Path) -> Path:
    """The bundled sources, channels and settings on their own (no rules)."""
    for name in ("sources.yaml", "channels.yaml", "settings.yaml"):
        shutil.copy(BUNDLED / name, tmp_path / name)
    return tmp_path


def test_bundled_sources_cover_the_languages_analysts_read(sources_and_channels: Path) -> None:
    config = load_config(sources_and_channels, {})
    languages = {source.language for source in config.sources}
    assert languages == {"en", "fr", "uk", "ru", "de"}
    assert all(source.url.startswith("https://") for source in config.sources)
    assert {"ukraine", "russia", "korea"} <= {tag for source in config.sources for tag in source.tags}
    assert len(config.sources) >= 30


def test_the_alert_channel_defaults_to_a_local_receiver_and_says_so(sources_and_channels: Path) -> None:
    config = load_config(sources_and_channels, {})
    assert [channel.urls for channel in config.channels] == [["json://localhost:8099/alerts"]]
    where = sources_and_channels / "channels.yaml"
    lines = where.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip().startswith("- ${MONITOR_ALERT_URL"))
    assert f"{where}:{line}: MONITOR_ALERT_URL is not set; using the default written there" in config.notes


def test_the_alert_channel_takes_its_url_from_the_environment(sources_and_channels: Path) -> None:
    config = load_config(sources_and_channels, {"MONITOR_ALERT_URL": "ntfy://monitor-alerts"})
    assert config.channels[0].urls == ["ntfy://monitor-alerts"]
    assert not any("MONITOR_ALERT_URL" in note for note in config.notes)


def test_the_bundled_settings_build(sources_and_channels: Path) -> None:
    settings = build_settings(load_config(sources_and_channels, {}).settings_values)
    assert settings.fetch.max_concurrency == 16
