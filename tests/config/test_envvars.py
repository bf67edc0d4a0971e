"""`${VAR}` references: replaced from the environment, errors located in the original string."""

from __future__ import annotations

import pytest

from monitor.config.envvars import substitute

ENV = {"TOKEN": "abc123", "EMPTY": "", "OTHER": "json://other/hook"}

# (text, expected value)
REPLACED = [
    ("no reference", "no reference"),
    ("tgram://${TOKEN}/42", "tgram://abc123/42"),
    ("${TOKEN}${TOKEN}", "abc123abc123"),
    ("${UNSET:-json://localhost:8099/alerts}", "json://localhost:8099/alerts"),
    ("${EMPTY:-fallback}", "fallback"),
    ("${TOKEN:-fallback}", "abc123"),
    ("${EMPTY}", ""),
    ("cost $5 and $${LITERAL}", "cost $5 and ${LITERAL}"),
    # a default may hold references itself, read only when the default is used
    ("${NOT_SET:-${OTHER}}", "json://other/hook"),
    ("${NOT_SET:-${ALSO_UNSET:-json://localhost/x}}/y", "json://localhost/x/y"),
    ("${TOKEN:-${NOT_SET}}", "abc123"),
    ("${EMPTY:-${NOT_SET:-a}b}c}", "abc}"),
    ("{braces} ${TOKEN}}", "{braces} abc123}"),
]


@pytest.mark.parametrize(("text", "expected"), REPLACED)
def test_references_are_replaced(text: str, expected: str) -> None:
    result = substitute(text, ENV)
    assert (result.value, result.errors) == (expected, [])


# (text, expected (offset, length, message) of each error)
BROKEN = [
    ("x ${MISSING} y", [(2, 10, "environment variable MISSING is not set")]),
    ("${TOKEN", [(0, 7, "unclosed ${ (write $${ for a literal ${)")]),
    ("${1BAD}", [(0, 7, "invalid variable reference ${1BAD}: expected ${NAME} or ${NAME:-default}")]),
    ("${A} ${B}", [(0, 4, "environment variable A is not set"), (5, 4, "environment variable B is not set")]),
    ("${NOT_SET:-${MISSING}}", [(11, 10, "environment variable MISSING is not set")]),
    (
        "${TOKEN:-${1BAD}}",
        [(9, 7, "invalid variable reference ${1BAD}: expected ${NAME} or ${NAME:-default}")],
    ),
    ("${NOT_SET:-${OTHER}", [(0, 19, "unclosed ${ (write $${ for a literal ${)")]),
    ("${A:-" * 9 + "x" + "}" * 9, [(40, 15, "defaults nested more than 8 levels deep")]),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_bad_references_are_errors_at_their_offset(text: str, expected: list[tuple[int, int, str]]) -> None:
    errors = substitute(text, ENV).errors
    assert [(e.offset, e.length, e.message) for e in errors] == expected


def test_each_character_remembers_its_original_offset() -> None:
    result = substitute("a${TOKEN}b", ENV)
    assert result.value == "aabc123b"
    assert result.origin == [0, 1, 1, 1, 1, 1, 1, 9, 10]


def test_a_nested_default_notes_every_variable_that_fell_back() -> None:
    assert substitute("${NOT_SET:-${ALSO_UNSET:-x}}", ENV).defaulted == ["NOT_SET", "ALSO_UNSET"]
    assert substitute("${NOT_SET:-${OTHER}}", ENV).defaulted == ["NOT_SET"]
