"""What a digest template sees: the digest's hits grouped by rule, then by story, cleaned and escaped.

count                  how many hits the digest holds
rules                  [{rule, stories}], in the order rules first appear
  stories              [{title, source, language, link, sources, languages, snippet, matched, hits}]
                       one per story (or per article without a story): its first hit's article, the
                       story's reach (distinct sources, languages) and how many of the digest's hits
                       it holds
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.alerts.messages import MAX_TITLE_CHARS, PLAIN, AlertMessage, alert_context, finished, one_line
from monitor.alerts.rendering import render
from monitor.alerts.styles import Format, MessageStyle
from monitor.storage.hits import HitRecord
from monitor.storage.stories import StoryReach

MAX_DIGEST_ITEMS = 200
"""Stories listed in one digest at most; the count says how many hits it holds in all."""
MAX_DIGEST_CHARS = 16_000


@dataclass(frozen=True)
class DigestEntry:
    """One hit of a digest, the rule it is listed under and its story's reach (None: no story)."""

    rule: str
    hit: HitRecord
    story: StoryReach | None = None


def format_digest(entries: Sequence[DigestEntry], style: MessageStyle = PLAIN) -> AlertMessage:
    """The digest of these hits in the channel's style (its templates, else the default of its format)."""
    rendered = render("digest", digest_context(entries, style.format), style)
    return finished(rendered.title, rendered.body, style.format, MAX_DIGEST_CHARS)


def digest_context(entries: Sequence[DigestEntry], style: Format) -> dict[str, Any]:
    """The values a digest template sees (see the module's docstring)."""
    groups: dict[str, dict[object, dict[str, Any]]] = {}
    listed = 0
    for entry in entries:
        stories = groups.setdefault(entry.rule, {})
        key: object = entry.story.story_id if entry.story is not None else ("article", entry.hit.article_id)
        if key in stories:
            _add(stories[key], entry)
        elif listed < MAX_DIGEST_ITEMS:
            stories[key] = _item(entry, style)
            listed += 1
    for stories in groups.values():
        for item in stories.values():
            del item["_sources"]  # bookkeeping, not for templates
    return {
        "count": len(entries),
        "rules": [
            {"rule": one_line(rule, 200), "stories": list(stories.values())}
            for rule, stories in groups.items()
            if stories
        ],
        "format": style,
    }


def _item(entry: DigestEntry, style: Format) -> dict[str, Any]:
    values = alert_context(entry.hit, (entry.rule,), style)
    sources = {entry.hit.source}
    languages = {entry.hit.language} if entry.hit.language else set()
    if entry.story is not None:
        languages |= set(entry.story.languages)
    return {
        "title": values["title"],
        "source": values["source"],
        "language": values["language"],
        "link": values["link"],
        "snippet": values["snippet"],
        "matched": values["matched"],
        "sources": max(len(sources), entry.story.sources if entry.story else 0),
        "languages": sorted(languages),
        "hits": 1,
        "_sources": sources,
    }


def _add(item: dict[str, Any], entry: DigestEntry) -> None:
    """Count another hit of a story already listed (its sources and languages too)."""
    item["hits"] += 1
    item["_sources"].add(entry.hit.source)
    item["sources"] = max(item["sources"], len(item["_sources"]))
    if entry.hit.language and entry.hit.language not in item["languages"]:
        item["languages"] = sorted([*item["languages"], entry.hit.language])


def sample_digest() -> list[DigestEntry]:
    """A small digest to try templates on: two rules, a story of two outlets, an article alone."""
    when = datetime(2026, 1, 1, tzinfo=UTC)

    def hit(article: int, source: str, language: str) -> HitRecord:
        title = one_line(f"Sample title {article}", MAX_TITLE_CHARS)
        return HitRecord(
            article, "sample-rule", title, f"https://example.org/{article}", source, when, when,
            ("sample",), "a \x02sample\x03 snippet", article, ("sample",), language,
        )  # fmt: skip

    story = StoryReach(1, 2, ("en", "fr"))
    return [
        DigestEntry("sample-rule", hit(1, "Outlet A", "en"), story),
        DigestEntry("sample-rule", hit(2, "Outlet B", "fr"), story),
        DigestEntry("other-rule", hit(3, "Outlet C", "de")),
    ]
