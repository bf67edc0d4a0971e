"""`${VAR}` references: replaced from the environment, errors located in the original string."""

from __future__ import annotations

import pytest

from monitor.config.envvars import substitute

ENV = {"TOKEN": "abc123", "EMPTY": ""}

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
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_bad_references_are_errors_at_their_offset(text: str, expected: list[tuple[int, int, str]]) -> None:
    errors = substitute(text, ENV).errors
    assert [(e.offset, e.length, e.message) for e in errors] == expected


def test_each_character_remembers_its_original_offset() -> None:
    result = substitute("a${TOKEN}b", ENV)
    assert result.value == "aabc123b"
    assert result.origin == [0, 1, 1, 1, 1, 1, 1, 9, 10]
