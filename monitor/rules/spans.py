"""Character spans of an article's words, found only as far as a match needs them.

In a field whose words are its plain `\\w+` matches, word i is the k-th standalone occurrence of that
word after the nearest word already located before it, k its count among the words in between: a few
str.find calls. In another field without apostrophes every regex match is one word, so reaching word i
means skipping matches at C speed from that nearest located word. Either way, asking for words in
increasing order (as highlights do) reads the field at most once, whatever the number of words asked
for: the work is linear in the text. A field with apostrophes (whose halves may be dropped) has all its
offsets computed at once.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from itertools import islice

from monitor.rules.tokens import PLAIN_WORD, Offsets, offsets, raw_words, word_pattern


class Spans:
    """Spans of the words of one field (at most `limit` characters of `text`), by word index; `words` are
    its raw words (raw_words of the same text and limit) when the caller has them already. With `simple`
    False, words are folded words (CJK runs cut into bigrams), not raw matches."""

    def __init__(self, text: str, limit: int, words: list[str] | None = None, simple: bool = True) -> None:
        self._text, self._limit = text, limit
        self._source = text[:limit]
        self._pattern, self._simple = word_pattern(self._source)
        self._simple = self._simple and simple
        self._words = words
        self._all: Offsets | None = None
        self._known: dict[int, tuple[int, int]] = {}
        self._anchors: list[int] = []  # the indexes in _known, sorted: where a search resumes from

    def span(self, index: int) -> tuple[int, int]:
        """Start and end offsets of word `index` in the original text (IndexError past the last word)."""
        if not self._simple:
            if self._all is None:
                self._all = offsets(self._text, self._limit)
            return self._all.starts[index], self._all.ends[index]
        if index < 0:
            raise IndexError(f"no word {index} in the analysed text")
        known = self._known.get(index)
        if known is None:
            anchor = self._anchor(index)
            if self._pattern is PLAIN_WORD:
                known = self._standalone(index, anchor)
            else:
                known = self._matched(index, anchor)
            self._known[index] = known
            insort(self._anchors, index)
        return known

    def _anchor(self, index: int) -> tuple[int, int]:
        """The nearest located word before `index` and its end offset ((-1, 0) when there is none)."""
        position = bisect_right(self._anchors, index) - 1
        if position < 0:
            return -1, 0
        before = self._anchors[position]
        return before, self._known[before][1]

    def _matched(self, index: int, anchor: tuple[int, int]) -> tuple[int, int]:
        """The span of word `index` of a field whose words are its regex matches, skipping matches from the
        end of the anchor word (a match ends where a non-word character follows: matching resumes there)."""
        before, end = anchor
        matches = self._pattern.finditer(self._source, end)
        match = next(islice(matches, index - before - 1, None), None)
        if match is None:
            raise IndexError(f"no word {index} in the analysed text")
        return match.span()

    def _standalone(self, index: int, anchor: tuple[int, int]) -> tuple[int, int]:
        """The span of word `index` of a field whose words are its `\\w+` matches: the k-th occurrence of the
        word after the anchor with no word character (no _ here: an alphanumeric one) on either side, k its
        count between the anchor and `index`."""
        if self._words is None:
            self._words = raw_words(self._text, self._limit)[0]
        if index >= len(self._words):
            raise IndexError(f"no word {index} in the analysed text")
        before, start = anchor
        word, source = self._words[index], self._source
        skip = self._words[before + 1 : index].count(word)
        start -= 1
        while True:
            start = source.find(word, start + 1)
            if start < 0:
                raise IndexError(f"word {index} is not in the analysed text")
            end = start + len(word)
            if (start == 0 or not source[start - 1].isalnum()) and not source[end : end + 1].isalnum():
                if not skip:
                    return start, end
                skip -= 1
