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
from itertools import chain
from typing import NamedTuple

from monitor.rules.clauses import Clause, rarest
from monitor.rules.lookups import Vocabulary
from monitor.rules.stemming import Stemmers
from monitor.rules.syntax import Unit
from monitor.rules.tokens import learn

REMEMBERED_WORDS = 200_000  # raw words an index remembers (then it forgets them all and learns again)


class WordEntry(NamedTuple):
    """What a folded article word means to the rules: the rules it selects, the lookups it is found under."""

    rules: tuple[int, ...]
    lookups: tuple[str, ...]


class Scan(NamedTuple):
    """The words of one article that some rule uses: entries by folded word, lookups by raw word."""

    words: dict[str, WordEntry]
    raws: dict[str, tuple[str, ...]]


class LanguageIndex:
    """For articles of one language: rule numbers by lookup, and what each article word seen means."""

    def __init__(
        self, language: str | None, clauses: Sequence[list[Clause]], units: set[Unit], stemmers: Stemmers
    ) -> None:
        self.language = language
        self.vocabulary = Vocabulary(language, units, stemmers)
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
        self._irrelevant_raws: set[str] = set()

    def _clause_lookups(self, clause: Clause) -> frozenset[str]:
        return frozenset(lookup for unit in clause for lookup in self.vocabulary.unit_lookups(unit))

    def scan(self, raws: set[str], folded: dict[str, str]) -> Scan:
        """The article's words (raw, as matched) that some rule uses; new words are learnt once."""
        rest = list(raws.difference(self._irrelevant_raws))
        if not rest:
            return Scan({}, {})
        if len(self._entries) + len(self._irrelevant_raws) > REMEMBERED_WORDS:
            self._entries, self._irrelevant_raws = {}, set()
        learn(rest, folded)
        texts = list(map(folded.__getitem__, rest))
        words = set(" ".join(texts).split())
        new = words.difference(self._entries)
        if new:
            self._learn(list(new))
        entries = self._entries
        found = Scan({word: entries[word] for word in words if word in entries}, {})
        for raw, text in zip(rest, texts, strict=True):
            entry = found.words.get(text)
            if entry is not None:
                found.raws[raw] = entry.lookups
            elif " " in text and any(word in found.words for word in text.split(" ")):
                parts = [found.words[word].lookups for word in text.split(" ") if word in found.words]
                found.raws[raw] = tuple(dict.fromkeys(chain.from_iterable(parts)))
            else:
                self._irrelevant_raws.add(raw)
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
        """Remember the entries of the new words some rule uses."""
        for word, lookups in self.vocabulary.word_lookups(words).items():
            rules = {number for lookup in lookups for number in self._selects.get(lookup, ())}
            self._entries[word] = WordEntry(tuple(rules), tuple(lookups))
