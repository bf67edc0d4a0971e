"""Apprise URLs are secrets (tokens, passwords): validate them with Apprise and only ever show them masked."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import apprise

_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*)://[^\s'\"]+")
_REFERENCE = re.compile(r"\$\{[^}]*\}")


class _ThisThread(logging.Filter):
    """Drops the records of one thread: Apprise logs rejected URLs in full, tokens included."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


@contextmanager
def _apprise_silenced() -> Iterator[None]:
    logger = logging.getLogger("apprise")
    quiet = _ThisThread()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def is_valid_apprise_url(url: str) -> bool:
    """Whether Apprise understands `url` (without logging it)."""
    with _apprise_silenced():
        return apprise.Apprise.instantiate(url) is not None


def mask_url(url: str) -> str:
    """Apprise's private form of a URL without its query (`tgram://1...T/987`), or `scheme://***`."""
    with _apprise_silenced():
        plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return _scheme_only(url)
    return str(plugin.url(privacy=True)).split("?", 1)[0]


def mask_urls_in(text: str) -> str:
    """Every `scheme://…` in a line of text starred out, length and `${VAR}` references kept (for carets)."""
    return _URL.sub(_star_url, text)


def _star_url(match: re.Match[str]) -> str:
    head = f"{match.group(1)}://"
    rest = match.group(0)[len(head) :]
    starred, position = [], 0
    for reference in _REFERENCE.finditer(rest):
        starred += ["*" * (reference.start() - position), reference.group(0)]
        position = reference.end()
    starred.append("*" * (len(rest) - position))
    return head + "".join(starred)


def _scheme_only(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    if separator and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return f"{scheme}://***"
    return "***"
