"""Apprise URLs are secrets: problems, lines shown and logs never carry them in full."""

from __future__ import annotations

import logging

import pytest

from monitor.config import check_config, load_config
from monitor.config.redaction import is_valid_apprise_url, mask_url, mask_urls_in
from tests.config.conftest import WriteConfig

SECRET = "7355608abcdefSECRET"

# (URL holding the secret, whether Apprise accepts it)
URLS = [
    (f"tgram://123456:{SECRET}/987654", True),
    (f"mailto://analyst:{SECRET}@example.org", True),
    (f"json://user:{SECRET}@localhost:8099/alerts", True),
    (f"tgram://{SECRET}", False),
    (f"nosuchservice://{SECRET}@host", False),
    (f"not a url {SECRET}", False),
]


@pytest.mark.parametrize(("url", "valid"), URLS)
def test_urls_are_validated_and_masked_without_the_secret(url: str, valid: bool) -> None:
    assert is_valid_apprise_url(url) is valid
    assert SECRET not in mask_url(url)


@pytest.mark.parametrize(("url", "valid"), URLS)
def test_apprise_does_not_log_the_urls_it_rejects(
    url: str, valid: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        is_valid_apprise_url(url)
        mask_url(url)
    assert SECRET not in caplog.text


# (line of a file, as shown under a problem)
LINES = [
    ("      - tgram://123456:SECRET/987", "      - tgram://*****************"),
    ('    urls: ["tgram://${BOT}/${CHAT}"]', '    urls: ["tgram://${BOT}*${CHAT}"]'),
    ("    name: analysts", "    name: analysts"),
]


@pytest.mark.parametrize(("line", "shown"), LINES)
def test_urls_in_shown_lines_are_starred_keeping_columns_and_references(line: str, shown: str) -> None:
    assert mask_urls_in(line) == shown
    assert len(mask_urls_in(line)) == len(line)


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
