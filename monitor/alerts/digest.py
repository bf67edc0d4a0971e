"""A digest as data: held alerts grouped by rule, then by story, ready for any rendering.

The model carries cleaned, size-capped values and the snippet split into marked and unmarked runs (the words
the rule matched); it knows nothing of text, Markdown or HTML. `monitor.alerts.digest_context` renders it
in the channel's format and templates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.alerts.messages import MAX_SNIPPET_CHARS, MAX_TITLE_CHARS, clean_text, one_line, safe_link
from monitor.storage.deliveries import HeldItem

MAX_MARKED_WORDS = 50
REASONS = {
    "digest": "digest",
    "quiet_hours": "held during quiet hours",
    "max_per_hour": "past the channel's max_per_hour",
}


@dataclass(frozen=True)
class Run:
    """A piece of a snippet; `marked` when it is a word the rule matched."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class DigestArticle:
    """One article of a story, as a digest shows it."""

    article_id: int
    title: str
    source: str
    language: str | None
    url: str | None
    """A plain http(s) link, or None."""
    published: datetime | None
    matched: tuple[str, ...]
    snippet: tuple[Run, ...]


@dataclass(frozen=True)
class DigestStory:
    """A story in a rule's section: its first article and the others held with it. `alerted_before`: every
    article here is a later report of a story whose alert went out earlier."""

    story: int | None
    first: DigestArticle
    others: tuple[DigestArticle, ...]
    alerted_before: bool

    @property
    def key(self) -> int | tuple[str, int]:
        """The same for the same story in several sections."""
        return self.story if self.story is not None else ("article", self.first.article_id)

    @property
    def sources(self) -> int:
        """How many sources report it here."""
        return len({article.source for article in (self.first, *self.others)})

    @property
    def languages(self) -> tuple[str, ...]:
        return _languages((self.first, *self.others))

    @property
    def more(self) -> tuple[DigestArticle, ...]:
        """The reports beside the one already announced: the others, or all of them when the story's alert
        went out earlier."""
        return (self.first, *self.others) if self.alerted_before else self.others

    @property
    def more_sources(self) -> int:
        """How many more sources report it ("also reported by N more sources")."""
        shown = set() if self.alerted_before else {self.first.source}
        return len({article.source for article in self.more} - shown)

    @property
    def more_languages(self) -> tuple[str, ...]:
        return _languages(self.more)


@dataclass(frozen=True)
class DigestSection:
    """The stories of one rule, in the order they were held."""

    rule: str
    stories: tuple[DigestStory, ...]


@dataclass(frozen=True)
class Digest:
    """One digest message: the channel, why its alerts were held, and its sections (by rule name)."""

    channel: str
    reason: str
    created_at: datetime
    sections: tuple[DigestSection, ...]

    @property
    def stories(self) -> int:
        """How many different stories it lists (a story in several rules' sections counts once)."""
        return len({story.key for section in self.sections for story in section.stories})

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)


def build_digest(channel: str, reason: str, created_at: datetime, items: Sequence[HeldItem]) -> Digest:
    """The digest of these held alerts (oldest first): by rule, then story (an article without a story is
    a story of its own)."""
    by_rule: dict[str, dict[object, list[HeldItem]]] = {}
    for item in items:
        key = item.story if item.story is not None else ("article", item.hit.article_id)
        by_rule.setdefault(item.hit.rule, {}).setdefault(key, []).append(item)
    sections = []
    for rule in sorted(by_rule):
        stories = tuple(_story(group) for group in by_rule[rule].values())
        sections.append(DigestSection(one_line(rule, 200), stories))
    return Digest(one_line(channel, 200), reason, created_at, tuple(sections))


def _story(group: Sequence[HeldItem]) -> DigestStory:
    alerting = [item for item in group if item.kind == "alert"]
    first = alerting[0] if alerting else group[0]
    others = tuple(_article(item) for item in group if item is not first)
    return DigestStory(group[0].story, _article(first), others, alerted_before=not alerting)


def _article(item: HeldItem) -> DigestArticle:
    hit = item.hit
    matched = tuple(one_line(word, 100) for word in (hit.found or hit.terms)[:MAX_MARKED_WORDS])
    return DigestArticle(
        article_id=hit.article_id,
        title=one_line(hit.title, MAX_TITLE_CHARS) or "(untitled)",
        source=one_line(hit.source, 200),
        language=one_line(item.language, 35) or None if item.language else None,
        url=safe_link(hit.url),
        published=hit.published,
        matched=tuple(word for word in matched if word),
        snippet=marked_runs(clean_text(hit.snippet, MAX_SNIPPET_CHARS), matched),
    )


def marked_runs(text: str, words: Sequence[str]) -> tuple[Run, ...]:
    """`text` split into runs, the occurrences of `words` (whole words, any case) marked."""
    wanted = sorted({word for word in words if word.strip()}, key=len, reverse=True)
    if not text or not wanted:
        return (Run(text),) if text else ()
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(word) for word in wanted) + r")(?!\w)", re.IGNORECASE
    )
    runs: list[Run] = []
    position = 0
    for found in pattern.finditer(text):
        if found.start() > position:
            runs.append(Run(text[position : found.start()]))
        runs.append(Run(found.group(0), marked=True))
        position = found.end()
    if position < len(text):
        runs.append(Run(text[position:]))
    return tuple(runs)


def _languages(articles: Sequence[DigestArticle]) -> tuple[str, ...]:
    return tuple(sorted({article.language for article in articles if article.language}))
