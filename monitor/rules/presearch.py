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
from collections.abc import Iterable, Sequence
from itertools import chain, compress, repeat
from typing import NamedTuple

from monitor.rules.clauses import Clause, Requirement
from monitor.rules.lookups import Vocabulary
from monitor.rules.stemming import Stemmers
from monitor.rules.syntax import Near, Node, Or, Scope, Term, Unit
from monitor.rules.tokens import fold_raws

REMEMBERED_WORDS = 200_000  # raw words an index remembers (then it forgets them all and learns again)


class WordEntry(NamedTuple):
    """What a folded article word means to the rules: the rules whose first (rarest) clause it satisfies,
    those whose second clause it satisfies, and the lookups it is found under."""

    rules: tuple[int, ...]
    seconds: tuple[int, ...]
    lookups: tuple[str, ...]


class Scan(NamedTuple):
    """The words of one article that some rule uses: entries by folded word, lookups by raw word, and
    those raw words that are several words (a CJK run's bigrams, words joined by apostrophes)."""

    words: dict[str, WordEntry]
    raws: dict[str, tuple[str, ...]]
    several: frozenset[str] = frozenset()


class WordMemory:
    """What an index remembers of the article words it has seen: the entries of the folded words some rule
    uses, and the raw words that concern no rule (skipped by a set difference)."""

    def __init__(self) -> None:
        self.entries: dict[str, WordEntry] = {}
        self.irrelevant_raws: set[str] = set()
        self.several_raws: set[str] = set()  # raw words that are several words (CJK runs, mostly)

    def __len__(self) -> int:
        return len(self.entries) + len(self.irrelevant_raws)


def _raw_lookups(
    raws: list[str], texts: list[str], words: dict[str, WordEntry], several_words: bool
) -> dict[str, tuple[str, ...]]:
    """The lookups of each raw word whose folded text (one word, or several if `several_words`) holds a
    word some rule uses; only those raw words are visited in Python."""
    entries = list(map(words.get, texts))
    found = {
        raw: entry.lookups for raw, entry in zip(compress(raws, entries), filter(None, entries), strict=True)
    }
    if several_words:
        for raw, text in compress(zip(raws, texts, strict=True), map(str.__contains__, texts, repeat(" "))):
            parts = [words[word].lookups for word in text.split(" ") if word in words]
            if parts:
                found[raw] = tuple(dict.fromkeys(chain.from_iterable(parts)))
    return found


class Group(NamedTuple):
    """The children of an OR by the lookups of their words (`always`: those that need no word)."""

    lookups: frozenset[str]
    children: dict[str, tuple[int, ...]]
    always: tuple[int, ...]

    def present(self, lookups: frozenset[str]) -> list[int]:
        """The numbers, in order, of the children an article holding these lookups may match."""
        found = set(self.always).union(*map(self.children.__getitem__, self.lookups.intersection(lookups)))
        return sorted(found)


