"""What a rule requires of an article's words, for the pre-filter: a conjunction of clauses.

A clause is a set of words and prefixes (units) of which at least one must occur in any article the rule
matches; a rule requires all of its clauses (the multipass presearcher of Lucene's Monitor). A phrase
requires each of its words, AND and NEAR require the clauses of both sides, an OR one clause (the union of
one clause per branch), NOT and filters nothing. A rule with no clause is checked on every article.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from monitor.rules.syntax import And, Near, Node, Not, Or, Scope, Term, Unit

Clause = frozenset[Unit]


class Requirement(NamedTuple):
    """A rule's clauses: the rarest (`primary`, which the index selects the rule by; None when the rule has
    no clause) and the others, checked once the rule is selected."""

    primary: Clause | None
    others: tuple[Clause, ...]


def requirement(node: Node) -> Requirement:
    """The requirement of a rule's query tree."""
    clauses = list(dict.fromkeys(required_clauses(node)))
    if not clauses:
        return Requirement(None, ())
    primary = rarest(clauses)
    return Requirement(primary, tuple(clause for clause in clauses if clause != primary))


def required_clauses(node: Node) -> list[Clause]:
    """Clauses that every article the node matches satisfies (all of them)."""
    if isinstance(node, Term):
        return [frozenset({unit}) for unit in dict.fromkeys(node.units)]
    if isinstance(node, Scope):
        return required_clauses(node.child)
    if isinstance(node, And):
        return [clause for child in node.children for clause in required_clauses(child)]
    if isinstance(node, Near):
        return required_clauses(node.left) + required_clauses(node.right)
    if isinstance(node, Or):
        union: set[Unit] = set()
        for child in node.children:
            clauses = required_clauses(child)
            if not clauses:
                return []
            union |= rarest(clauses)
        return [frozenset(union)]
    return []


def rarest(clauses: list[Clause]) -> Clause:
    """The clause least likely to be satisfied: its most common unit is the rarest (longer words are
    rarer; a prefix matches more words than a word of the same length), then the fewest units."""
    return max(clauses, key=lambda clause: (min(map(_weight, clause)), -len(clause)))


def _weight(unit: Unit) -> int:
    return len(unit.word) - (3 if unit.prefix else 0)


def all_units(nodes: Iterable[Node]) -> set[Unit]:
    """Every word and prefix the trees mention, wherever (under NOT too: their positions are needed)."""
    units: set[Unit] = set()
    stack = list(nodes)
    seen: set[int] = set()  # a concept used by many rules (or twice in one) is one node: walked once
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Term):
            units.update(node.units)
        elif isinstance(node, Scope | Not):
            stack.append(node.child)
        elif isinstance(node, Near):
            stack += (node.left, node.right)
        elif isinstance(node, And | Or):
            stack.extend(node.children)
    return units
