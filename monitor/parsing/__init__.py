"""Turning fetched bytes into clean feed entries.

`parse_feed(body, url=, content_type=, language_hint=) -> ParsedFeed` of `FeedEntry`; the helpers it is
built from (`html_to_text`, `canonicalize_url`, `detect_language`) serve the other stages too.
"""

from monitor.parsing.entries import FeedEntry, ParsedFeed
from monitor.parsing.feeds import parse_feed
from monitor.parsing.html_text import html_to_text
from monitor.parsing.language import detect_language, normalize_language
from monitor.parsing.urls import canonicalize_url

__all__ = [
    "FeedEntry",
    "ParsedFeed",
    "canonicalize_url",
    "detect_language",
    "html_to_text",
    "normalize_language",
    "parse_feed",
]
