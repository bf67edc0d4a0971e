"""The default rendering of a digest: plain text, size-capped, safe with hostile article text (the model's
values are cleaned already; mentions that would notify a whole room are broken here, as in alerts)."""

from __future__ import annotations

from monitor.alerts.digest import Digest, DigestArticle, DigestStory, Run
from monitor.alerts.messages import MAX_TITLE_CHARS, AlertMessage, one_line, without_mentions

MAX_DIGEST_CHARS = 16_000
MARK_OPEN, MARK_CLOSE = "«", "»"


def render_text(digest: Digest) -> AlertMessage:
    """The digest as one plain-text message: a title counting its stories, then each rule's stories with
    their title, sources, languages, first link and snippet (the matched words between « »)."""
    count = digest.stories
    left = sum(len(section.stories) for section in digest.sections)
    noun = "story" if count == 1 else "stories"
    title = one_line(f"[{digest.channel}] {count} {noun} ({digest.reason_text})", MAX_TITLE_CHARS)
    blocks: list[str] = []
    used = 0
    for section in digest.sections:
        header = f"== {section.rule} =="
        for story in section.stories:
            block = _story(story)
            if header:
                block = f"{header}\n\n{block}"
            if used + len(block) > MAX_DIGEST_CHARS - 200:
                blocks.append(
                    f"… and {left} more {'entry' if left == 1 else 'entries'}: see the desk's hit log."
                )
                return AlertMessage(without_mentions(title), without_mentions("\n\n".join(blocks)))
            blocks.append(block)
            header = ""
            used += len(block) + 2
            left -= 1
    return AlertMessage(without_mentions(title), without_mentions("\n\n".join(blocks)))


def _story(story: DigestStory) -> str:
    first = story.first
    lines = [f"* {first.title}" + (" (alerted earlier)" if story.alerted_before else "")]
    lines.append(f"  {_where(first)}")
    lines.append(f"  Link: {first.url or '(none)'}")
    if story.more_sources:
        languages = f" ({', '.join(story.more_languages)})" if story.more_languages else ""
        plural = "source" if story.more_sources == 1 else "sources"
        names = ", ".join(dict.fromkeys(article.source for article in story.more))
        lines.append(f"  Also reported by {story.more_sources} more {plural}{languages}: {names}")
    snippet = _marked(first.snippet)
    if snippet:
        lines.append("  " + snippet.replace("\n", "\n  "))
    return "\n".join(lines)


def _where(article: DigestArticle) -> str:
    language = f" ({article.language})" if article.language else ""
    published = f" · published {article.published:%Y-%m-%d %H:%M} UTC" if article.published else ""
    return f"Source: {article.source}{language}{published}"


def _marked(runs: tuple[Run, ...]) -> str:
    return "".join(f"{MARK_OPEN}{run.text}{MARK_CLOSE}" if run.marked else run.text for run in runs)
