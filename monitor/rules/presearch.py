"""The pre-filter (the presearcher of Lucene's Monitor/Luwak): pick the rules an article may match.

Each rule is reduced to atoms, words or prefixes of which at least one must occur for the rule to match:
one atom set of an AND (the rarest, approximated by the longest words), the union over the branches of an
OR, nothing from a NOT or a filter. Rules without such atoms are always checked. Atoms are indexed by stem
per article language (built the first time an article of that language arrives), by cross-script key and
by prefix; an article looks up its distinct stems, keys and word beginnings, and only the rules found are
evaluated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from monitor.rules.analysis import script
from monitor.rules.document import AnalysedDocument
from monitor.rules.stemming import Stemmers, stem_language
from monitor.rules.syntax import And, Near, Node, Or, Scope, Term, Unit

Atoms = frozenset[Unit]


def required_atoms(node: Node) -> Atoms | None:
    """Units of which one at least occurs in any article the node matches; None when there is no such set."""
    if isinstance(node, Term):
        return frozenset({max(node.units, key=_weight)})
    if isinstance(node, Scope):
        return required_atoms(node.child)
    if isinstance(node, And | Near):
        children = node.children if isinstance(node, And) else (node.left, node.right)
        options = [atoms for atoms in map(required_atoms, children) if atoms is not None]
        return max(options, key=_set_weight) if options else None
    if isinstance(node, Or):
        union: set[Unit] = set()
        for child in node.children:
            atoms = required_atoms(child)
            if atoms is None:
                return None
            union |= atoms
        return frozenset(union) if union else None
    return None


def _weight(unit: Unit) -> int:
    """Longer words are rarer; a prefix matches more words than a word of the same length."""
    return len(unit.word) - (3 if unit.prefix else 0)


def _set_weight(atoms: Atoms) -> tuple[int, int]:
    return min(map(_weight, atoms)), -len(atoms)


class LanguageIndex:
    """For articles of one language: rule numbers by stem, by cross-script key and by prefix."""

    def __init__(self, language: str | None, atoms: Sequence[Atoms | None], stemmers: Stemmers) -> None:
        self.stems: defaultdict[str, list[int]] = defaultdict(list)
        self.keys: defaultdict[str, list[int]] = defaultdict(list)
        self.prefixes: defaultdict[str, list[int]] = defaultdict(list)
        self.always: list[int] = []
        self._warm(language, atoms, stemmers)
        for number, rule_atoms in enumerate(atoms):
            if rule_atoms is None:
                self.always.append(number)
                continue
            for unit in rule_atoms:
                self._add(number, unit, language, stemmers)
        self.lengths = sorted({len(prefix) for prefix in self.prefixes})

    @staticmethod
    def _warm(language: str | None, atoms: Sequence[Atoms | None], stemmers: Stemmers) -> None:
        by_code: defaultdict[str, list[str]] = defaultdict(list)
        for rule_atoms in atoms:
            for unit in rule_atoms or ():
                code = stem_language(language, script(unit.word))
                if code is not None and not unit.prefix:
                    by_code[code].append(unit.word)
        for code, words in by_code.items():
            stemmers.warm(code, words)

    def _add(self, number: int, unit: Unit, language: str | None, stemmers: Stemmers) -> None:
        if unit.prefix:
            self.prefixes[unit.word].append(number)
            return
        self.stems[stemmers.word_stem(language, unit.word)].append(number)
        for key in unit.keys:
            self.keys[key].append(number)

    def candidates(self, document: AnalysedDocument) -> list[int]:
        """Numbers of the rules this article may match, in rule order."""
        found: set[int] = set(self.always)
        for table, words in ((self.stems, document.stems), (self.keys, document.keys)):
            for word in words.keys() & table.keys():
                found.update(table[word])
        if self.lengths:
            prefixes = self.prefixes
            for word in document.words:
                for length in self.lengths:
                    if length > len(word):
                        break
                    numbers = prefixes.get(word[:length])
                    if numbers:
                        found.update(numbers)
        return sorted(found)
