"""The text of an alert: size-capped, and safe with hostile article text.

Article fields are cleaned of control and bidirectional-override characters and handed to the channel's
template (`monitor.alerts.rendering`), which escapes them for its format: plain text is sent as text
(Apprise escapes it for services that render HTML or Markdown, the dispatcher escapes titles those services
show apart), Markdown and HTML are escaped as they are written, so nothing an article contains is rendered
as markup. Mentions that would notify a whole chat room (`@everyone`, `@here`, `@channel`, `@all`) get a
zero-width space after the `@`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.alerts.rendering import link, marked, render
from monitor.alerts.styles import Format, MessageStyle
from monitor.rules.results import MARK_END, MARK_START
from monitor.storage.hits import HitRecord
from monitor.storage.stories import StoryReach

MAX_TITLE_CHARS = 250
MAX_SNIPPET_CHARS = 1_000
MAX_BODY_CHARS = 4_000
MAX_LINK_CHARS = 2_000
_SPACES = re.compile(r"[^\S\n]+")
MARKS = MARK_START + MARK_END
PLAIN = MessageStyle()
_MENTION = re.compile(r"@(?=(?:everyone|here|channel|all)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class AlertMessage:
    """What Apprise sends: a one-line plain-text title and a body in `format` (text, markdown or html)."""

    title: str
    body: str
    format: Format = "text"


def format_alert(
    hit: HitRecord,
    rules: Sequence[str] = (),
    style: MessageStyle = PLAIN,
    *,
    story: StoryReach | None = None,
) -> AlertMessage:
    """The alert for one hit in the channel's `style`: by default its title (`[rules] the article's
    title`), and a body of source and language, link, the rules (every rule of `rules` when the article
    matched several routed to the channel), the words found, the story's reach and the snippet."""
    rendered = render("alert", alert_context(hit, rules, style.format, story=story), style)
    return finished(rendered.title, rendered.body, style.format)


def sample_hit(**changes: Any) -> HitRecord:
    """A made-up hit, to try templates on and to show what an alert looks like."""
    when = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "hit_id": 1, "rule": "sample-rule", "title": "Sample article title", "url": "https://example.org/a",
        "source": "Sample source", "published": when, "matched_at": when, "terms": ("sample",),
        "snippet": "… a \x02sample\x03 of the snippet, the matched words marked …", "article_id": 1,
        "found": ("sample",), "language": "en",
    }  # fmt: skip
    return HitRecord(**(values | changes))


def sample_alert(style: MessageStyle = PLAIN) -> AlertMessage:
    """A made-up alert in `style`: what the channel's alerts look like."""
    return format_alert(sample_hit(), ("sample-rule",), style, story=StoryReach(1, 3, ("en", "fr")))


def finished(title: str, body: str, style: Format, limit: int = MAX_BODY_CHARS) -> AlertMessage:
    """A rendered message made ready to send: a one-line capped title, a capped body, no room-wide
    mention in either."""
    title = one_line(title, MAX_TITLE_CHARS) or "(untitled)"
    body = body.strip()
    if len(body) > limit:
        cut = body.rfind("\n", 0, limit - 1)
        body = body[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"
    return AlertMessage(title=without_mentions(title), body=without_mentions(body), format=style)


def alert_context(
    hit: HitRecord, rules: Sequence[str], style: Format, *, story: StoryReach | None = None
) -> dict[str, Any]:
    """The values an alert template sees, cleaned of control characters and capped (see the README)."""
    matched = hit.found or hit.terms  # the words as the article writes them; the rule's for older hits
    reach = None
    if story is not None and story.sources > 1:
        reach = {"sources": story.sources, "languages": list(story.languages)}
    return {
        "title": one_line(hit.title, MAX_TITLE_CHARS) or "(untitled)",
        "rules": [one_line(rule, 200) for rule in (rules or (hit.rule,))],
        "source": one_line(hit.source, 200),
        "language": one_line(hit.language or "", 35) or None,
        "published": f"{hit.published:%Y-%m-%d %H:%M} UTC" if hit.published else None,
        "link": link(safe_link(hit.url), style),
        "matched": [one_line(word, 200) for word in matched][:50],
        "snippet": marked(clean_text(hit.snippet, MAX_SNIPPET_CHARS, keep=MARKS), style),
        "story": reach,
        "format": style,
    }


def without_mentions(text: str) -> str:
    """`text` with `@everyone`, `@here`, `@channel` and `@all` broken by a zero-width space (chat services
    would otherwise notify every member of the room)."""
    return _MENTION.sub("@\u200b", text)


def clean_text(text: str, limit: int, *, keep: str = "") -> str:
    """Text without control, format (bidi, zero-width) or unassigned characters (but those of `keep`),
    spaces collapsed, capped."""
    kept = "".join(char for char in text or "" if char.isspace() or char in keep or _printable(char))
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


def _printable(char: str) -> bool:
    return unicodedata.category(char)[0] != "C"
