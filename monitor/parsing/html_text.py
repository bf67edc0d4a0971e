"""HTML from feeds (hostile: scripts, tracking pixels, megabytes of markup) → clean, bounded plain text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag

MAX_HTML_CHARS = 2_000_000
"""Markup beyond this is not parsed: no feed summary needs more, and parsing time grows with it."""

DROPPED_TAGS = (
    "script", "style", "iframe", "noscript", "object", "embed", "svg", "math", "canvas", "template",
    "form", "button", "select", "textarea", "input", "audio", "video", "head", "title", "meta", "link",
)  # fmt: skip
BLOCK_TAGS = (
    "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "figure",
    "figcaption", "hr", "address", "details", "summary",
)  # fmt: skip
_DROPPED = frozenset(DROPPED_TAGS)
_BLOCKS = frozenset(BLOCK_TAGS)
_TEXT_NODES = (NavigableString, CData)
_MARKUP = re.compile(r"<[A-Za-z!/?]|&(?:#\d+|#x[0-9A-Fa-f]+|\w+);?")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def collapse_whitespace(text: str) -> str:
    """Runs of spaces to one space, runs of blank lines to one line break, no edge whitespace."""
    return _NEWLINES.sub("\n", _SPACES.sub(" ", text)).strip()


def html_to_text(html: str, max_chars: int = 200_000) -> str:
    """Readable text of an HTML fragment: one paragraph per line, entities decoded, at most `max_chars`."""
    if not _MARKUP.search(html):
        return collapse_whitespace(html)[:max_chars].rstrip()
    soup = BeautifulSoup(html[:MAX_HTML_CHARS], "lxml")
    text = unescape("".join(_text_pieces(soup)))  # entities left double-escaped by publishers (&amp;eacute;)
    return collapse_whitespace(text)[:max_chars].rstrip()


def _text_pieces(root: Tag) -> Iterator[str]:
    """The text nodes of `root` in document order, with line breaks around blocks, skipping dropped tags.

    A walk with an explicit stack: hostile markup nested ten thousand deep must not hit the recursion limit.
    """
    stack: list[PageElement | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in _TEXT_NODES:
                yield str(node)
        elif isinstance(node, str):
            yield node
        elif isinstance(node, Tag) and node.name not in _DROPPED:
            if node.name == "br":
                yield "\n"
                continue
            block = node.name in _BLOCKS
            if block:
                yield "\n"
                stack.append("\n")
            stack.extend(reversed(node.contents))
