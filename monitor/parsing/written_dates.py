"""Dates as people write them on listing pages: `12 mars 2024`, `3. März 2024`, `вчера, 14:30`, `2 hours ago`.

Machine dates (ISO 8601, RFC 2822, `31.12.2023`) are read before this, by monitor.parsing.page_metadata
and html_source; what is left goes to dateparser, restricted to the item's language when known (it reads
200 languages, and trying them all takes it up to seconds a date) and else to the languages our sources
publish in. Relative dates (yesterday, 2 hours ago) count from `now` (monitor.clock.now() by default),
never from the machine's date. A time without a zone is taken as UTC, as everywhere in monitor.

Measured on the table of tests/parsing/test_written_dates.py: htmldate reads the absolute dates but no
relative one (`вчера, 14:30`, `gestern, 14:30 Uhr`) and misreads `Опубликовано 5 мая 2024` as 1 January;
dateparser reads them all when given the language and the text from the date's first word on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import dateparser

from monitor.parsing.language import normalize_language

MAX_DATE_CHARS = 100
FALLBACK_LANGUAGES = ("en", "fr", "de", "ru", "uk")
_FIRST_DIGIT = re.compile(r"\d")


def parse_written_date(text: str, language: str | None, now: datetime) -> datetime | None:
    """The date (aware, UTC) a short text gives, in `language` if known; None when it holds none."""
    text = " ".join(text.split())[:MAX_DATE_CHARS]
    if not text:
        return None
    code = normalize_language(language)
    languages = [code] if code else list(FALLBACK_LANGUAGES)
    settings = {
        "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }
    for candidate in _candidates(text):
        try:
            parsed = dateparser.parse(candidate, languages=languages, settings=settings)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            parsed = None
        if parsed is not None:
            return parsed.astimezone(UTC)
    return None


def _candidates(text: str) -> list[str]:
    """The text, then the text from each word on (a label such as `Mis à jour le` or `Stand:` comes
    first), longest first, then from the first digit: at most a dozen tries."""
    words = text.split(" ")
    tails = [" ".join(words[start:]) for start in range(1, min(len(words), 12))]
    digit = _FIRST_DIGIT.search(text)
    last = [text[digit.start() :]] if digit and digit.start() and text[digit.start() :] not in tails else []
    return [text, *tails, *last]
