"""The bundled rules and concepts (config/) load, compile, and satisfy their own examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import py3langid
import pytest
from ruamel.yaml import YAML

from monitor.rules import Document, RuleSpec, compile_rules

CONFIG = Path(__file__).resolve().parents[2] / "config"


def _load(name: str) -> Any:
    return YAML(typ="safe").load((CONFIG / name).read_text(encoding="utf-8"))


RULES: list[dict[str, Any]] = _load("rules.yaml")["rules"]
CONCEPTS: dict[str, list[str]] = _load("concepts.yaml")["concepts"]
MATCHER = compile_rules([RuleSpec(rule["name"], rule["query"]) for rule in RULES], CONCEPTS)
EXAMPLES = [
    (rule["name"], text, expected)
    for rule in RULES
    for expected, key in ((True, "match"), (False, "no_match"))
    for text in rule["examples"][key]
]


def test_three_rules_for_the_analysts_channel() -> None:
    assert MATCHER.rule_names == (
        "shahed-production-russia",
        "rail-freight-north-korea-russia",
        "north-korean-munitions-to-russia",
    )
    assert all(rule["channels"] == ["analysts"] and rule["enabled"] for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[rule["name"] for rule in RULES])
def test_examples_cover_english_french_russian_and_ukrainian(rule: dict[str, Any]) -> None:
    for key in ("match", "no_match"):
        languages = {py3langid.classify(text)[0] for text in rule["examples"][key]}
        assert {"en", "fr", "ru"} <= languages | ({"ru"} if "uk" in languages else set())


@pytest.mark.parametrize(("rule", "text", "expected"), EXAMPLES)
@pytest.mark.parametrize("with_language", [False, True], ids=["no-language", "detected-language"])
def test_bundled_examples(rule: str, text: str, expected: bool, with_language: bool) -> None:
    language = py3langid.classify(text)[0] if with_language else None
    document = Document("", text, language)
    matched = rule in [match.rule for match in MATCHER.match(document)]
    assert matched is expected, MATCHER.explain(rule, document)


def test_a_plain_drone_attack_or_missile_test_fires_no_rule() -> None:
    for text, language in [
        ("Russia attacked Odesa with Shahed drones and missiles overnight.", "en"),
        ("La Corée du Nord a procédé à un nouvel essai de missile balistique.", "fr"),
        ("Росія атакувала Одесу шахедами та ракетами.", "uk"),
    ]:
        assert MATCHER.match(Document("", text, language)) == []
