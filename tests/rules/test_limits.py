"""Bounds on what a query or concept may ask for: each one a located error, never a RecursionError or a
hang, and the same query within the bound still compiles and matches."""

from __future__ import annotations

import pytest

from monitor.rules import Document, QueryError, RuleCompileError, RuleSpec, compile_rules
from monitor.rules.limits import MAX_NESTING, MAX_QUERY_CHARS, MAX_TERMS, TOO_DEEP, too_many_terms

DEEP = MAX_NESTING + 1


def errors_of(query: str, concepts: dict[str, list[str]] | None = None) -> list[QueryError]:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("r", query)], concepts or {})
    return caught.value.errors


def chained(count: int) -> dict[str, list[str]]:
    """Concepts c0 … c{count}, each using the next one, the last a word."""
    return {**{f"c{i}": [f"@c{i + 1}"] for i in range(count)}, f"c{count}": ["drone"]}


def doubling(count: int) -> dict[str, list[str]]:
    """Concepts each using the next one twice: c0 stands for 2**count words once written out."""
    return {**{f"c{i}": [f"@c{i + 1}", f"@c{i + 1}"] for i in range(count)}, f"c{count}": ["drone"]}


# (query, offset and length of the one error: the lexeme that goes one level too deep)
TOO_DEEP_QUERIES = [
    ("(" * 500 + "drone" + ")" * 500, MAX_NESTING, 1),
    ("drone " + "NOT " * 2000 + "x", 6 + 4 * MAX_NESTING, 3),
    ("title:" * 1000 + "drone", 6 * MAX_NESTING, 6),
    ("drone" + " NEAR/2 drone" * 500, 6 + 13 * MAX_NESTING, 6),
]


@pytest.mark.parametrize(("query", "offset", "length"), TOO_DEEP_QUERIES)
def test_nesting_past_the_limit_is_an_error_at_the_level_too_deep(
    query: str, offset: int, length: int
) -> None:
    assert errors_of(query) == [QueryError("r", TOO_DEEP, offset, length)]


@pytest.mark.parametrize(
    "query",
    [
        "(" * MAX_NESTING + "drone" + ")" * MAX_NESTING,
        "drone " + "NOT " * (MAX_NESTING - 1) + "x",
        "title:" * MAX_NESTING + "drone",
        "drone" + " NEAR/2 drone" * MAX_NESTING,
    ],
)
def test_nesting_up_to_the_limit_compiles_and_matches(query: str) -> None:
    matcher = compile_rules([RuleSpec("r", query)])
    assert [match.rule for match in matcher.match(Document("drone drone", "drone " * 80))] == ["r"]


def test_a_query_longer_than_the_limit_is_an_error_at_the_first_character_past_it() -> None:
    query = "drone " * (MAX_QUERY_CHARS // 6 + 1)
    message = f"the query is longer than {MAX_QUERY_CHARS:,} characters"
    assert errors_of(query) == [QueryError("r", message, MAX_QUERY_CHARS, len(query) - MAX_QUERY_CHARS)]


def test_concepts_nested_past_the_limit_are_an_error_in_the_concept_that_goes_too_deep() -> None:
    errors = errors_of("@c0", chained(400))
    first = errors[0]
    assert first.rule == f"@c{MAX_NESTING - 1}" and (first.offset, first.length, first.alternative) == (
        0,
        4,
        0,
    )
    chain = f"@c0 → … → @c{MAX_NESTING - 1} → @c{MAX_NESTING}"
    assert first.message == f"concepts nested more than {MAX_NESTING} levels deep: {chain}"
    assert all("nested more than" in error.message for error in errors), "the rule adds no error of its own"


def test_a_rule_nesting_a_deep_concept_deeper_than_the_limit_is_an_error_at_the_concept() -> None:
    concepts = chained(MAX_NESTING - 2)  # c0 nests MAX_NESTING - 1 levels: fine alone, too deep in 2 groups
    assert compile_rules([RuleSpec("r", "@c0")], concepts).match(Document("", "drone"))
    assert errors_of("((@c0))", concepts) == [QueryError("r", TOO_DEEP, 2, 3)]


def test_a_concept_that_doubles_at_each_level_is_refused_before_it_expands() -> None:
    errors = errors_of("@c0 NEAR/3 x", doubling(30))
    (error,) = errors
    assert error.message == too_many_terms("this concept")
    assert error.rule == "@c15" and error.alternative == 1, "2**15 > 20,000 once written out"


def test_a_query_that_uses_a_large_concept_too_often_is_an_error_at_the_use_that_passes_the_limit() -> None:
    concepts = {"big": [f"word{i}" for i in range(MAX_TERMS // 4)]}
    query = "@big OR @big OR @big OR @big OR @big"
    assert errors_of(query, concepts) == [QueryError("r", too_many_terms("the query"), 32, 4)]
    assert compile_rules([RuleSpec("r", "@big OR @big")], concepts).match(Document("", "word7"))


@pytest.mark.parametrize("distance", ["²", "٣", "3" + "0" * 5000, "-3", "03x"])
def test_near_distances_are_ascii_digits_only(distance: str) -> None:
    (error,) = errors_of(f"drone NEAR/{distance} usine")
    assert error.message == "NEAR/n needs a distance n from 1 to 50 words"
    assert (error.offset, error.length) == (6, 5 + len(distance))