class LanguageIndex:
    """For articles of one language: rule numbers by lookup, and what each article word seen means."""

    def __init__(
        self, language: str | None, requirements: Sequence[Requirement], units: set[Unit], stemmers: Stemmers
    ) -> None:
        self.language = language
        self.vocabulary = Vocabulary(language, units, stemmers)
        self._requirements = requirements
        self._checks: dict[int, tuple[frozenset[str], ...]] = {}
        self.always = tuple(number for number, found in enumerate(requirements) if found.primary is None)
        self._single = frozenset(number for number, found in enumerate(requirements) if not found.others)
        self._more = frozenset(number for number, found in enumerate(requirements) if len(found.others) > 1)
        self._selects = self._postings(primary for primary, _ in requirements)
        self._seconds = self._postings(others[0] if others else None for _, others in requirements)
        self._memory = WordMemory()
        self._under: dict[int, tuple[Node, frozenset[str] | None]] = {}
        self._groups: dict[int, tuple[Or, Group]] = {}

    def group(self, node: Or) -> Group:
        """Which children of an OR an article may match, by the lookups of their words."""
        found = self._groups.get(id(node))
        if found is None or found[0] is not node:
            by_lookup: defaultdict[str, list[int]] = defaultdict(list)
            always = []
            for number, child in enumerate(node.children):
                lookups = self.lookups_under(child)
                if lookups is None:
                    always.append(number)
                for lookup in lookups or ():
                    by_lookup[lookup].append(number)
            group = Group(frozenset(by_lookup), {k: tuple(v) for k, v in by_lookup.items()}, tuple(always))
            found = self._groups[id(node)] = (node, group)
        return found[1]

    def lookups_under(self, node: Node) -> frozenset[str] | None:
        """The lookups of the first word of every term of a positional node (an article with none of them
        has no occurrence of it); None for a node that can match without words (NOT, filters inside)."""
        found = self._under.get(id(node))
        if found is None or found[0] is not node:
            found = self._under[id(node)] = (node, self._lookups_under(node))
        return found[1]

    def _lookups_under(self, node: Node) -> frozenset[str] | None:
        if isinstance(node, Term):
            return frozenset(self.vocabulary.unit_lookups(node.units[0]))
        children: tuple[Node, ...] = ()
        if isinstance(node, Scope):
            children = (node.child,)
        elif isinstance(node, Near):
            children = (node.left, node.right)
        elif isinstance(node, Or):
            children = node.children
        found = [self.lookups_under(child) for child in children]
        if not found or any(lookups is None for lookups in found):
            return None
        return frozenset().union(*found)  # type: ignore[arg-type]

    def _postings(self, clauses: Iterable[Clause | None]) -> dict[str, tuple[int, ...]]:
        """Rule numbers by the lookups of one clause of each rule."""
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for number, clause in enumerate(clauses):
            for lookup in self._clause_lookups(clause or frozenset()):
                postings[lookup].append(number)
        return {lookup: tuple(numbers) for lookup, numbers in postings.items()}

    def _clause_lookups(self, clause: Clause) -> frozenset[str]:
        return frozenset(chain.from_iterable(map(self.vocabulary.unit_lookups, clause)))

    def scan(self, raws: set[str]) -> Scan:
        """The article's words (raw, as matched) that some rule uses; new words are learnt once."""
        memory = self._memory  # this very memory, even if another thread forgets everything meanwhile
        if len(memory) > REMEMBERED_WORDS:
            memory = self._memory = WordMemory()
        rest = raws.difference(memory.irrelevant_raws)
        if not rest:
            return Scan({}, {}, self._several(memory, raws))
        ordered = list(rest)
        texts = fold_raws(ordered)
        joined = " ".join(texts)
        words = set(joined.split())
        new = words.difference(memory.entries)
        if new:
            memory.entries.update(self._learn(list(new)))
        relevant = memory.entries.keys() & words
        found = Scan({word: memory.entries[word] for word in relevant}, {})
        several_words = joined.count(" ") >= len(texts)  # some raw word holds an apostrophe or a CJK run
        if several_words:
            memory.several_raws.update(raw for raw, text in zip(ordered, texts, strict=True) if " " in text)
        if relevant:
            found.raws.update(_raw_lookups(ordered, texts, found.words, several_words))
        memory.irrelevant_raws.update(rest.difference(found.raws))
        return found._replace(several=self._several(memory, raws))

    @staticmethod
    def _several(memory: WordMemory, raws: set[str]) -> frozenset[str]:
        """The raw words of an article that are several words (a set operation; none in most articles)."""
        return frozenset(memory.several_raws.intersection(raws)) if memory.several_raws else frozenset()

    def candidates(self, scan: Scan) -> list[int]:
        """Numbers of the rules an article with these words may match (every clause satisfied), in order.

        A rule is selected by its first clause; the second is checked by a set intersection, any more
        one by one."""
        entries = scan.words.values()
        selected: set[int] = set().union(*(entry.rules for entry in entries))
        if not selected:
            return list(self.always)
        seconds: set[int] = set().union(*(entry.seconds for entry in entries))
        kept = selected.intersection(self._single)
        kept.update(selected.intersection(seconds))
        more = kept.intersection(self._more)
        if more:
            present: set[str] = set().union(*scan.raws.values())
            kept.difference_update(number for number in more if not self._satisfied(number, present))
        kept.update(self.always)
        return sorted(kept)

    def _satisfied(self, number: int, present: set[str]) -> bool:
        """Whether the article satisfies the third and further clauses of a rule."""
        checks = self._checks.get(number)
        if checks is None:
            others = self._requirements[number].others[1:]
            checks = self._checks[number] = tuple(map(self._clause_lookups, others))
        return all(not present.isdisjoint(check) for check in checks)

    def _learn(self, words: list[str]) -> dict[str, WordEntry]:
        """The entries of those new words that some rule uses."""
        learnt = {}
        for word, lookups in self.vocabulary.word_lookups(words).items():
            rules = {number for lookup in lookups for number in self._selects.get(lookup, ())}
            seconds = {number for lookup in lookups for number in self._seconds.get(lookup, ())}
            learnt[word] = WordEntry(tuple(rules), tuple(seconds), tuple(lookups))
        return learnt
