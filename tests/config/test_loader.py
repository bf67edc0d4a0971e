"""Loading a configuration directory: the typed result, `${VAR}`, missing files, every problem at once."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import ChannelConfig, SourceConfig, check_config, load_config
from monitor.errors import ConfigError
from tests.config.conftest import WriteConfig, rendered


def test_a_valid_directory_loads_into_typed_models(write_config: WriteConfig) -> None:
    directory = write_config(
        {
            "sources.yaml": """\
            sources:
              - name: Kyiv Independent
                url: https://kyivindependent.com/news-archive/rss/
                interval: 1h30m
                language: EN
                tags: [ukraine]
              - name: BBC World
                url: https://feeds.bbci.co.uk/news/world/rss.xml
                enabled: false
            """,
            "settings.yaml": "database_url: sqlite:///elsewhere.db\nfetch:\n  max_concurrency: 4\n",
        }
    )
    config = load_config(directory, {})
    assert config.sources == [
        SourceConfig(
            name="Kyiv Independent",
            url="https://kyivindependent.com/news-archive/rss/",
            interval=timedelta(hours=1, minutes=30),
            language="en",
            tags=["ukraine"],
        ),
        SourceConfig(name="BBC World", url="https://feeds.bbci.co.uk/news/world/rss.xml", enabled=False),
    ]
    assert config.sources[1].interval == timedelta(minutes=15)
    assert config.channels == [ChannelConfig(name="analysts", urls=["json://localhost:8099/alerts"])]
    assert [rule.name for rule in config.rules] == ["drones"]
    assert config.channels_for_rule("drones") == config.channels
    assert config.channels_for_rule("nothing") == []
    assert config.source_by_name("BBC World") == config.sources[1]
    assert config.source_by_name("nothing") is None
    assert config.settings_values == {
        "database_url": "sqlite:///elsewhere.db",
        "fetch": {"max_concurrency": 4},
    }
    assert config.directory == directory


def test_environment_variables_are_substituted_anywhere_in_strings(write_config: WriteConfig) -> None:
    directory = write_config(
        {
            "channels.yaml": """\
            channels:
              - name: analysts
                urls:
                  - "json://${RECEIVER_HOST}:8099/alerts"
                  - ${UNSET_URL:-json://localhost:8100/}
            """
        }
    )
    config = load_config(directory, {"RECEIVER_HOST": "127.0.0.1"})
    assert config.channels[0].urls == ["json://127.0.0.1:8099/alerts", "json://localhost:8100/"]


def test_an_unset_variable_is_reported_at_the_reference(write_config: WriteConfig) -> None:
    directory = write_config(
        {"channels.yaml": 'channels:\n  - name: analysts\n    urls: ["tgram://${BOT_TOKEN}/${CHAT_ID}"]\n'}
    )
    expected = """\
        channels.yaml:3:21: environment variable BOT_TOKEN is not set
                urls: ["tgram://${BOT_TOKEN}*${CHAT_ID}"]
                                ^^^^^^^^^^^^
        channels.yaml:3:34: environment variable CHAT_ID is not set
                urls: ["tgram://${BOT_TOKEN}*${CHAT_ID}"]
                                             ^^^^^^^^^^"""
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected)


def test_the_environment_defaults_to_the_process_environment(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_TEST_FEED_HOST", "feeds.example.org")
    directory = write_config(
        {"sources.yaml": "sources:\n- {name: a, url: 'https://${MONITOR_TEST_FEED_HOST}/rss'}\n"}
    )
    assert load_config(directory).sources[0].url == "https://feeds.example.org/rss"


def test_every_problem_of_every_file_is_raised_at_once(write_config: WriteConfig) -> None:
    directory = write_config(
        {
            "sources.yaml": """\
            sources:
              - name: a
                url: gopher://a
              - name: b
                url: https://b/
                interval: soon
            """,
            "channels.yaml": "channels:\n  - name: analysts\n    urls: [nonsense]\n",
            "rules.yaml": "rules:\n- name: drones\n  query: shahed\n  channels: [analysts, elsewhere]\n",
            "settings.yaml": "fetch:\n  max_concurrency: 0\n",
        }
    )
    with pytest.raises(ConfigError) as raised:
        load_config(directory, {})
    heads = [problem.render().splitlines()[0] for problem in raised.value.problems]
    assert [head.replace(f"{directory}/", "") for head in heads] == [
        "sources.yaml:3:10: url: must be an http:// or https:// URL, got 'gopher://a'",
        "sources.yaml:6:15: interval: expected a duration such as 10m, 2h or 7d, got 'soon'",
        "channels.yaml:3:12: not a valid Apprise URL: ***",
        "rules.yaml:4:24: unknown channel 'elsewhere'",
        "settings.yaml:2:20: fetch.max_concurrency: input should be greater than or equal to 1",
    ]
    assert str(raised.value) == "\n".join(problem.render() for problem in raised.value.problems)


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    assert [p.render() for p in check_config(tmp_path / "nowhere", {})] == [
        f"{tmp_path / 'nowhere'}:1:1: configuration directory not found"
    ]


def test_a_directory_without_any_configuration_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    [problem] = check_config(tmp_path, {})
    assert problem.message == (
        "no sources.yaml, channels.yaml, rules.yaml in this directory: is it the configuration directory?"
    )


def test_missing_files_mean_empty_lists_with_a_note(write_config: WriteConfig) -> None:
    directory = write_config({"rules.yaml": None, "channels.yaml": None, "source.yml": "sources: []\n"})
    config = load_config(directory, {})
    assert (config.rules, config.channels, config.concepts, config.settings_values) == ([], [], {}, {})
    assert config.notes == [
        f"{directory / 'source.yml'} is not a configuration file monitor reads; ignored",
        f"{directory / 'channels.yaml'} not found: no channels configured",
        f"{directory / 'rules.yaml'} not found: no rules configured",
    ]


def test_empty_files_are_empty_lists(write_config: WriteConfig) -> None:
    directory = write_config(
        {"sources.yaml": "", "rules.yaml": "# nothing yet\nrules:\n", "concepts.yaml": ""}
    )
    config = load_config(directory, {})
    assert (config.sources, config.rules, config.concepts) == ([], [], {})


def test_a_file_that_is_not_utf8_is_reported_at_the_bad_byte(write_config: WriteConfig) -> None:
    directory = write_config({})
    (directory / "sources.yaml").write_bytes("sources:\n  - name: Новая\n".encode("cp1251"))
    [problem] = check_config(directory, {})
    assert (problem.line, problem.message) == (2, "not valid UTF-8 (byte 19)")


def test_recursive_aliases_are_refused(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": "sources: &loop\n  - *loop\n"})
    heads = [p.render().splitlines()[0] for p in check_config(directory, {})]
    assert heads[0].replace(f"{directory}/", "") == "sources.yaml:1:10: recursive alias"


def test_settings_yaml_is_checked_alone_not_with_the_environment(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_WEB__ADDRESS", "not-an-address")
    directory = write_config({"settings.yaml": "web:\n  address: 0.0.0.0:80\n"})
    assert load_config(directory, {}).settings_values == {"web": {"address": "0.0.0.0:80"}}
