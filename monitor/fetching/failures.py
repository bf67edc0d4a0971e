"""The one place that turns fetch outcomes into short, user-facing `FetchError` messages.

Every failure of the outside world ends here so that the user reads the same words for the same cause:
"timed out after 20 s (no data)", "HTTP 404 Not Found", "gone: the publisher removed this feed".
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import httpx

from monitor import clock
from monitor.errors import FetchError
from monitor.secrets import mask_secrets_in, mask_url_secrets

_MAX_RETRY_AFTER = timedelta(days=1)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> timedelta | None:
    """Retry-After as seconds (`120`) or an HTTP date; None when absent or unreadable; capped at one day."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(timedelta(seconds=int(text)), _MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delay = when - (now or clock.now())
    return min(max(delay, timedelta(0)), _MAX_RETRY_AFTER)


def _seconds(value: float) -> str:
    """`20 s`, `0.5 s`: a timeout as people read it."""
    return f"{value:g} s"


def http_status_error(status: int, reason: str, retry_after_header: str | None = None) -> FetchError:
    """An error for a non-success HTTP status, with Retry-After honoured for 429 and 503."""
    phrase = reason.strip() or _standard_phrase(status)
    if status == 410:
        return FetchError("gone: the publisher removed this feed (HTTP 410)", status=status, gone=True)
    if status == 404:
        return FetchError("not found (HTTP 404): check the feed URL", status=status)
    if status in (429, 503):
        retry_after = parse_retry_after(retry_after_header)
        wait = f"; retry after {int(retry_after.total_seconds())} s" if retry_after is not None else ""
        return FetchError(f"HTTP {status} {phrase}{wait}", status=status, retry_after=retry_after)
    return FetchError(f"HTTP {status} {phrase}".rstrip(), status=status)


def _standard_phrase(status: int) -> str:
    """The standard reason phrase of a status code, or an empty string for unknown codes."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def total_timeout_error(seconds: float) -> FetchError:
    """The whole fetch (connection, headers and body) took longer than allowed."""
    return FetchError(f"timed out after {_seconds(seconds)} (whole fetch)")


def body_too_large(limit: int) -> FetchError:
    """The body is larger than `max_body_bytes`."""
    return FetchError(f"body too large: more than {limit:,} bytes")


def decompression_bomb(compressed: int, limit: int) -> FetchError:
    """A small compressed body that expands past the limit."""
    return FetchError(f"decompression bomb: {compressed:,} compressed bytes expand past {limit:,} bytes")


def too_many_redirects(limit: int) -> FetchError:
    """A redirect chain longer than we follow."""
    return FetchError(f"too many redirects (more than {limit})")


def redirect_loop(url: str) -> FetchError:
    """A redirect chain that comes back to a URL it already visited."""
    return FetchError(f"redirect loop: {mask_url_secrets(url)} redirects back to itself")


def empty_body(status: int) -> FetchError:
    """A success status with nothing in it."""
    return FetchError(f"empty response (HTTP {status} with no body)", status=status)


def bad_url(url: str, reason: str) -> FetchError:
    """A URL that cannot be requested at all."""
    return FetchError(f"invalid URL {mask_url_secrets(url)!r}: {mask_secrets_in(reason)}")


def bad_redirect(reason: str) -> FetchError:
    """A redirect whose Location cannot be followed (`javascript:`, `mailto:`, a port past 65535)."""
    return FetchError(f"redirect to {reason}")


def address_blocked(host: str, address: str) -> FetchError:
    """A URL found in content (or a redirect to another host) that leads to an internal address."""
    return FetchError(
        f"blocked: {host} resolves to {address}, an internal address that links found in feeds and pages "
        "may not reach (list its network in fetch.allowed_networks to allow it)"
    )


def unexpected_error(exc: BaseException) -> FetchError:
    """Any other fault in a source's poll, in a line: its kind and the start of its text."""
    detail = mask_secrets_in(" ".join(str(exc).split()))
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return FetchError(f"unexpected error: {exc.__class__.__name__}" + (f": {detail}" if detail else ""))


def transport_error(exc: httpx.HTTPError, timeouts: httpx.Timeout) -> FetchError:
    """A failure below HTTP: timeouts, DNS, refused or reset connections, TLS."""
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(f"timed out after {_seconds(timeouts.connect or 0)} (connecting)")
    if isinstance(exc, httpx.ReadTimeout):
        return FetchError(f"timed out after {_seconds(timeouts.read or 0)} (waiting for data)")
    if isinstance(exc, httpx.WriteTimeout | httpx.PoolTimeout):
        return FetchError("timed out (sending the request)")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(_connect_message(exc))
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError("connection closed by the server before the response was complete")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return FetchError("connection reset by the server")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError(f"unsupported URL: {exc}")
    if isinstance(exc, httpx.DecodingError):
        return FetchError("the server sent a body that cannot be decompressed")
    return FetchError(f"network error: {exc.__class__.__name__}")


def _connect_message(exc: httpx.ConnectError) -> str:
    """DNS failure, refused connection or TLS problem, told apart from the underlying cause."""
    cause: BaseException | None = exc
    text = str(exc).lower()
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate error: {cause.verify_message or 'verification failed'}"
        if isinstance(cause, ssl.SSLError):
            return "TLS error: the secure connection could not be established"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "DNS error: the host name does not resolve"
    if "refused" in text:
        return "connection refused"
    if "ssl" in text or "certificate" in text:
        return "TLS error: the secure connection could not be established"
    return "could not connect to the server"
