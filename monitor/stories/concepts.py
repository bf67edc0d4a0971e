"""The configuration's concepts as language-independent features, found by the rule engine itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitor.rules import Document, RuleSpec, compile_rules


class ConceptFinder:
    """Finds which concepts of the configuration an article names (each concept compiled as a rule `@name`,
    so that stemming, prefixes and cross-script names work as in rules). Pure and reusable."""

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        specs = [RuleSpec(name=name, query=f"@{name}") for name in sorted(concepts)]
        self._matcher = compile_rules(specs, concepts) if specs else None

    def __call__(self, title: str, text: str, language: str | None) -> frozenset[str]:
        if self._matcher is None:
            return frozenset()
        found = self._matcher.match(Document(title=title, text=text, language=language))
        return frozenset(match.rule for match in found)
