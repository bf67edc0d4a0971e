"""docs/rules.md stays in step with the code: its example queries compile, its error table is true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.rules import RuleCompileError, RuleSpec, compile_rules

DOC = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
CONCEPTS = {
    name: ["x"] for name in ("north_korea", "shahed_drones", "production", "russia", "alabuga", "munitions")
}
SYNTAX, ERRORS = (
    DOC.split("## Syntax")[1].split("## Concepts")[0],
    DOC.split("## Errors")[1].split("## How")[0],
)
ROW = re.compile(r"^\| `([^`]+)` \| ([^|]+) \|", re.MULTILINE)


@pytest.mark.parametrize("query", [m.group(1) for m in ROW.finditer(SYNTAX)])
def test_documented_queries_compile(query: str) -> None:
    compile_rules([RuleSpec("doc", query)], CONCEPTS)


@pytest.mark.parametrize(
    ("query", "message"), [(m.group(1), m.group(2).strip()) for m in ROW.finditer(ERRORS)]
)
def test_documented_errors_are_the_real_messages(query: str, message: str) -> None:
    with pytest.raises(RuleCompileError) as caught:
        compile_rules([RuleSpec("doc", query)], CONCEPTS)
    assert [error.message for error in caught.value.errors] == [message]
