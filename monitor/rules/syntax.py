"""The parsed form of a query: a tree of terms, scopes, filters and operators (immutable)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from monitor.rules.lexer import FILTER_FIELDS

FIELDS = ("title", "text")
FILTERS = FILTER_FIELDS


class Unit(NamedTuple):
    """One word of a term: its folded form, whether it is a prefix, and its cross-script keys (a named tuple:
    units are hashed a lot, in the pre-filter and the evaluator, and a tuple hashes at C speed)."""

    word: str
    prefix: bool = False
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """A word, prefix or phrase (consecutive units); `label` is how the rule wrote it."""

    label: str
    units: tuple[Unit, ...]


@dataclass(frozen=True, slots=True)
class Scope:
    """`title:` or `text:` — the child must match in that field."""

    field: str
    child: Node


@dataclass(frozen=True, slots=True)
class Filter:
    """`source:NAME`, `lang:fr`, `site:example.com` — a condition on the document, not on its words."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Any of the children; `concept` names the @concept this group came from, if any."""

    children: tuple[Node, ...]
    concept: str = ""


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Near:
    """`left NEAR/n right` (either order) or `left ONEAR/n right` (left first), n words apart at most."""

    left: Node
    right: Node
    distance: int
    ordered: bool


Node = Term | Scope | Filter | And | Or | Not | Near


def is_positional(node: Node) -> bool:
    """True for nodes that have positions in the text, which is what NEAR can join."""
    if isinstance(node, Term | Near):
        return True
    if isinstance(node, Scope):
        return is_positional(node.child)
    if isinstance(node, Or):
        return all(is_positional(child) for child in node.children)
    return False


def has_positive(node: Node) -> bool:
    """True when every way the node can match requires some word of the text to be present."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Scope):
        return has_positive(node.child)
    if isinstance(node, Near):
        return True
    if isinstance(node, And):
        return any(has_positive(child) for child in node.children)
    if isinstance(node, Or):
        return all(has_positive(child) for child in node.children)
    return False
