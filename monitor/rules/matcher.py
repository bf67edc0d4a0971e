"""The compiled Matcher: all rules compiled once, each article analysed once, candidates pre-filtered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitor.rules.clauses import all_units, requirement
from monitor.rules.compiler import CompiledRules, compile_trees
from monitor.rules.document import AnalysedDocument
from monitor.rules.evaluate import Evaluator
from monitor.rules.explain import explain
from monitor.rules.model import Document, RuleMatch, RuleSpec
from monitor.rules.presearch import LanguageIndex
from monitor.rules.results import build_match
from monitor.rules.stemming import Stemmers, language_code
from monitor.rules.syntax import Node


class Matcher:
    """Matches articles against every rule. Pure: no I/O; safe to reuse for any number of articles."""

    def __init__(self, compiled: CompiledRules) -> None:
        self.rule_names: tuple[str, ...] = compiled.names
        self._trees = compiled.trees
        self._numbers = {name: number for number, name in enumerate(compiled.names)}
        self._requirements = [requirement(tree) for tree in compiled.trees]
        self._units = all_units(compiled.trees)
        self._stemmers = Stemmers()
        self._indexes: dict[str | None, LanguageIndex] = {}

    def analyse(self, document: Document) -> AnalysedDocument:
        """The article analysed for matching (exposed for the naive evaluator and the benchmark)."""
        return AnalysedDocument(document, self._stemmers, self._index(language_code(document.language)))

    def _index(self, language: str | None) -> LanguageIndex:
        index = self._indexes.get(language)
        if index is None:
            index = LanguageIndex(language, self._requirements, self._units, self._stemmers)
            self._indexes[language] = index
        return index

    def match(self, document: Document) -> list[RuleMatch]:
        """Every rule that matches the article, in rule order, each with its terms, highlights, snippet."""
        analysed = self.analyse(document)
        evaluator = Evaluator(analysed)
        matches = []
        for number in analysed.index.candidates(analysed.scan):
            marks = evaluator.matches(self._trees[number])
            if marks is not None:
                matches.append(build_match(self.rule_names[number], marks, analysed))
        return matches

    def match_all(self, document: Document) -> list[RuleMatch]:
        """The naive evaluator: every rule evaluated on the article, no pre-filter (same results)."""
        analysed = self.analyse(document)
        evaluator = Evaluator(analysed)
        matches = []
        for name, tree in zip(self.rule_names, self._trees, strict=True):
            marks = evaluator.matches(tree)
            if marks is not None:
                matches.append(build_match(name, marks, analysed))
        return matches

    def explain(self, rule: str, document: Document) -> str:
        """A sentence saying why `rule` matches the article or does not. KeyError for an unknown rule."""
        tree = self._trees[self._numbers[rule]]
        return explain(rule, tree, Evaluator(self.analyse(document)))

    @property
    def trees(self) -> tuple[Node, ...]:
        """The rules' query trees, in rule order."""
        return self._trees

    def languages_indexed(self) -> tuple[str | None, ...]:
        """Article languages for which a pre-filter index has been built so far."""
        return tuple(self._indexes)


def compile_rules(rules: Sequence[RuleSpec], concepts: Mapping[str, Sequence[str]] | None = None) -> Matcher:
    """Compile every rule once; raise RuleCompileError listing the faults of all rules and concepts."""
    return Matcher(compile_trees(rules, concepts or {}))


def naive_match(matcher: Matcher, document: Document) -> list[RuleMatch]:
    """Reference semantics for tests and benchmarks: evaluate every rule, no pre-filter."""
    return matcher.match_all(document)
