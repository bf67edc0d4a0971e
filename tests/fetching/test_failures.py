"""The one mapping from fetch outcomes to user-facing messages, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from monitor.fetching.failures import http_status_error, parse_retry_after, transport_error

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Sat, 01 Mar 2025 12:05:00 GMT", timedelta(minutes=5)),
        ("Sat, 01 Mar 2025 11:00:00 GMT", timedelta(0)),  # in the past: retry now
        ("999999999", timedelta(days=1)),  # capped
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_from_seconds_or_http_date(header: str | None, expected: timedelta | None):
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (404, "Not Found", "not found (HTTP 404): check the feed URL"),
        (410, "Gone", "gone: the publisher removed this feed (HTTP 410)"),
        (403, "Forbidden", "HTTP 403 Forbidden"),
        (500, "", "HTTP 500 Internal Server Error"),
        (502, "Bad Gateway", "HTTP 502 Bad Gateway"),
        (599, "", "HTTP 599"),
        (429, "Too Many Requests", "HTTP 429 Too Many Requests"),
    ],
)
def test_http_status_messages(status: int, reason: str, message: str):
    error = http_status_error(status, reason)
    assert (error.message, error.status, error.gone) == (message, status, status == 410)


TIMEOUTS = httpx.Timeout(connect=10, read=20, write=20, pool=60)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (httpx.ConnectTimeout("x"), "timed out after 10 s (connecting)"),
        (httpx.ReadTimeout("x"), "timed out after 20 s (waiting for data)"),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            "DNS error: the host name does not resolve",
        ),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "connection reset by the server"),
        (httpx.RemoteProtocolError("x"), "connection closed by the server before the response was complete"),
    ],
)
def test_transport_failures(exc: httpx.HTTPError, message: str):
    """DNS cannot be exercised without a resolver; these are the exceptions httpx raises for each cause."""
    assert transport_error(exc, TIMEOUTS).message == message
