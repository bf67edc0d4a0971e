"""Apprise URLs are secrets: validate them quietly, show them only in Apprise's private form, and scrub
them out of error texts, logs and the configuration lines shown under a problem."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlsplit

MIN_SECRET_CHARS = 4
HIDDEN = "****"
_LONG_SEGMENT = 12
_TOPIC_SCHEMES = frozenset({"ntfy", "ntfys"})
"""Services whose path is a secret though it may be a plain word: whoever knows an ntfy topic reads it."""
_LOGGERS_TO_SCRUB = ("apprise", "urllib3.connectionpool", "requests")
_URL_IN_TEXT = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*)://[^\s'\"]+")
_REFERENCE = re.compile(r"\$\{[^}]*\}")


def is_valid_apprise_url(url: str) -> bool:
    """Whether Apprise understands `url` (without Apprise logging it, tokens included, when it does not)."""
    import apprise  # here, not at the top: reading settings.yaml (every command) masks with this module

    with _apprise_quiet():
        return apprise.Apprise.instantiate(url) is not None


def mask_url(url: str) -> str:
    """Apprise's private rendering without the query (`tgram://1...Z/987654`), else `scheme://***`, or
    `***` for text without a scheme.

    Long path segments holding digits (webhook tokens that Apprise shows in clear) are shortened too.
    """
    import apprise

    with _apprise_quiet():
        plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        scheme = _scheme(url)
        return f"{scheme}://***" if scheme else "***"
    private = str(plugin.url(privacy=True)).split("?", 1)[0]
    head, _, path = private.partition("://")
    parts = path.split("/")
    topic = head.lower() in _TOPIC_SCHEMES
    return f"{head}://" + "/".join([parts[0], *(_shorten(part, topic) for part in parts[1:])])


def mask_urls_in(text: str) -> str:
    """Every `scheme://…` in a line of text starred out, its length and `${VAR}` references kept, so that
    a caret under the line still points at the right column."""
    return _URL_IN_TEXT.sub(_star_url, text)


def _star_url(match: re.Match[str]) -> str:
    head = f"{match.group(1)}://"
    rest = match.group(0)[len(head) :]
    starred, position = [], 0
    for reference in _REFERENCE.finditer(rest):
        starred += ["*" * (reference.start() - position), reference.group(0)]
        position = reference.end()
    starred.append("*" * (len(rest) - position))
    return head + "".join(starred)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret URL replaced by its masked form and each of its token parts by `****`."""
    return Redactor(secrets)(text)


class Redactor:
    """`redact` with the masked forms worked out once, for use on many texts (and inside logging)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        urls = sorted({url for url in secrets if url}, key=len, reverse=True)
        self._rules = [(url, masked, secret_parts(url, masked)) for url in urls for masked in [mask_url(url)]]

    def __call__(self, text: str) -> str:
        for url, masked, parts in self._rules:
            for spelling in {url, unquote(url)}:
                text = text.replace(spelling, masked)
            for part in parts:
                text = text.replace(part, HIDDEN)
        return text


def secret_parts(url: str, masked: str | None = None) -> list[str]:
    """The pieces of `url` (user, password, host, path segments, query values) its masked form hides."""
    masked = unquote(masked if masked is not None else mask_url(url))
    try:
        split = urlsplit(url)
    except ValueError:
        return []
    candidates = [*re.split(r"[@:]", split.netloc), *split.path.split("/")]
    candidates += [value for _key, value in parse_qsl(split.query, keep_blank_values=False)]
    parts = {unquote(part) for part in candidates} | {part for part in candidates}
    secret = {part for part in parts if len(part) >= MIN_SECRET_CHARS and part not in masked}
    return sorted(secret, key=len, reverse=True)


class RedactingFilter(logging.Filter):
    """Rewrites log records so that none of `secrets` (or their token parts) reaches a handler."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.redactor = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def redacted_logs(secrets: Iterable[str]) -> Iterator[None]:
    """While inside, Apprise's and its HTTP stack's log records are scrubbed of `secrets`."""
    scrubber = RedactingFilter(secrets)
    loggers = [logging.getLogger(name) for name in _LOGGERS_TO_SCRUB]
    for logger in loggers:
        logger.addFilter(scrubber)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrubber)


class _OtherThreads(logging.Filter):
    """Drops the records of the current thread (Apprise logs a URL it rejects in full)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


@contextmanager
def _apprise_quiet() -> Iterator[None]:
    quiet = _OtherThreads()
    logger = logging.getLogger("apprise")
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _shorten(segment: str, secret: bool = False) -> str:
    if (secret and len(segment) >= MIN_SECRET_CHARS) or (
        len(segment) >= _LONG_SEGMENT and any(char.isdigit() for char in segment)
    ):
        return f"{segment[0]}...{segment[-1]}"
    return segment


def _scheme(url: str) -> str | None:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return scheme if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,31}", scheme) else None
