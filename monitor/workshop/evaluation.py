"""Sub-query results kept per stored article between previews, so that an edit evaluates only what changed.

An edit changes a small part of a rule: a NEAR's distance, a NOT added, a concept widened. The Evaluator's
answer for a sub-tree on an article depends only on the sub-tree and the article (a word's positions do not
depend on the other words of the rules), so each article keeps the answers of the sub-trees evaluated on it,
under a number that equal sub-trees of any compiled rule share (`NodeNumbers`). A draft's evaluation takes
the answers of the unchanged sub-trees and computes only the new ones, with the real Evaluator: the article
is analysed (with the draft's Matcher) only when a new term has to be looked up in it. The answers are kept
for one version of the article's text (its content hash): an article edited since is evaluated afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from monitor.rules import Matcher
from monitor.rules.document import AnalysedDocument
from monitor.rules.evaluate import Evaluator, Mark, Occurrence
from monitor.rules.model import Document
from monitor.rules.syntax import And, Filter, Near, Node, Not, Or, Scope, Term

MAX_ARTICLES = 20_000
"""Articles whose answers are kept (the least recently used forgotten first)."""
MAX_NUMBERS = 1_000_000
"""Distinct sub-trees numbered before every number and answer is forgotten (memory bound)."""

Memo = dict[tuple[int, str | None, bool], Any]
"""An article's answers: (sub-tree number, field, True for occurrences / False for marks) → answer."""


class NodeNumbers:
    """Numbers for sub-trees, equal for structurally equal sub-trees of any compile (bottom-up, so that
    each node is hashed once, with its children's numbers)."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[Any, ...], int] = {}

    def of(self, tree: Node, found: dict[int, int]) -> int:
        """The number of `tree`, recording those of its nodes by id in `found`."""
        known = found.get(id(tree))
        if known is not None:
            return known
        key = self._key(tree, found)
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.numbers)
        found[id(tree)] = number
        return number

    def _key(self, node: Node, found: dict[int, int]) -> tuple[Any, ...]:
        if isinstance(node, Term):
            return ("term", node.label, node.units)
        if isinstance(node, Filter):
            return ("filter", node.kind, node.value)
        if isinstance(node, Scope):
            return ("scope", node.field, self.of(node.child, found))
        if isinstance(node, Not):
            return ("not", self.of(node.child, found))
        if isinstance(node, Near):
            sides = (self.of(node.left, found), self.of(node.right, found))
            return ("near", *sides, node.distance, node.ordered)
        children = tuple(self.of(child, found) for child in node.children)
        return ("and", children) if isinstance(node, And) else ("or", node.concept, children)


class ArticleMemos:
    """The answers kept for each article (thread-safe; bounded by MAX_ARTICLES and MAX_NUMBERS)."""

    def __init__(self) -> None:
        self.numbers = NodeNumbers()
        self._memos: OrderedDict[int, tuple[str | None, Memo]] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self.numbers = NodeNumbers()
            self._memos.clear()

    def number(self, matcher: Matcher) -> tuple[NodeNumbers, dict[int, int]]:
        """The numbers of every node of the matcher's trees, by node id."""
        with self._lock:
            if len(self.numbers.numbers) > MAX_NUMBERS:
                self.numbers = NodeNumbers()
                self._memos.clear()
            numbers, found = self.numbers, dict[int, int]()
            for tree in matcher.trees:
                numbers.of(tree, found)
        return numbers, found

    def memo(self, article_id: int, version: str | None, numbers: NodeNumbers) -> Memo:
        """The answers kept for this version of the article's text (its content hash): a new empty
        record if forgotten, if the text changed since, or if the numbers were renewed."""
        with self._lock:
            if numbers is not self.numbers:
                return {}
            kept = self._memos.pop(article_id, None)
            memo = kept[1] if kept is not None and kept[0] == version else {}
            self._memos[article_id] = (version, memo)
            while len(self._memos) > MAX_ARTICLES:
                self._memos.popitem(last=False)
            return memo


class RememberingEvaluator(Evaluator):
    """The Evaluator, answering each sub-tree from the article's memo when it was evaluated before, or as
    not matching when `possible` (the stored words' index) says the article lacks its words; the article is
    analysed on first need. Its set-test shortcuts (`_absent`) apply once it is analysed."""

    def __init__(
        self,
        analyse: Callable[[], AnalysedDocument],
        memo: Memo,
        numbers: dict[int, int],
        possible: Callable[[Node], bool],
    ) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self._analyse = analyse
        self._possible = possible
        self._analysed: AnalysedDocument | None = None
        self._memo = memo
        self._numbers = numbers

    @property  # type: ignore[override]
    def document(self) -> AnalysedDocument:
        if self._analysed is None:
            self._analysed = self._analyse()
        return self._analysed

    @document.setter
    def document(self, value: AnalysedDocument | None) -> None:
        self._analysed = value

    @property
    def analysed(self) -> AnalysedDocument | None:
        return self._analysed

    def matches(self, node: Node, field: str | None = None) -> list[Mark] | None:
        key = (self._numbers[id(node)], field, False)
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        found = self._memo[key] = super().matches(node, field) if self._possible(node) else None
        return found

    def occurrences(self, node: Node, field: str | None = None) -> list[Occurrence]:
        key = (self._numbers[id(node)], field, True)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = super().occurrences(node, field) if self._possible(node) else []
        return found  # type: ignore[no-any-return]

    def _absent(self, node: Node) -> bool:
        return self._analysed is not None and super()._absent(node)

    def _present_children(self, node: Or) -> list[Node]:
        if self._analysed is None:
            return list(node.children)
        return super()._present_children(node)


def evaluate(
    matcher: Matcher,
    document: Document,
    memo: Memo,
    numbers: dict[int, int],
    possible: Callable[[Node], bool],
) -> list[Mark] | None:
    """The marks of the matcher's only rule on the article, or None: exactly `Evaluator.matches`."""
    (tree,) = matcher.trees
    return RememberingEvaluator(lambda: matcher.analyse(document), memo, numbers, possible).matches(tree)
