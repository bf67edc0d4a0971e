"""Lookups: what rule words and article words meet under, in articles of one language.

A rule word is looked up under `s` + its stem in the article's language and `k` + each of its
cross-script keys; a rule prefix under `p` + the prefix. An article word has the same lookups where a rule
uses them: its stem, the keys of a Cyrillic word (of the word and of its Russian stem), and every rule
prefix it starts with. Article words are learnt in batches, mostly with C-level set operations, since most
of them concern no rule at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter

from monitor.rules.stemming import Stemmers, stem_language
from monitor.rules.syntax import Unit
from monitor.rules.translit import NameKeys

_CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")


class Vocabulary:
    """The stems, cross-script keys and prefixes the rules use, for articles of one language."""

    def __init__(self, language: str | None, units: Iterable[Unit], stemmers: Stemmers) -> None:
        self.language = language
        self._stemmers = stemmers
        units = list(units)
        words = sorted({unit.word for unit in units if not unit.prefix})
        self._stems = dict(zip(words, stemmers.word_stems(language, words), strict=True))
        self._used_stems = set(self._stems.values())
        self._names = NameKeys(unit_key for unit in units for unit_key in unit.keys)
        self._prefixes = {unit.word for unit in units if unit.prefix}
        self._unit_lookups = {unit: self._lookups_of(unit) for unit in units}
        lengths = sorted(set(map(len, self._prefixes)))
        self._cuts = [itemgetter(slice(0, length)) for length in lengths]

    def unit_lookups(self, unit: Unit) -> tuple[str, ...]:
        """The lookups under which the article words a rule word or prefix matches are found."""
        found = self._unit_lookups.get(unit)
        return self._lookups_of(unit) if found is None else found

    def _lookups_of(self, unit: Unit) -> tuple[str, ...]:
        if unit.prefix:
            return ("p" + unit.word,)
        stem = self._stems.get(unit.word)
        if stem is None:
            stem = self._stemmers.word_stem(self.language, unit.word)
        return ("s" + stem, *("k" + key for key in unit.keys))

    def word_lookups(self, words: list[str], stems: list[str] | None = None) -> dict[str, list[str]]:
        """The lookups of those folded article words that some rule uses (the others are left out).

        `stems` are the words' stems in this language (`Stemmers.word_stems`) when the caller knows them."""
        found: dict[str, list[str]] = {}
        if stems is None:
            stems = self._stemmers.word_stems(self.language, words)
        if not self._used_stems.isdisjoint(stems):
            used = map(self._used_stems.__contains__, stems)
            for word, stem in compress(zip(words, stems, strict=True), used):
                found.setdefault(word, []).append("s" + stem)
        if self._names.keys:
            russian = stem_language(self.language, "cyrillic") == "ru"
            self._add_keys(words, stems if russian else None, found)
        for cut in self._cuts:  # a word shorter than the prefixes cut is itself, and equals none of them
            starts = list(map(cut, words))
            if not self._prefixes.isdisjoint(starts):
                used = map(self._prefixes.__contains__, starts)
                for word, start in compress(zip(words, starts, strict=True), used):
                    found.setdefault(word, []).append("p" + start)
        return found

    def _add_keys(self, words: list[str], stems: list[str] | None, found: dict[str, list[str]]) -> None:
        """Lookups of the Cyrillic words whose key (or their Russian stem's, in `stems` if given) is a rule
        word's key."""
        if stems is None:
            if _CYRILLIC_LETTER.search(" ".join(words)) is None:
                return
            stems = self._stemmers.stem_many("ru", words)  # find() keeps only the Cyrillic words
        for word, keys in self._names.find(words, stems).items():
            found.setdefault(word, []).extend("k" + key for key in keys)
