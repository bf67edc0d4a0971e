"""The watch-rule language and the matcher (pure: no I/O).

`compile_rules(rules, concepts)` parses every rule once (all errors reported together in a
RuleCompileError); `Matcher.match(document)` returns every matching rule with its terms, highlights and a
snippet; `Matcher.explain(rule, document)` says why. The language is documented in docs/rules.md. Names are
imported on first use: reading the database (its search, through `monitor.rules.analysis`) does not load
the matcher and its dictionaries.
"""

from typing import TYPE_CHECKING

from monitor.lazy import lazy_exports

_EXPORTS = {
    "Matcher": "matcher",
    "compile_rules": "matcher",
    "naive_match": "matcher",
    "Document": "model",
    "Highlight": "model",
    "QueryError": "model",
    "RuleCompileError": "model",
    "RuleMatch": "model",
    "RuleSpec": "model",
}
__all__ = [
    "Document",
    "Highlight",
    "Matcher",
    "QueryError",
    "RuleCompileError",
    "RuleMatch",
    "RuleSpec",
    "compile_rules",
    "naive_match",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from monitor.rules.matcher import Matcher, compile_rules, naive_match
    from monitor.rules.model import Document, Highlight, QueryError, RuleCompileError, RuleMatch, RuleSpec
