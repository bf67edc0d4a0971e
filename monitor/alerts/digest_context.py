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
    that fit, found by interpolation between a count that fits and one that does not (a few tries, each
    stopped at the output cap)."""
    sections = _sections(digest, style.format)

    def attempt(shown: int) -> Rendered:
        return render("digest", _context(digest, sections, shown, style.format), style)

    over = sum(len(stories) for _, stories in sections)
    rendered = attempt(over)
    if len(rendered.body) > MAX_DIGEST_CHARS:
        fits, best, too_big = 0, attempt(0), len(rendered.body)
        while over - fits > 1:
            room = (MAX_DIGEST_CHARS - len(best.body)) / max(too_big - len(best.body), 1)
            middle = min(max(fits + int((over - fits) * room), fits + 1), over - 1)
            tried = attempt(middle)
            if len(tried.body) <= MAX_DIGEST_CHARS:
                fits, best = middle, tried
            else:
                over, too_big = middle, len(tried.body)
        rendered = best
    return finished(rendered.title, rendered.body, style.format, MAX_DIGEST_CHARS)


def digest_context(digest: Digest, style: Format, *, limit: int | None = None) -> dict[str, Any]:
    """The values a digest template sees (see the module's docstring), at most `limit` stories."""
    sections = _sections(digest, style)
    total = sum(len(stories) for _, stories in sections)
    return _context(digest, sections, total if limit is None else limit, style)


_Sections = list[tuple[str, list[dict[str, Any]]]]


def _sections(digest: Digest, style: Format) -> _Sections:
    return [
        (section.rule, [_story(story, style) for story in section.stories]) for section in digest.sections
    ]


def _context(digest: Digest, sections: _Sections, limit: int, style: Format) -> dict[str, Any]:
    left, shown = max(limit, 0), []
    for rule, stories in sections:
        if left > 0 and stories:
            shown.append({"rule": rule, "stories": stories[:left]})
            left -= len(shown[-1]["stories"])
    listed = sum(len(section["stories"]) for section in shown)
    return {
        "channel": digest.channel,
        "reason": digest.reason_text,
        "count": digest.stories,
        "hits": sum(1 + len(story.others) for section in digest.sections for story in section.stories),
        "rules": shown,
        "left": sum(len(stories) for _, stories in sections) - listed,
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
