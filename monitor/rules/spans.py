"""Character spans of an article's words, found only as far as a match needs them.

In a field without apostrophes every regex match is one word, so reaching word i means skipping i matches
at C speed; asking in increasing order (as highlights do) reads the field at most once. A field with
apostrophes (whose halves may be dropped) has all its offsets computed at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from re import Match

from monitor.rules.tokens import Offsets, offsets, word_pattern


class Spans:
    """Spans of the words of one field (at most `limit` characters of `text`), by word index."""

    def __init__(self, text: str, limit: int) -> None:
        self._text, self._limit = text, limit
        self._source = text[:limit]
        self._pattern, self._simple = word_pattern(self._source)
        self._all: Offsets | None = None
        self._matches: Iterator[Match[str]] | None = None
        self._next = 0  # the index of the word self._matches yields next
        self._known: dict[int, tuple[int, int]] = {}

    def span(self, index: int) -> tuple[int, int]:
        """Start and end offsets of word `index` in the original text (IndexError past the last word)."""
        if not self._simple:
            if self._all is None:
                self._all = offsets(self._text, self._limit)
            return self._all.starts[index], self._all.ends[index]
        known = self._known.get(index)
        if known is None:
            if self._matches is None or index < self._next:
                self._matches, self._next = self._pattern.finditer(self._source), 0
            match = next(islice(self._matches, index - self._next, None), None)
            if match is None:
                raise IndexError(f"no word {index} in the analysed text")
            self._next = index + 1
            known = self._known[index] = match.span()
        return known
