"""Which stored articles a rule may match, from the words they hold: the query tree evaluated on sets of
article ids (a word → the articles holding it; AND and NEAR intersect, OR unites; NOT, filters and
anything else restrict nothing). Every article the rule matches is in the result, since the evaluator
finds a word or prefix of a rule only in an article holding a word found under the same lookups."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Mapping, Sequence

from monitor.rules import Matcher
from monitor.rules.clauses import all_units
from monitor.rules.lookups import Vocabulary
from monitor.rules.syntax import And, Near, Node, Not, Or, Scope, Term, Unit
from monitor.workshop.corpus import CorpusWords, LanguageWords

Ids = set[int] | None
"""Article ids, or None for "any article" (no restriction)."""


class _Sets:
    """The evaluation for the articles of one language (those after article id `after` only, if given),
    each node once (concepts are shared nodes)."""

    def __init__(
        self,
        words: LanguageWords,
        unit_words: Mapping[Unit, set[str]],
        numbers: tuple[object, Mapping[int, int]] | None = None,
        after: int = 0,
    ) -> None:
        self._words, self._last = words, words.last_id  # read first: every article up to it is complete
        self._unit_words = unit_words
        self._after = after
        self._units: dict[Unit, set[int]] = {}
        self._nodes: dict[int, Ids] = {}
        self._numbers = numbers
        """The numbering of the nodes (owner, number by node id), to keep their sets between previews."""
        self._newer: dict[int, _Sets] = {}

    def all_ids(self) -> Sequence[int]:
        """Every article of the evaluation (what None stands for)."""
        return _after(self._words.ids, self._after)

    def unit(self, unit: Unit) -> set[int]:
        found = self._units.get(unit)
        if found is None:
            postings = self._words.postings
            lists = [_after(postings[word], self._after) for word in self._unit_words.get(unit, ())]
            found = self._units[unit] = set().union(*lists)
        return found

    def node(self, node: Node) -> Ids:
        key = id(node)
        if key not in self._nodes:
            kept = self._numbers and not self._after and not isinstance(node, Term)  # terms: cheap again
            self._nodes[key] = self._kept(node) if kept else self._evaluate(node)
        return self._nodes[key]

    def _kept(self, node: Node) -> Ids:
        """The node's ids as kept by earlier previews, completed with the articles learnt since."""
        owner, number = self._numbers[0], self._numbers[1][id(node)]  # type: ignore[index]
        kept = self._words.sets.get(owner, number)
        if kept is None:
            ids = self._evaluate(node)
        elif kept[0] >= self._last or kept[1] is None:
            return kept[1]
        else:
            newer = self._newer.get(kept[0])
            if newer is None:
                newer = self._newer[kept[0]] = _Sets(self._words, self._unit_words, after=kept[0])
            added = newer.node(node)
            ids = None if added is None else kept[1] | added
        self._words.sets.put(owner, number, ids, self._last)
        return ids

    def _evaluate(self, node: Node) -> Ids:
        if isinstance(node, Term):
            return _intersection(self.unit(unit) for unit in node.units)
        if isinstance(node, Scope):
            return self.node(node.child)
        if isinstance(node, And):
            return _intersection(self.node(child) for child in node.children if not isinstance(child, Not))
        if isinstance(node, Near):
            return _intersection((self.node(node.left), self.node(node.right)))
        if isinstance(node, Or):
            found: set[int] = set()
            for child in node.children:
                ids = self.node(child)
                if ids is None:
                    return None
                found |= ids
            return found
        return None  # Not, Filter: no word required


def _intersection(sets: object) -> Ids:
    """The intersection of the restricting sets (smallest first); None when none restricts."""
    given = sorted((s for s in sets if s is not None), key=len)  # type: ignore[attr-defined]
    if not given:
        return None
    found = set(given[0])
    for other in given[1:]:
        found &= other
        if not found:
            break
    return found


def unit_words(words: LanguageWords, language: str | None, units: set[Unit]) -> dict[Unit, set[str]]:
    """For each rule word or prefix, the words of these articles the evaluator finds under it (the same
    lookups: stem in the articles' language, cross-script keys, prefix), remembered in `words.units` and
    completed with the words learnt since (only those are looked at)."""
    learnt = min(len(words.words), len(words.stems))  # the stems may lag while words are being learnt
    if words.units and words.units_words < learnt:
        newer = _found_under(words, language, set(words.units), words.units_words, learnt)
        for unit, found in newer.items():
            if found:
                words.units[unit] = words.units[unit] | found  # a new set: readers may be iterating the old
    words.units_words = learnt
    missing = units.difference(words.units)
    if missing:
        words.units.update(_found_under(words, language, missing, 0, learnt))
    return {unit: words.units[unit] for unit in units}


def _found_under(
    words: LanguageWords, language: str | None, units: set[Unit], start: int, end: int
) -> dict[Unit, set[str]]:
    """The words from `start` to `end` (in learning order) found under each unit."""
    vocabulary = Vocabulary(language, units, words.stemmers)
    by_lookup: dict[str, list[str]] = {}
    for word, lookups in vocabulary.word_lookups(words.words[start:end], words.stems[start:end]).items():
        for lookup in lookups:
            by_lookup.setdefault(lookup, []).append(word)
    return {
        unit: set().union(*(by_lookup[key] for key in vocabulary.unit_lookups(unit) if key in by_lookup))
        for unit in units
    }


def _after(ids: array[int], after: int) -> Sequence[int]:
    """The ids above `after` of an increasing array."""
    return ids[bisect_right(ids, after) :] if after else ids


class Candidates:
    """The stored articles that may match some rule of a matcher (a superset of those that do), and the
    set evaluation that found them, which also says of any node of the rules whether an article may
    match it (`possible`)."""

    def __init__(
        self,
        corpus: CorpusWords,
        matcher: Matcher,
        numbers: tuple[object, Mapping[int, int]] | None = None,
        after: int = 0,
    ) -> None:
        """`numbers` (the nodes' numbering) to keep and reuse the nodes' ids between previews; `after` to
        look only at the articles learnt after that article id."""
        self.ids: set[int] = set()
        self._sets: dict[str | None, _Sets] = {}
        units = all_units(matcher.trees)
        for language, words in corpus.languages.items():
            sets = self._sets[language] = _Sets(words, unit_words(words, language, units), numbers, after)
            for tree in matcher.trees:
                ids = sets.node(tree)
                self.ids.update(sets.all_ids() if ids is None else ids)

    def possible(self, language: str | None, article_id: int, node: Node) -> bool:
        """False when the article (of this language code) cannot match the node nor hold an occurrence of
        it: it lacks every word of some clause of it."""
        sets = self._sets.get(language)
        ids = None if sets is None else sets.node(node)
        return ids is None or article_id in ids


def candidate_ids(corpus: CorpusWords, matcher: Matcher) -> set[int]:
    """The stored articles that may match some rule of `matcher` (a superset of those that do)."""
    return Candidates(corpus, matcher).ids
