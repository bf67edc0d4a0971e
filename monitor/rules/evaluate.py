"""The meaning of a query tree on one analysed article: whether it matches, and which words show it.

A mark is (term label, first position, last position). Positional nodes (terms, OR-groups of them, NEAR)
yield occurrences: (first position, last position, marks). `a NEAR/n b` holds when at most n words lie
between an occurrence of a and one of b, in either order (ONEAR: a first); occurrences never overlap.

Each occurrence of the operand that occurs less often is paired with the nearest occurrence of the other
on each side (as search engines do): whether a NEAR holds is exactly the same as when every pair within
reach is tried, and a NEAR has at most twice as many occurrences as its rarer operand, so that nested
NEARs over a word repeated thousands of times stay linear in the text.

A group of words (a concept's alternatives, an OR of terms) none of whose lookups the article holds has no
occurrence: one set test answers it instead of each of its terms (`LanguageIndex.lookups_under`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from urllib.parse import urlsplit

from monitor.rules.analysis import fold
from monitor.rules.document import TEXT_BASE, AnalysedDocument
from monitor.rules.syntax import And, Filter, Near, Node, Not, Or, Scope, Term, Unit

Mark = tuple[str, int, int]
Occurrence = tuple[int, int, tuple[Mark, ...]]


class Evaluator:
    """Evaluates query trees on one article, caching the positions of each word, term and group."""

    def __init__(self, document: AnalysedDocument) -> None:
        self.document = document
        self._units: dict[Unit, list[int]] = {}
        self._terms: dict[int, list[Occurrence]] = {}
        self._groups: dict[tuple[int, str | None], list[Occurrence]] = {}
        """Occurrences of OR groups and NEARs by node and field: a concept used twice is evaluated once."""

    def matches(self, node: Node, field: str | None = None) -> list[Mark] | None:
        """The marks that show `node` matches (empty for a match without words), or None if it does not."""
        if isinstance(node, Term | Near):
            occurrences = self.occurrences(node, field)
            return [mark for occurrence in occurrences for mark in occurrence[2]] if occurrences else None
        if isinstance(node, Scope):
            return None if field not in (None, node.field) else self.matches(node.child, node.field)
        if isinstance(node, Filter):
            return [] if filter_holds(node, self.document) else None
        if isinstance(node, Not):
            return [] if self.matches(node.child, field) is None else None
        if isinstance(node, Or) and self._absent(node):
            return None
        if isinstance(node, And):
            marks: list[Mark] = []
            for child in node.children:
                child_marks = self.matches(child, field)
                if child_marks is None:
                    return None
                marks.extend(child_marks)
            return marks
        return self._any(node, field)

    def _any(self, node: Or, field: str | None) -> list[Mark] | None:
        marks: list[Mark] | None = None
        for child in self._present_children(node):
            found = self.matches(child, field)
            if found is not None:
                marks = [] if marks is None else marks
                marks.extend(found)
        return marks

    def occurrences(self, node: Node, field: str | None = None) -> list[Occurrence]:
        """Occurrences of a positional node, sorted by first position."""
        if isinstance(node, Term):
            return _in_field(self._term(node), field)
        if isinstance(node, Scope):
            return [] if field not in (None, node.field) else self.occurrences(node.child, node.field)
        if isinstance(node, Or | Near):
            key = (id(node), field)
            found = self._groups.get(key)
            if found is None:
                found = self._groups[key] = [] if self._absent(node) else self._group(node, field)
            return found
        return []

    def _group(self, node: Or | Near, field: str | None) -> list[Occurrence]:
        if isinstance(node, Or):
            children = self._present_children(node)
            return sorted(o for child in children for o in self.occurrences(child, field))
        left, right = self.occurrences(node.left, field), self.occurrences(node.right, field)
        return _near(left, right, node.distance, node.ordered)

    def _present_children(self, node: Or) -> list[Node]:
        """The children of an OR that the article may match (those with a word of theirs in it), in order."""
        numbers = self.document.index.group(node).present(self.document.present_lookups)
        return [node.children[number] for number in numbers]

    def _absent(self, node: Node) -> bool:
        """True when the node cannot match: it holds only words, and the article none of their lookups."""
        lookups = self.document.index.lookups_under(node)
        return lookups is not None and lookups.isdisjoint(self.document.present_lookups)

    def _term(self, term: Term) -> list[Occurrence]:
        found = self._terms.get(id(term))
        if found is None:
            found = self._terms[id(term)] = self._phrase(term)
        return found

    def _phrase(self, term: Term) -> list[Occurrence]:
        first = self.unit_positions(term.units[0])
        last = len(term.units) - 1
        if last == 0:
            return [(p, p, ((term.label, p, p),)) for p in first]
        rest = [set(self.unit_positions(unit)) for unit in term.units[1:]]
        return [
            (p, p + last, ((term.label, p, p + last),))
            for p in first
            if all(p + i in positions for i, positions in enumerate(rest, 1))
        ]

    def unit_positions(self, unit: Unit) -> list[int]:
        """Positions of one word or prefix of a rule in the article."""
        found = self._units.get(unit)
        if found is None:
            found = self._units[unit] = self.document.unit_positions(unit)
        return found


def _in_field(found: list[Occurrence], field: str | None) -> list[Occurrence]:
    if field is None:
        return found
    if field == "title":
        return [o for o in found if o[0] < TEXT_BASE]
    return [o for o in found if o[0] >= TEXT_BASE]


def _near(left: list[Occurrence], right: list[Occurrence], distance: int, ordered: bool) -> list[Occurrence]:
    """Occurrences of `left NEAR right` (ONEAR when `ordered`): each occurrence of the rarer side with the
    nearest occurrence of the other before it and after it, each interval once, sorted."""
    if not left or not right:
        return []
    if len(left) <= len(right):
        pairs = _nearest_after(left, right, distance)
        if not ordered:
            pairs += _nearest_before(left, right, distance)
    else:
        pairs = _nearest_before(right, left, distance)
        if not ordered:
            pairs += _nearest_after(right, left, distance)
    pairs.sort()
    return [pair for index, pair in enumerate(pairs) if not index or pair[:2] != pairs[index - 1][:2]]


def _nearest_after(anchors: list[Occurrence], others: list[Occurrence], distance: int) -> list[Occurrence]:
    """Each anchor with the first of `others` that starts after it ends, at most `distance` words on (the
    marks in text order)."""
    starts = [other[0] for other in others]
    pairs: list[Occurrence] = []
    for start, end, marks in anchors:
        index = bisect_right(starts, end)
        if index < len(others) and starts[index] <= end + distance + 1:
            _, other_end, other_marks = others[index]
            pairs.append((start, max(end, other_end), marks + other_marks))
    return pairs


def _nearest_before(anchors: list[Occurrence], others: list[Occurrence], distance: int) -> list[Occurrence]:
    """Each anchor with the last of `others` that ends before it starts, at most `distance` words before
    (the marks in text order)."""
    by_end = sorted(others, key=lambda other: (other[1], other[0]))
    ends = [other[1] for other in by_end]
    pairs: list[Occurrence] = []
    for start, end, marks in anchors:
        index = bisect_left(ends, start) - 1
        if index >= 0 and start - ends[index] - 1 <= distance:
            other_start, other_end, other_marks = by_end[index]
            pairs.append((other_start, max(end, other_end), other_marks + marks))
    return pairs


def filter_holds(node: Filter, document: AnalysedDocument) -> bool:
    """`lang:` compares language codes, `site:` the URL's host and its parents, `source:` the name."""
    article = document.document
    if node.kind == "lang":
        return document.language == node.value.split("-")[0]
    if node.kind == "site":
        host = (urlsplit(article.url).hostname or "").lower().rstrip(".")
        return host == node.value or host.endswith("." + node.value)
    return fold(article.source.strip()) == fold(node.value)
