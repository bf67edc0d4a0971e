"""Broken queries and concepts: every fault reported at once, with message, offset and length."""

from __future__ import annotations

import pytest

from monitor.rules import QueryError, RuleCompileError, RuleSpec, compile_rules


def errors_of(query: str, concepts: dict[str, list[str]] | None = None) -> list[tuple[str, int, int]]:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("r", query)], concepts or {"known": ["x"]})
    return [(e.message, e.offset, e.length) for e in caught.value.errors]


NEEDS_POSITIVE = "a rule needs at least one word, phrase or prefix that must appear (NOT only excludes)"
NEAR_OPERANDS = "NEAR joins words, phrases, prefixes, @concepts or OR-groups (not AND, NOT, filters)"
SHORT_PREFIX = "prefix 'dr*' is too short: write at least 3 letters before *"

CASES = [
    ("", [("empty query: write at least one word", 0, 0)]),
    ("   ", [("empty query: write at least one word", 0, 3)]),
    ("(drone OR usine", [("unclosed parenthesis: add the matching ')'", 0, 1)]),
    ("drone)", [("unexpected ')' without a matching '('", 5, 1)]),
    ("drone AND", [("AND needs a word, phrase or group on its right", 6, 3)]),
    ("OR drone", [("OR needs a word, phrase or group on its left", 0, 2)]),
    ("drone OR OR usine", [("OR needs a word, phrase or group on its right", 6, 2)]),
    ("drone NEAR", [("NEAR needs a word, phrase or group on its right", 6, 4)]),
    ("drone NEAR/0 usine", [("NEAR/n needs a distance n from 1 to 50 words", 6, 6)]),
    ("drone ONEAR/51 usine", [("ONEAR/n needs a distance n from 1 to 50 words", 6, 8)]),
    ("drone NEAR/x usine", [("NEAR/n needs a distance n from 1 to 50 words", 6, 6)]),
    ("dr* usine", [("prefix 'dr*' is too short: write at least 3 letters before *", 0, 3)]),
    ("usine nord-co*", [("prefix 'nord-co*' is too short: write at least 3 letters before *", 6, 8)]),
    ("dr*one", [("* is allowed only at the end of a word", 2, 1)]),
    ("foo:drone", [("unknown field 'foo' (known: title, text, source, lang, site)", 0, 3)]),
    ("drone @missing", [("unknown concept @missing", 6, 8)]),
    ('drone "usine d', [('unterminated quote: add the closing "', 6, 8)]),
    ('drone ""', [("empty phrase: write words between the quotes", 6, 2)]),
    ('drone "', [('unterminated quote: add the closing "', 6, 1)]),
    ("NOT drone", [(NEEDS_POSITIVE, 0, 9)]),
    ("-drone", [(NEEDS_POSITIVE, 0, 6)]),
    ("lang:fr", [(NEEDS_POSITIVE, 0, 7)]),
    ("drone lang:french1", [("lang: expects a language code such as fr, not 'french1'", 11, 7)]),
    ("drone site:http://x", [("site: expects a domain such as example.com, not 'http://x'", 11, 8)]),
    ("title: drone", [("title: needs a word, phrase or group right after it", 0, 6)]),
    ("(a AND b) NEAR c", [(NEAR_OPERANDS, 0, 9)]),
    ("drone NOT", [("NOT needs a word, phrase or group on its right", 6, 3)]),
    ("drone @", [("a concept name (letters, digits, _ or -) must follow @", 6, 1)]),
    (
        "dr* AND foo:x AND @nope",
        [
            ("prefix 'dr*' is too short: write at least 3 letters before *", 0, 3),
            ("unknown field 'foo' (known: title, text, source, lang, site)", 8, 3),
            ("unknown concept @nope", 18, 5),
        ],
    ),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_broken_query_is_located(query: str, expected: list[tuple[str, int, int]]) -> None:
    assert errors_of(query) == expected


def test_errors_of_all_rules_are_reported_together() -> None:
    rules = [RuleSpec("good", "drone"), RuleSpec("bad1", "(drone"), RuleSpec("bad2", "x NEAR/99 y")]
    with pytest.raises(RuleCompileError) as caught:
        compile_rules(rules)
    assert [e.rule for e in caught.value.errors] == ["bad1", "bad2"]
    assert "bad1: unclosed parenthesis" in str(caught.value)


def test_duplicate_rule_names_are_an_error() -> None:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("a", "x"), RuleSpec("a", "y")])
    assert caught.value.errors == [QueryError("a", "another rule is already named 'a'", 0, 0)]


CONCEPT_CASES = [
    ({"a": ["@b"], "b": ["@a"]}, [QueryError("@b", "concept cycle: @a → @b → @a", 0, 2, 0)]),
    ({"a": ["@a"]}, [QueryError("@a", "concept cycle: @a → @a", 0, 2, 0)]),
    ({"a": ["x", " @nope"]}, [QueryError("@a", "unknown concept @nope", 1, 5, 1)]),
    ({"a": ["ok", "dr*"]}, [QueryError("@a", SHORT_PREFIX, 0, 3, 1)]),
    ({"a": ['"usine d"', "!!"]}, [QueryError("@a", "'!!' has no letters or digits to search for", 0, 2, 1)]),
    ({"a": []}, [QueryError("@a", "a concept needs at least one alternative", 0, 0)]),
]


@pytest.mark.parametrize(("concepts", "expected"), CONCEPT_CASES)
def test_broken_concepts_are_located_in_their_alternative(
    concepts: dict[str, list[str]], expected: list[QueryError]
) -> None:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("r", "drone")], concepts)
    assert caught.value.errors == expected


def test_a_rule_using_a_broken_concept_adds_no_second_error() -> None:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("r", "@a drone")], {"a": ["dr*"]})
    assert [e.rule for e in caught.value.errors] == ["@a"]
