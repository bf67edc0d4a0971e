"""Secrets in feed and database URLs: masked wherever a URL is shown or logged."""

from __future__ import annotations

import logging

import pytest

from monitor.logs import MaskingFilter
from monitor.secrets import mask_secrets_in, mask_url_secrets, url_secrets

# (URL, masked form)
URLS = [
    ("https://news.example/feed.xml?page=2", "https://news.example/feed.xml?page=2"),
    ("https://reader:s3cretpw@news.example/feed", "https://reader:***@news.example/feed"),
    ("https://0123abcdTOKEN@news.example/feed", "https://***@news.example/feed"),
    ("https://news.example/rss?apikey=K3Y123&lang=en", "https://news.example/rss?apikey=***&lang=en"),
    (
        "https://news.example/rss?lang=en&access_token=abc#top",
        "https://news.example/rss?lang=en&access_token=***#top",
    ),
    ("postgresql://u:hun@ter2pw@db:5432/x", "postgresql://u:***@db:5432/x"),
    (
        "postgresql://u@db/x?sslmode=require&password=pw123",
        "postgresql://***@db/x?sslmode=require&password=***",
    ),
]


@pytest.mark.parametrize(("url", "masked"), URLS)
def test_feed_and_database_urls_are_shown_with_their_secrets_masked(url: str, masked: str) -> None:
    assert mask_url_secrets(url) == masked


def test_a_database_user_name_stays_readable() -> None:
    assert (
        mask_url_secrets("postgresql://monitor@db/x", bare_user_is_secret=False)
        == "postgresql://monitor@db/x"
    )


def test_the_pieces_of_a_misparsed_password_are_known_secrets() -> None:
    assert {"hun@ter2pw", "ter2pw", "hun"} <= set(url_secrets("postgresql://u:hun@ter2pw@db/x"))


def test_every_url_of_a_text_is_masked() -> None:
    text = "GET https://a:pw1234@x.example/f?token=t0k3n failed; see https://y.example/ok"
    assert mask_secrets_in(text) == "GET https://a:***@x.example/f?token=*** failed; see https://y.example/ok"


def test_log_records_of_any_library_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info(
            'HTTP Request: GET %s "HTTP/1.1 200 OK"', "https://u:pw1234@h.example/f"
        )
    assert "pw1234" not in caplog.text and "https://u:***@h.example/f" in caplog.text
