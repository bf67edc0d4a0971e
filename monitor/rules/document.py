"""An article analysed once for every rule: its words, and positions of the words rules use.

Positions of the title count from 0 and positions of the text from TEXT_BASE, so that no phrase or NEAR
ever spans the two fields. Only the words some rule uses get positions, in one pass over the words the
first time a position is asked for; character offsets are computed only for fields that show a match.
Hostile input is capped: MAX_TITLE_CHARS and MAX_TEXT_CHARS characters are analysed, words are cut at 64
characters.
"""

from __future__ import annotations

from monitor.rules.model import Document
from monitor.rules.presearch import LanguageIndex
from monitor.rules.spans import Spans
from monitor.rules.stemming import Stemmers, language_code
from monitor.rules.syntax import Unit
from monitor.rules.tokens import folded_words, raw_words

TEXT_BASE = 1 << 30
MAX_TITLE_CHARS = 10_000
MAX_TEXT_CHARS = 1_000_000


class AnalysedDocument:
    """Raw words of title and text, those some rule uses, and positions of these on demand."""

    def __init__(self, document: Document, stemmers: Stemmers, index: LanguageIndex) -> None:
        self.document = document
        self.language = language_code(document.language)
        self.stemmers = stemmers
        self.index = index
        self._fields = (raw_words(document.title, MAX_TITLE_CHARS), raw_words(document.text, MAX_TEXT_CHARS))
        self.scan = index.scan(set(self._fields[0][0]).union(self._fields[1][0]))
        self._positions: dict[str, list[int]] = {}
        self._sequences: list[tuple[list[str], dict[str, list[str]]]] | None = None
        self._spans: dict[str, Spans] = {}
        self._present: frozenset[str] | None = None

    @property
    def present_lookups(self) -> frozenset[str]:
        """Every lookup some word of the article is found under (a superset of those with positions)."""
        if self._present is None:
            entries = (entry.lookups for entry in self.scan.words.values())
            self._present = frozenset().union(*self.scan.raws.values(), *entries)
        return self._present

    def _occurrences(self, lookup: str) -> list[int]:
        """Sorted positions of the words found under a lookup (C-level scans of each field's words)."""
        if self._sequences is None:
            self._sequences = [self._sequence(field) for field in (0, 1)]
        found: list[int] = []
        for base, (sequence, keys) in zip((0, TEXT_BASE), self._sequences, strict=True):
            for key in keys.get(lookup, ()):
                position = -1
                for _ in range(sequence.count(key)):  # no ValueError raised (and caught) per key
                    position = sequence.index(key, position + 1)
                    found.append(base + position)
        return sorted(found)

    def _simple(self, field: int) -> bool:
        """Whether a field's positions are its raw matches' indexes: each match is one word (no CJK run of
        more than two characters, no apostrophe)."""
        raws, simple = self._fields[field]
        return simple and (not self.scan.several or self.scan.several.isdisjoint(raws))

    def _sequence(self, field: int) -> tuple[list[str], dict[str, list[str]]]:
        """A field's words as scanned (raw matches when each is one word, else folded words), and which of
        them each lookup finds."""
        raws, simple = self._fields[field][0], self._simple(field)
        table = self.scan.raws if simple else {word: entry.lookups for word, entry in self.scan.words.items()}
        keys: dict[str, list[str]] = {}
        for key, lookups in table.items():
            for lookup in lookups:
                keys.setdefault(lookup, []).append(key)
        return (raws if simple else folded_words(raws, self.stemmers.folded())), keys

    def unit_positions(self, unit: Unit) -> list[int]:
        """Where a rule word (same stem in this article's language, or same name key) or prefix occurs."""
        if not self.scan.raws:
            return []
        found = []
        for lookup in self.index.vocabulary.unit_lookups(unit):
            positions = self._positions.get(lookup)
            if positions is None:
                positions = self._positions[lookup] = self._occurrences(lookup)
            if positions:
                found.append(positions)
        if len(found) > 1:
            return sorted(set().union(*found))
        return found[0] if found else []

    def span(self, first: int, last: int) -> tuple[str, int, int]:
        """The field and the character offsets, in its original text, of the words from `first` to `last`."""
        if first >= TEXT_BASE:
            spans = self._spans.get("text") or self._spans.setdefault(
                "text", Spans(self.document.text, MAX_TEXT_CHARS, self._fields[1][0], self._simple(1))
            )
            return "text", spans.span(first - TEXT_BASE)[0], spans.span(last - TEXT_BASE)[1]
        spans = self._spans.get("title") or self._spans.setdefault(
            "title", Spans(self.document.title, MAX_TITLE_CHARS, self._fields[0][0], self._simple(0))
        )
        return "title", spans.span(first)[0], spans.span(last)[1]
