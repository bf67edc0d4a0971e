"""The pre-filter: what each rule requires of an article's words, and that remembering words is harmless."""

from __future__ import annotations

import pytest

from monitor.rules import Document, RuleSpec, compile_rules, presearch
from monitor.rules.clauses import Clause, required_clauses, requirement
from monitor.rules.parser import parse_query
from monitor.rules.syntax import Node


def _words(clause: Clause) -> set[str]:
    return {unit.word + ("*" if unit.prefix else "") for unit in clause}


def _tree(query: str) -> Node:
    tree, faults = parse_query(query, {}, frozenset())
    assert tree is not None and not faults
    return tree


CLAUSES = [
    ("drone", [{"drone"}]),
    ('"North Korea"', [{"north"}, {"korea"}]),
    ("drone factory", [{"drone"}, {"factory"}]),
    ("drone OR usine", [{"drone", "usine"}]),
    ("drone NOT attack", [{"drone"}]),
    ("(drone factory) OR Shahed", [{"factory", "shahed"}]),
    ("drone NEAR/3 munit*", [{"drone"}, {"munit*"}]),
    ("title:drone lang:fr", [{"drone"}]),
]


@pytest.mark.parametrize(("query", "expected"), CLAUSES)
def test_rules_require_a_clause_per_needed_word(query: str, expected: list[set[str]]) -> None:
    assert [_words(clause) for clause in required_clauses(_tree(query))] == expected


REQUIREMENTS = [
    ("drone factory", {"factory"}, [{"drone"}]),
    ("munit* NEAR/5 Alabuga", {"alabuga"}, [{"munit*"}]),
    ("drone OR usine", {"drone", "usine"}, []),
]


@pytest.mark.parametrize(("query", "primary", "others"), REQUIREMENTS)
def test_rules_are_selected_by_their_rarest_clause(
    query: str, primary: set[str] | None, others: list[set[str]]
) -> None:
    found = requirement(_tree(query))
    assert found.primary is not None and _words(found.primary) == primary
    assert [_words(clause) for clause in found.others] == others


ARTICLES = [
    (
        "Shahed factory",
        "Russia builds Shahed drones at a factory in Alabuga.",
        "en",
        ["factory", "alabuga", "shahed"],
    ),
    ("Usines", "L'usine d'Alabuga produit des drones Shahed.", "fr", ["alabuga"]),
    ("Шахеды", "Завод в Алабуге выпускает шахеды.", "ru", ["alabuga", "shahed"]),
    ("Nothing", "A quiet day in the markets.", "en", []),
]


def test_forgetting_learnt_words_changes_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presearch, "REMEMBERED_WORDS", 3)
    rules = [
        RuleSpec("factory", "drone factory"),
        RuleSpec("alabuga", "Alabuga NEAR/8 (drone* OR Shahed OR usine)"),
        RuleSpec("shahed", "title:Shahed"),
    ]
    matcher = compile_rules(rules)
    for _ in range(2):
        for title, text, language, expected in ARTICLES:
            document = Document(title, text, language)
            assert [match.rule for match in matcher.match(document)] == expected
            assert matcher.match(document) == matcher.match_all(document)


def test_words_joined_by_apostrophes_are_found_each() -> None:
    matcher = compile_rules([RuleSpec("brien", "Brien NEAR/2 factory"), RuleSpec("hui", "title:hui")])
    document = Document("Aujourd'hui", "O'Brien's factory, aujourd'hui.", "en")
    for _ in range(2):  # learning, then remembering
        assert [match.rule for match in matcher.match(document)] == ["brien", "hui"]
        assert matcher.match(document) == matcher.match_all(document)
