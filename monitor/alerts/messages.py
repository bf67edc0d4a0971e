"""The text of an alert: plain, size-capped, and safe with hostile article text.

Article fields are cleaned of control and bidirectional-override characters and sent as plain text
(Apprise escapes it for services that render HTML or Markdown, the dispatcher escapes titles those services
show apart), so nothing an article contains is rendered as markup; mentions that would notify a whole chat
room (`@everyone`, `@here`, `@channel`, `@all`) get a zero-width space after the `@`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from monitor.storage.hits import HitRecord

MAX_TITLE_CHARS = 250
MAX_SNIPPET_CHARS = 1_000
MAX_BODY_CHARS = 4_000
MAX_LINK_CHARS = 2_000
_SPACES = re.compile(r"[^\S\n]+")
_MENTION = re.compile(r"@(?=(?:everyone|here|channel|all)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class AlertMessage:
    """What Apprise sends: a one-line title and a plain-text body."""

    title: str
    body: str


def format_alert(hit: HitRecord, rules: Sequence[str] = ()) -> AlertMessage:
    """The alert for one hit: its title (the article's title), and a body of source, link, the rule (every
    rule of `rules` when the article matched several routed to the channel), the words found and the
    snippet."""
    title = one_line(hit.title, MAX_TITLE_CHARS) or "(untitled)"
    rule = one_line(", ".join(rules or (hit.rule,)), 500)
    label = "Rules" if len(rules) > 1 else "Rule"
    matched = hit.found or hit.terms  # the words as the article writes them; the rule's for older hits
    lines = [  # the article's title is the alert's title: not repeated here
        f"Source: {one_line(hit.source, 200)}{_published(hit.published)}",
        f"Link: {safe_link(hit.url) or '(none)'}",
        f"{label}: {rule} — matched: {one_line(', '.join(matched), 500) or '(none)'}",
    ]
    snippet = clean_text(hit.snippet, MAX_SNIPPET_CHARS)
    if snippet:
        lines += ["", snippet]
    body = "\n".join(lines)
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 1] + "…"
    title = one_line(f"[{rule}] {title}", MAX_TITLE_CHARS)
    return AlertMessage(title=without_mentions(title), body=without_mentions(body))


def without_mentions(text: str) -> str:
    """`text` with `@everyone`, `@here`, `@channel` and `@all` broken by a zero-width space (chat services
    would otherwise notify every member of the room)."""
    return _MENTION.sub("@\u200b", text)


def clean_text(text: str, limit: int) -> str:
    """Text without control, format (bidi, zero-width) or unassigned characters, spaces collapsed, capped."""
    kept = "".join(char for char in text or "" if char.isspace() or _printable(char))
    cleaned = "\n".join(_SPACES.sub(" ", line).strip() for line in kept.split("\n"))
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int) -> str:
    """`clean_text` on a single line."""
    return clean_text((text or "").replace("\n", " "), limit)


def safe_link(url: str | None) -> str | None:
    """The article's URL if it is a plain http(s) link, else None (no `javascript:` or `data:` links)."""
    if not url:
        return None
    link = one_line(url, MAX_LINK_CHARS)
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    return link if parts.scheme in ("http", "https") and parts.netloc and " " not in link else None


def _published(when: datetime | None) -> str:
    return f" · published {when:%Y-%m-%d %H:%M} UTC" if when else ""


def _printable(char: str) -> bool:
    return unicodedata.category(char)[0] != "C"
