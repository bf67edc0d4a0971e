"""Apprise URLs are secrets: masked wherever they are shown, scrubbed from error texts and logs."""

from __future__ import annotations

import logging

import pytest

from monitor.alerts.redaction import is_valid_apprise_url, mask_url, mask_urls_in, redact, redacted_logs

# (Apprise URL, its masked form, secrets that must not survive masking)
URLS = [
    ("tgram://123456789:AAHsecrettokenXYZ/987654", "tgram://1...Z/987654/", ["AAHsecrettokenXYZ"]),
    (
        "json://user:pass1234word@127.0.0.1:8080/hook",
        "json://user:****@127.0.0.1:8080/hook",
        ["pass1234word"],
    ),
    (
        "json://127.0.0.1:8080/hooks/a1b2c3d4e5f6g7h8",
        "json://127.0.0.1:8080/hooks/a...8",
        ["a1b2c3d4e5f6g7h8"],
    ),
    (
        "mailto://user:mailpass99@example.com?to=a@example.org",
        "mailto://user:****@example.com/a...g",
        ["mailpass99"],
    ),
    (
        "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "discord://4...8/J...s/",
        ["JHMHI8qBe7bk2ZwO5U711o3dV_js"],
    ),
    ("nosuchservice://tokentokentoken", "nosuchservice://***", ["tokentokentoken"]),
    ("not a url at all", "***", ["not a url at all"]),
]


@pytest.mark.parametrize(("url", "masked", "secrets"), URLS)
def test_mask_url_uses_apprise_privacy_and_hides_tokens(url: str, masked: str, secrets: list[str]) -> None:
    shown = mask_url(url)
    assert shown == masked
    assert not any(secret in shown for secret in secrets)


@pytest.mark.parametrize(("url", "masked", "secrets"), URLS[:5])
def test_redact_replaces_the_url_and_its_token_parts(url: str, masked: str, secrets: list[str]) -> None:
    text = f"could not reach {url} (token {secrets[0]} rejected)"
    cleaned = redact(text, [url])
    assert masked in cleaned
    assert not any(secret in cleaned for secret in secrets)


def test_redact_leaves_unrelated_text_alone() -> None:
    text = "Failed to send JSON POST notification: Internal server error., error=500."
    assert redact(text, ["json://127.0.0.1:8080/hooks/a1b2c3d4e5f6g7h8"]) == text


def test_mask_url_does_not_leak_a_rejected_url_into_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mask_url("tgram://not-a-valid-bot-token-SECRET99/")
    assert "SECRET99" not in caplog.text


def test_redacted_logs_scrub_apprise_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = "json://127.0.0.1:8080/hooks/a1b2c3d4e5f6g7h8"
    with redacted_logs([url]):
        logging.getLogger("apprise").debug("JSON POST URL: http://127.0.0.1:8080/hooks/a1b2c3d4e5f6g7h8")
    logging.getLogger("apprise").debug("after: %s", "visible")
    assert "a1b2c3d4e5f6g7h8" not in caplog.text
    assert "after: visible" in caplog.text


SECRET = "7355608abcdefSECRET"

# (URL holding the secret, whether Apprise accepts it)
VALIDATED = [
    (f"tgram://123456:{SECRET}/987654", True),
    (f"mailto://analyst:{SECRET}@example.org", True),
    (f"json://user:{SECRET}@localhost:8099/alerts", True),
    (f"tgram://{SECRET}", False),
    (f"nosuchservice://{SECRET}@host", False),
    (f"not a url {SECRET}", False),
]


@pytest.mark.parametrize(("url", "valid"), VALIDATED)
def test_urls_are_validated_and_masked_without_the_secret(url: str, valid: bool) -> None:
    assert is_valid_apprise_url(url) is valid
    assert SECRET not in mask_url(url)


@pytest.mark.parametrize(("url", "valid"), VALIDATED)
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


def test_an_ntfy_topic_is_a_secret_in_masks_and_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    import apprise

    url = "ntfy://127.0.0.1:9/plainwordtopic"
    assert "plainwordtopic" not in mask_url(url)
    caplog.set_level(logging.DEBUG, logger="apprise")
    with redacted_logs([url]):
        notifier = apprise.Apprise()
        notifier.add(url)
        notifier.notify(body="hello", title="t")
    assert "ntfy" in caplog.text and "plainwordtopic" not in caplog.text
