"""Apprise URLs are secrets: configuration problems, the lines they show and channels never carry them
in full (the masking itself is tested in tests/alerts/test_redaction.py)."""

from __future__ import annotations

from monitor.config import check_config, load_config
from tests.config.conftest import WriteConfig

SECRET = "7355608abcdefSECRET"


def test_a_rejected_url_from_the_environment_never_appears_in_problems(write_config: WriteConfig) -> None:
    directory = write_config({"channels.yaml": "channels:\n  - name: analysts\n    urls: ['${ALERT_URL}']\n"})
    problems = check_config(directory, {"ALERT_URL": f"tgram://{SECRET}"})
    assert [problem.message for problem in problems] == ["not a valid Apprise URL: tgram://***"]
    assert SECRET not in problems[0].render()


def test_a_rejected_url_written_in_the_file_never_appears_in_problems(write_config: WriteConfig) -> None:
    directory = write_config(
        {"channels.yaml": f"channels:\n  - name: analysts\n    urls: [tgram://{SECRET}]\n"}
    )
    [problem] = check_config(directory, {})
    assert SECRET not in problem.render()


def test_channels_show_their_urls_masked(write_config: WriteConfig) -> None:
    url = f"tgram://123456:{SECRET}/987654"
    directory = write_config({"channels.yaml": f"channels:\n  - name: analysts\n    urls: ['{url}']\n"})
    channel = load_config(directory, {}).channels[0]
    assert channel.urls == [url]
    assert SECRET not in repr(channel) + str(channel) + " ".join(channel.masked_urls())


def test_a_database_password_never_appears_in_settings_problems(write_config: WriteConfig) -> None:
    directory = write_config({"settings.yaml": f"database_url: [postgresql://monitor:{SECRET}@db/monitor]\n"})
    [problem] = check_config(directory, {})
    assert problem.message == "database_url: expected text, got a list"
    assert problem.source_line == "database_url: [postgresql://" + "*" * 39


def test_a_url_given_where_a_list_was_expected_is_not_echoed(write_config: WriteConfig) -> None:
    url = f"json://user:{SECRET}@example.org/hook"
    directory = write_config({"channels.yaml": f"channels:\n  - name: analysts\n    urls: {url}\n"})
    [problem] = check_config(directory, {})
    assert problem.message.startswith("urls: expected a list, got text 'json://****")
    assert SECRET not in problem.render() and "user" not in problem.render()


def test_a_url_given_as_the_operations_channel_is_not_echoed(write_config: WriteConfig) -> None:
    url = f"json://user:{SECRET}@example.org/hook"
    directory = write_config({"settings.yaml": f"health:\n  operations_channel: '{url}'\n"})
    [problem] = check_config(directory, {})
    assert problem.message.startswith("unknown channel 'json://****")
    assert SECRET not in problem.render()
