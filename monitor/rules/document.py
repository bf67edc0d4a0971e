"""An article analysed once for every rule: word positions by stem, by prefix and by cross-script key.

Positions of the title count from 0 and positions of the text from TEXT_BASE, so that no phrase or NEAR
ever spans the two fields. Hostile input is capped: MAX_TITLE_CHARS and MAX_TEXT_CHARS characters are
analysed, words are cut at 64 characters.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from monitor.rules.analysis import Tokens, is_cyrillic, script, tokenize, words_of
from monitor.rules.model import Document
from monitor.rules.stemming import Stemmers, language_code, stem_language

TEXT_BASE = 1 << 30
MAX_TITLE_CHARS = 10_000
MAX_TEXT_CHARS = 1_000_000


class AnalysedDocument:
    """Tokens of title and text, and the indexes the evaluator and the pre-filter look words up in."""

    def __init__(self, document: Document, stemmers: Stemmers) -> None:
        self.document = document
        self.language = language_code(document.language)
        self.stemmers = stemmers
        self.title_words = words_of(document.title, MAX_TITLE_CHARS, stemmers.folded())
        self.text_words = words_of(document.text, MAX_TEXT_CHARS, stemmers.folded())
        self._tokens: dict[str, Tokens] = {}
        self.positions = self._word_positions()
        self.words = sorted(self.positions)
        self.stems = self._stem_positions()
        self.keys = self._key_positions()

    def _word_positions(self) -> dict[str, list[int]]:
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for index, word in enumerate(self.title_words):
            positions[word].append(index)
        for index, word in enumerate(self.text_words, TEXT_BASE):
            positions[word].append(index)
        return dict(positions)

    def _stem_positions(self) -> dict[str, list[int]]:
        """Positions by stem in the article's language (by exact word where no stemmer applies)."""
        groups: defaultdict[str | None, list[str]] = defaultdict(list)
        if self.language is not None:
            groups[stem_language(self.language, "latin")] = self.words
        else:
            for word in self.words:
                groups[stem_language(None, script(word))].append(word)
        stems: dict[str, list[int]] = {}
        for code, words in groups.items():
            for word, stem in zip(words, self.stemmers.stem_many(code, words), strict=True):
                found = stems.get(stem)
                stems[stem] = self.positions[word] if found is None else sorted(found + self.positions[word])
        return stems

    def _key_positions(self) -> dict[str, list[int]]:
        """Positions of Cyrillic words by transliteration key, of the word and of its Russian stem."""
        cyrillic = [word for word in self.words if is_cyrillic(word)]
        if not cyrillic:
            return {}
        keys: dict[str, list[int]] = {}
        for word, pair in zip(cyrillic, self.stemmers.name_keys(cyrillic), strict=True):
            for key in set(pair):
                found = keys.get(key)
                keys[key] = self.positions[word] if found is None else sorted(found + self.positions[word])
        return keys

    def word_positions(self, word: str, keys: tuple[str, ...]) -> list[int]:
        """Where a folded rule word occurs: same stem in this article's language, or same name key."""
        found = self.stems.get(self.stemmers.word_stem(self.language, word), [])
        for key in keys:
            more = self.keys.get(key)
            if more:
                found = sorted(set(found).union(more))
        return found

    def prefix_positions(self, prefix: str) -> list[int]:
        """Where a word starting with `prefix` occurs."""
        found: list[int] = []
        index = bisect_left(self.words, prefix)
        while index < len(self.words) and self.words[index].startswith(prefix):
            found.extend(self.positions[self.words[index]])
            index += 1
        return sorted(found)

    def tokens(self, field: str) -> Tokens:
        """Words of a field with their character offsets (computed on first use: only matches need them)."""
        tokens = self._tokens.get(field)
        if tokens is None:
            text, limit = (
                (self.document.title, MAX_TITLE_CHARS)
                if field == "title"
                else (self.document.text, MAX_TEXT_CHARS)
            )
            tokens = self._tokens[field] = tokenize(text, limit, self.stemmers.folded())
        return tokens

    def locate(self, position: int) -> tuple[str, Tokens, int]:
        """Field name, its tokens and the index in them, for a position."""
        if position >= TEXT_BASE:
            return "text", self.tokens("text"), position - TEXT_BASE
        return "title", self.tokens("title"), position
