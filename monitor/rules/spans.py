"""Character spans of an article's words, found only as far as a match needs them.

In a field whose words are its plain `\\w+` matches, word i is the k-th standalone occurrence of that
word, k its count among the words before it: a few str.find calls. In another field without apostrophes
every regex match is one word, so reaching word i means skipping i matches at C speed; asking in
increasing order (as highlights do) reads the field at most once. A field with apostrophes (whose halves
may be dropped) has all its offsets computed at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from re import Match

from monitor.rules.tokens import PLAIN_WORD, Offsets, offsets, raw_words, word_pattern


class Spans:
    """Spans of the words of one field (at most `limit` characters of `text`), by word index; `words` are
    its raw words (raw_words of the same text and limit) when the caller has them already."""

    def __init__(self, text: str, limit: int, words: list[str] | None = None) -> None:
        self._text, self._limit = text, limit
        self._source = text[:limit]
        self._pattern, self._simple = word_pattern(self._source)
        self._words = words
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
        if known is None and self._pattern is PLAIN_WORD:
            known = self._known[index] = self._standalone(index)
        if known is None:
            if self._matches is None or index < self._next:
                self._matches, self._next = self._pattern.finditer(self._source), 0
            match = next(islice(self._matches, index - self._next, None), None)
            if match is None:
                raise IndexError(f"no word {index} in the analysed text")
            self._next = index + 1
            known = self._known[index] = match.span()
        return known

    def _standalone(self, index: int) -> tuple[int, int]:
        """The span of word `index` of a field whose words are its `\\w+` matches: the k-th occurrence of the
        word with no word character (no _ here: an alphanumeric one) on either side, k its count before."""
        if self._words is None:
            self._words = raw_words(self._text, self._limit)[0]
        if index >= len(self._words):
            raise IndexError(f"no word {index} in the analysed text")
        word, source = self._words[index], self._source
        skip = self._words[:index].count(word)
        start = -1
        while True:
            start = source.find(word, start + 1)
            if start < 0:
                raise IndexError(f"word {index} is not in the analysed text")
            end = start + len(word)
            if (start == 0 or not source[start - 1].isalnum()) and not source[end : end + 1].isalnum():
                if not skip:
                    return start, end
                skip -= 1
