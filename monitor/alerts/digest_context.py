"""A digest in the channel's format and templates: the values its template sees, from the digest model
(`monitor.alerts.digest`), escaped for the format, and a size cap that says what it left out.

    channel, reason        the channel, and why its alerts were held ("digest", "held during quiet hours"…)
    count                  how many different stories it lists; `hits`: how many held alerts
    rules                  [{rule, stories}], by rule name
      stories              [{title, source, language, published, link, snippet, matched, sources,
                           languages, alerted_before, more_sources, more_languages, also}]: each story's
                           first article, its reach, and the other outlets that reported it ("also")
    left                   stories left out to keep the message under its cap (0 when none)
"""

from __future__ import annotations

from typing import Any

from monitor.alerts.digest import Digest, DigestStory, Run, build_digest
from monitor.alerts.messages import PLAIN, AlertMessage, finished, sample_hit
from monitor.alerts.rendering import Rendered, link, marked, render
from monitor.alerts.styles import Format, MessageStyle
from monitor.rules.results import MARK_END, MARK_START

MAX_DIGEST_CHARS = 16_000


def format_digest(digest: Digest, style: MessageStyle = PLAIN) -> AlertMessage:
    """The digest as one message in the channel's style; when it would pass MAX_DIGEST_CHARS, the last
    stories are left out (the default templates say how many) rather than cut mid-way: the most stories
    that fit, found by bisection (a digest holds at most a few hundred)."""
    total = sum(len(section.stories) for section in digest.sections)
    rendered = _rendered(digest, style, total)
    if len(rendered.body) > MAX_DIGEST_CHARS:
        fits, over = 0, total
        best = _rendered(digest, style, 0)
        while over - fits > 1:
            middle = (fits + over) // 2
            attempt = _rendered(digest, style, middle)
            if len(attempt.body) <= MAX_DIGEST_CHARS:
                fits, best = middle, attempt
            else:
                over = middle
        rendered = best
    return finished(rendered.title, rendered.body, style.format, MAX_DIGEST_CHARS)


def _rendered(digest: Digest, style: MessageStyle, shown: int) -> Rendered:
    return render("digest", digest_context(digest, style.format, limit=shown), style)


def digest_context(digest: Digest, style: Format, *, limit: int | None = None) -> dict[str, Any]:
    """The values a digest template sees (see the module's docstring), at most `limit` stories."""
    left = limit if limit is not None else sum(len(section.stories) for section in digest.sections)
    total, sections = 0, []
    for section in digest.sections:
        stories = [_story(story, style) for story in section.stories[: max(left, 0)]]
        left -= len(stories)
        total += len(section.stories)
        if stories:
            sections.append({"rule": section.rule, "stories": stories})
    shown = sum(len(section["stories"]) for section in sections)
    return {
        "channel": digest.channel,
        "reason": digest.reason_text,
        "count": digest.stories,
        "hits": sum(1 + len(story.others) for section in digest.sections for story in section.stories),
        "rules": sections,
        "left": total - shown,
        "format": style,
    }


def _story(story: DigestStory, style: Format) -> dict[str, Any]:
    first = story.first
    return {
        "title": first.title,
        "source": first.source,
        "language": first.language,
        "published": f"{first.published:%Y-%m-%d %H:%M} UTC" if first.published else None,
        "link": link(first.url, style),
        "snippet": marked(" ".join(_with_marks(first.snippet).split()), style),
        "matched": list(first.matched),
        "sources": story.sources,
        "languages": list(story.languages),
        "alerted_before": story.alerted_before,
        "more_sources": story.more_sources,
        "more_languages": list(story.more_languages),
        "also": list(dict.fromkeys(article.source for article in story.more)),
    }


def _with_marks(runs: tuple[Run, ...]) -> str:
    """The snippet's runs as one string, its matched words between MARK_START and MARK_END."""
    return "".join(f"{MARK_START}{run.text}{MARK_END}" if run.marked else run.text for run in runs)


def sample_digest() -> Digest:
    """A made-up digest, to try templates on: a story reported by two outlets, an article alone."""
    from monitor.storage.deliveries import HeldItem

    first = sample_hit()
    other = sample_hit(hit_id=2, article_id=2, source="Other source", language="fr")
    alone = sample_hit(hit_id=3, article_id=3, rule="other-rule", title="Another article", url=None)
    held = [HeldItem(first, "alert", "digest", 1, "en"), HeldItem(other, "also", "digest", 1, "fr")]
    held.append(HeldItem(alone, "alert", "digest", None, None))
    return build_digest("sample-channel", "digest", first.matched_at, held)
