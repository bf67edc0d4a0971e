"""From the marks of a match to what users see: terms, highlights with character offsets, a snippet."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from operator import itemgetter

from monitor.rules.document import AnalysedDocument
from monitor.rules.evaluate import Mark
from monitor.rules.model import Highlight, RuleMatch

SNIPPET_CHARS = 200
SNIPPET_BEFORE = 60
MAX_HIGHLIGHTS = 100
MAX_HIGHLIGHTS_PER_TERM = 20
_SPACES = re.compile(r"\s+")


def build_match(rule: str, marks: Iterable[Mark], document: AnalysedDocument) -> RuleMatch:
    """The RuleMatch of a rule that matched with these marks."""
    chosen = _chosen_marks(marks)
    highlights = _highlights(chosen, document)
    terms = tuple(dict.fromkeys(label for label, _ in sorted(chosen, key=itemgetter(1))))
    return RuleMatch(rule, terms, highlights, snippet(highlights, document))


def _chosen_marks(marks: Iterable[Mark]) -> list[tuple[str, tuple[int, int]]]:
    """The marks worth showing: each span once (under the first term that marked it), and of each term
    only its first MAX_HIGHLIGHTS_PER_TERM spans, so that a word repeated thousands of times costs no
    more than a few lookups and leaves room for the other terms. Linear in the number of marks."""
    labels: dict[tuple[int, int], str] = {}
    for label, first, last in marks:
        labels.setdefault((first, last), label)
    by_term: dict[str, list[tuple[int, int]]] = {}
    for where, label in labels.items():
        by_term.setdefault(label, []).append(where)
    return [
        (label, where)
        for label, spans in by_term.items()
        for where in heapq.nsmallest(MAX_HIGHLIGHTS_PER_TERM, spans)
    ]


def _highlights(
    chosen: list[tuple[str, tuple[int, int]]], document: AnalysedDocument
) -> tuple[Highlight, ...]:
    """One highlight per chosen span (a phrase is one span), title first, in text order (positions of the
    title come first, and spans are located in increasing order: each field is read at most once)."""
    ordered = sorted(chosen, key=itemgetter(1))[:MAX_HIGHLIGHTS]
    return tuple(Highlight(label, *document.span(first, last)) for label, (first, last) in ordered)


MARK_START, MARK_END = "\x02", "\x03"
"""Around each matched word of a snippet: control characters (start and end of text) that
`monitor.sanitize` removes from every article, so that they never occur in one (« », used before, are
Russian and French quotes). Plain text drops them (`unmarked`); the desk shows the words marked."""


def unmarked(snippet: str) -> str:
    """A snippet as plain text: without its marks."""
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def snippet(highlights: tuple[Highlight, ...], document: AnalysedDocument) -> str:
    """About 200 characters around the first match (in the text if any, else the title), each matched
    word between MARK_START and MARK_END."""
    in_text = [h for h in highlights if h.field == "text"]
    chosen = in_text or [h for h in highlights if h.field == "title"]
    source = document.document.text if in_text else document.document.title
    if not chosen:
        return _SPACES.sub(" ", source[:SNIPPET_CHARS]).strip()
    start = _word_start(source, max(0, chosen[0].start - SNIPPET_BEFORE), chosen[0].start)
    end = max(min(len(source), start + SNIPPET_CHARS), chosen[0].end)
    end = _word_end(source, end, len(source))
    pieces, cursor = [], start
    for h in chosen:
        if h.start < cursor or h.end > end:
            continue
        pieces += [source[cursor : h.start], MARK_START, source[h.start : h.end], MARK_END]
        cursor = h.end
    pieces.append(source[cursor:end])
    body = _SPACES.sub(" ", "".join(pieces)).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(source) else "")


def _word_start(source: str, start: int, limit: int) -> int:
    """Move a window start forward to the beginning of a word (not past `limit`)."""
    if start == 0:
        return 0
    space = source.find(" ", start, limit)
    return start if space < 0 else space + 1


def _word_end(source: str, end: int, size: int) -> int:
    """Move a window end back to the end of a word when it cuts one."""
    if end >= size:
        return size
    space = source.rfind(" ", end - 40, end)
    return end if space < 0 else space
