"""A sentence that says why a rule matched an article or did not (shown for failing rule examples)."""

from __future__ import annotations

from monitor.rules.document import AnalysedDocument
from monitor.rules.evaluate import Evaluator, Occurrence, filter_holds
from monitor.rules.syntax import And, Filter, Near, Node, Not, Or, Scope, Term

MAX_LABEL = 60


def explain(rule: str, tree: Node, evaluator: Evaluator) -> str:
    """`rule 'x' matches: …` or `rule 'x' does not match: …`."""
    matched, reason = _describe(tree, evaluator, None)
    return f"rule {rule!r} {'matches' if matched else 'does not match'}: {reason}"


def label(node: Node) -> str:
    """A short query-like text for a node."""
    if isinstance(node, Term):
        text = node.label
    elif isinstance(node, Scope):
        text = f"{node.field}:{label(node.child)}"
    elif isinstance(node, Filter):
        text = f"{node.kind}:{node.value}"
    elif isinstance(node, Not):
        text = f"NOT {label(node.child)}"
    elif isinstance(node, Near):
        operator = "ONEAR" if node.ordered else "NEAR"
        text = f"{label(node.left)} {operator}/{node.distance} {label(node.right)}"
    elif isinstance(node, Or) and node.concept:
        text = f"@{node.concept}"
    else:
        joiner = " AND " if isinstance(node, And) else " OR "
        text = "(" + joiner.join(label(child) for child in node.children) + ")"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _describe(node: Node, evaluator: Evaluator, field: str | None) -> tuple[bool, str]:
    if isinstance(node, Term | Near):
        return _positional(node, evaluator, field)
    if isinstance(node, Scope):
        return _describe(node.child, evaluator, node.field)
    if isinstance(node, Filter):
        return _filter(node, evaluator.document)
    if isinstance(node, Not):
        matched, reason = _describe(node.child, evaluator, field)
        return (False, f"excluded because {reason}") if matched else (True, reason)
    results = [_describe(child, evaluator, field) for child in node.children]
    if isinstance(node, And):
        failing = [reason for matched, reason in results if not matched]
        return (not failing), "; ".join(failing or [reason for _, reason in results])
    passing = [reason for matched, reason in results if matched]
    if passing:
        return True, passing[0]
    return False, "none of " + label(node) + " is present"


def _positional(node: Term | Near, evaluator: Evaluator, field: str | None) -> tuple[bool, str]:
    where = f" in the {field}" if field else ""
    found = evaluator.occurrences(node, field)
    if found:
        return True, f"{label(node)} found{where} as “{_quote(found[0], evaluator.document)}”"
    if isinstance(node, Term):
        return False, f"{label(node)} is not in the {field or 'article'}"
    sides = [(side, evaluator.occurrences(side, field)) for side in (node.left, node.right)]
    missing = [label(side) for side, occurrences in sides if not occurrences]
    if missing:
        return False, " and ".join(missing) + f" not found{where}"
    order = " (in this order)" if node.ordered else ""
    left, right = label(node.left), label(node.right)
    return False, f"{left} and {right} occur{where} but never within {node.distance} words{order}"


def _quote(occurrence: Occurrence, document: AnalysedDocument) -> str:
    field, start, end = document.span(occurrence[0], occurrence[1])
    source = document.document.title if field == "title" else document.document.text
    return source[start:end][:MAX_LABEL]


def _filter(node: Filter, document: AnalysedDocument) -> tuple[bool, str]:
    article = document.document
    actual = {"lang": document.language, "site": article.url, "source": article.source}[node.kind]
    if filter_holds(node, document):
        return True, f"{node.kind} is {node.value}"
    return False, f"{node.kind} is {actual or 'unknown'}, not {node.value}"
