"""The watch-rule language and the matcher (pure: no I/O).

`compile_rules(rules, concepts)` parses every rule once (all errors reported together in a
RuleCompileError); `Matcher.match(document)` returns every matching rule with its terms, highlights and a
snippet; `Matcher.explain(rule, document)` says why. The language is documented in docs/rules.md.
"""

from monitor.rules.matcher import Matcher, compile_rules, naive_match
from monitor.rules.model import Document, Highlight, QueryError, RuleCompileError, RuleMatch, RuleSpec

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
