"""@concepts: named lists of alternatives (words, phrases, prefixes or @other concepts), resolved once.

Each alternative is analysed like a quoted phrase: `North Korea` and `"North Korea"` are the same phrase,
`nord-coréen*` is `nord` followed by a word starting with `coreen`. A concept may use another; a cycle,
an unknown name, concepts nested too deeply or a concept that stands for too many terms once written out
(see `monitor.rules.limits`) is an error located in the alternative that causes it (rule `@name`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from monitor.rules.lexer import LexError
from monitor.rules.limits import MAX_NESTING, MAX_QUERY_CHARS, MAX_TERMS, TERM, TOO_LONG, Size, too_many_terms
from monitor.rules.model import QueryError
from monitor.rules.syntax import Node, Or
from monitor.rules.terms import build_term


@dataclass(frozen=True)
class ResolvedConcepts:
    """Every concept that could be resolved as one OR-node, with its size; the names that could not be
    resolved; every error found."""

    nodes: dict[str, Node]
    sizes: dict[str, Size]
    broken: frozenset[str]
    errors: list[QueryError]


@dataclass
class _Resolver:
    """Resolves concepts depth-first, remembering which are done, in progress, or broken."""

    raw: Mapping[str, Sequence[str]]
    done: dict[str, Node] = field(default_factory=dict)
    sizes: dict[str, Size] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    errors: list[QueryError] = field(default_factory=list)
    too_deep: bool = False

    def resolve(self, name: str, stack: tuple[str, ...]) -> Node | None:
        if name in self.done:
            return self.done[name]
        if name in self.broken:
            return None
        children: list[Node] = []
        nesting, terms, ok = 0, 0, True
        for index, alternative in enumerate(self.raw[name]):
            child = self.alternative(name, index, str(alternative), (*stack, name))
            ok = ok and child is not None
            if child is None:
                continue
            children.append(child)
            size = self.sizes[child.concept] if isinstance(child, Or) else TERM
            nesting, terms = max(nesting, size.nesting), terms + size.terms
            if ok and terms > MAX_TERMS:
                self.errors.append(QueryError(f"@{name}", too_many_terms("this concept"), 0, 0, index))
                ok = False
                break
        if not ok or not children:
            if not children and ok:
                self.errors.append(QueryError(f"@{name}", "a concept needs at least one alternative", 0, 0))
            self.broken.add(name)
            return None
        self.done[name] = Or(tuple(children), concept=name)
        self.sizes[name] = Size(nesting + 1, terms)
        return self.done[name]

    def alternative(self, name: str, index: int, text: str, stack: tuple[str, ...]) -> Node | None:
        if len(text) > MAX_QUERY_CHARS:
            message = f"an alternative {TOO_LONG}"
            self.errors.append(QueryError(f"@{name}", message, MAX_QUERY_CHARS, 1, index))
            return None
        stripped = text.strip()
        offset = len(text) - len(text.lstrip())
        if stripped.startswith("@"):
            return self.reference(name, index, (stripped, offset), stack)
        if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
            stripped, offset = stripped[1:-1], offset + 1
        term = build_term(stripped, offset, text.strip())
        if isinstance(term, LexError):
            self.errors.append(QueryError(f"@{name}", term.message, term.offset, term.length, index))
            return None
        return term

    def reference(
        self, name: str, index: int, located: tuple[str, int], stack: tuple[str, ...]
    ) -> Node | None:
        text, offset = located
        other = text[1:]
        if other not in self.raw:
            message = f"unknown concept {text}"
            self.errors.append(QueryError(f"@{name}", message, offset, len(text), index))
            return None
        if other in stack:
            cycle = " → ".join(f"@{n}" for n in (*stack[stack.index(other) :], other))
            message = f"concept cycle: {cycle}"
            self.errors.append(QueryError(f"@{name}", message, offset, len(text), index))
            return None
        below = self.sizes[other].nesting if other in self.sizes else 1
        if len(stack) + below > MAX_NESTING:
            chain = " → ".join(f"@{n}" for n in (*stack, other))
            chain = chain if len(stack) < 4 else " → ".join((f"@{stack[0]}", "…", f"@{stack[-1]}", text))
            message = f"concepts nested more than {MAX_NESTING} levels deep: {chain}"
            if not self.too_deep:  # once: the rest of a long chain would repeat it every MAX_NESTING levels
                self.errors.append(QueryError(f"@{name}", message, offset, len(text), index))
            self.too_deep = True
            return None
        return self.resolve(other, stack)


def resolve_concepts(concepts: Mapping[str, Sequence[str]]) -> ResolvedConcepts:
    """Every concept as one OR-node, with its size; the names that could not be resolved; every error."""
    resolver = _Resolver(concepts)
    for name in concepts:
        resolver.resolve(name, ())
    return ResolvedConcepts(resolver.done, resolver.sizes, frozenset(resolver.broken), resolver.errors)
