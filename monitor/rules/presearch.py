"""The pre-filter (the presearcher of Lucene's Monitor/Luwak): pick the rules an article may match.

Everything an article word can be looked up under is a *lookup*: `s` + its stem in the article's
language, `k` + a cross-script key, `p` + a rule prefix it starts with. A LanguageIndex (built the first
time an article of that language arrives) knows the lookups of every rule word and prefix, and indexes
each rule under the lookups of its rarest clause (monitor.rules.clauses). For an article it finds the
words some rule uses, the rules they select, and keeps those whose every clause is satisfied.

Words are remembered: each raw word of an article seen once is either known irrelevant (most of them: a
set difference skips them) or mapped to its folded words' entries (lookups and selected rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from monitor.rules.clauses import Clause, rarest
from monitor.rules.stemming import CACHE_WORDS, Stemmers
from monitor.rules.syntax import Unit
from monitor.rules.tokens import learn


class WordEntry(NamedTuple):
    """What a folded article word means to the rules: the rules it selects, the lookups it is found under."""

    rules: tuple[int, ...]
    lookups: tuple[str, ...]


class Scan(NamedTuple):
    """The words of one article that some rule uses: entries by folded word, lookups by raw word."""

    words: dict[str, WordEntry]
    raws: dict[str, tuple[str, ...]]


class LanguageIndex:
    """For articles of one language: the lookups rules use, rule numbers by lookup, and word entries."""

    def __init__(
        self, language: str | None, clauses: Sequence[list[Clause]], units: set[Unit], stemmers: Stemmers
    ) -> None:
        self.language = language
        self._stemmers = stemmers
        words = sorted(unit.word for unit in units if not unit.prefix)
        self._stems = dict(zip(words, stemmers.word_stems(language, words), strict=True))
        self._used_stems = set(self._stems.values())
        self._keys = {unit_key for unit in units for unit_key in unit.keys}
        self._prefixes = {unit.word for unit in units if unit.prefix}
        self._lengths = sorted(set(map(len, self._prefixes)))
        self._clauses = clauses
        self._checks: dict[int, tuple[frozenset[str], ...]] = {}
        self.always = tuple(number for number, found in enumerate(clauses) if not found)
        selects: defaultdict[str, list[int]] = defaultdict(list)
        for number, rule_clauses in enumerate(clauses):
            if rule_clauses:
                for lookup in self._clause_lookups(rarest(rule_clauses)):
                    selects[lookup].append(number)
        self._selects = {lookup: tuple(numbers) for lookup, numbers in selects.items()}
        self._entries: dict[str, WordEntry] = {}
        self._irrelevant_words: set[str] = set()
        self._irrelevant_raws: set[str] = set()

    def unit_lookups(self, unit: Unit) -> tuple[str, ...]:
        """The lookups under which the article words a rule word or prefix matches are found."""
        if unit.prefix:
            return ("p" + unit.word,)
        stem = self._stems.get(unit.word)
        if stem is None:
            stem = self._stemmers.word_stem(self.language, unit.word)
        return ("s" + stem, *("k" + key for key in unit.keys))

    def _clause_lookups(self, clause: Clause) -> frozenset[str]:
        return frozenset(lookup for unit in clause for lookup in self.unit_lookups(unit))

    def scan(self, raws: set[str], folded: dict[str, str]) -> Scan:
        """The article's words (raw, as matched) that some rule uses; new words are learnt once."""
        rest = raws.difference(self._irrelevant_raws)
        if not rest:
            return Scan({}, {})
        if len(self._entries) + len(self._irrelevant_words) + len(self._irrelevant_raws) > CACHE_WORDS:
            self._entries, self._irrelevant_words, self._irrelevant_raws = {}, set(), set()
        learn(rest, folded)
        pieces = [(raw, folded[raw]) for raw in rest]
        new = set(" ".join(text for _, text in pieces).split())
        new = new.difference(self._entries).difference(self._irrelevant_words)
        if new:
            self._learn(list(new))
        found = Scan({}, {})
        for raw, text in pieces:
            entries = [(word, self._entries[word]) for word in text.split(" ") if word in self._entries]
            if not entries:
                self._irrelevant_raws.add(raw)
            elif len(entries) == 1:
                found.words[entries[0][0]] = entries[0][1]
                found.raws[raw] = entries[0][1].lookups
            else:
                found.words.update(entries)
                lookups = (lookup for _, entry in entries for lookup in entry.lookups)
                found.raws[raw] = tuple(dict.fromkeys(lookups))
        return found

    def candidates(self, scan: Scan) -> list[int]:
        """Numbers of the rules an article with these words may match (every clause satisfied), in order."""
        selected: set[int] = set().union(*(entry.rules for entry in scan.words.values()))
        present: set[str] = set().union(*scan.raws.values())
        kept = [number for number in selected if self._satisfied(number, present)]
        return sorted(kept + list(self.always)) if self.always else sorted(kept)

    def _satisfied(self, number: int, present: set[str]) -> bool:
        checks = self._checks.get(number)
        if checks is None:
            checks = self._checks[number] = tuple(map(self._clause_lookups, self._clauses[number]))
        return all(not present.isdisjoint(check) for check in checks)

    def _learn(self, words: list[str]) -> None:
        """Compute the entries of new folded words in a batch (stems and cross-script keys in one call)."""
        found: defaultdict[str, list[str]] = defaultdict(list)
        used_stems = self._used_stems
        for word, stem in zip(words, self._stemmers.word_stems(self.language, words), strict=True):
            if stem in used_stems:
                found[word].append("s" + stem)
        if self._keys:
            cyrillic = [word for word in words if "\u0400" <= word[0] <= "\u052f"]
            for word, pair in zip(cyrillic, self._stemmers.name_keys(cyrillic), strict=True):
                found[word] += ["k" + key for key in dict.fromkeys(pair) if key in self._keys]
        for length in self._lengths:
            for word in words:
                if len(word) >= length and word[:length] in self._prefixes:
                    found[word].append("p" + word[:length])
        self._irrelevant_words.update(word for word in words if not found.get(word))
        for word, lookups in found.items():
            if lookups:
                rules = {number for lookup in lookups for number in self._selects.get(lookup, ())}
                self._entries[word] = WordEntry(tuple(rules), tuple(lookups))
