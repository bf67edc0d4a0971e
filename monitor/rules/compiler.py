"""Rules and concepts → query trees, with every error of every rule and concept reported at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.rules.concepts import resolve_concepts
from monitor.rules.model import QueryError, RuleCompileError, RuleSpec
from monitor.rules.parser import parse_query
from monitor.rules.syntax import Node


@dataclass(frozen=True)
class CompiledRules:
    """The rule names, in the order given, and their query trees."""

    names: tuple[str, ...]
    trees: tuple[Node, ...]


def compile_trees(rules: Sequence[RuleSpec], concepts: Mapping[str, Sequence[str]]) -> CompiledRules:
    """Parse every rule against the resolved concepts; raise RuleCompileError listing all faults."""
    resolved = resolve_concepts(concepts)
    errors = list(resolved.errors)
    names: list[str] = []
    trees: list[Node] = []
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            errors.append(QueryError(rule.name, f"another rule is already named {rule.name!r}", 0, 0))
        seen.add(rule.name)
        tree, faults = parse_query(rule.query, resolved.nodes, resolved.broken, resolved.sizes)
        errors.extend(QueryError(rule.name, f.message, f.offset, f.length) for f in faults)
        if tree is not None:
            names.append(rule.name)
            trees.append(tree)
    if errors:
        raise RuleCompileError(errors)
    return CompiledRules(tuple(names), tuple(trees))
