"""Saving rules and concepts: the files keep their comments and layout, a stale version is refused, every
change is recorded and can be rolled back; a draft's errors are those of `monitor check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.storage import Database
from monitor.storage.rule_history import list_changes
from monitor.workshop.files import (
    CONCEPTS_FILE,
    RULES_FILE,
    Conflict,
    RuleDraft,
    check_rule,
    open_file,
    rollback,
    save_text,
    with_concept,
    with_rule,
)
from tests.storage.builders import NOW

RULE = "north-korean-munitions-to-russia"


def _draft(config_dir: Path, **changes: object) -> RuleDraft:
    rule = next(r for r in load_config(config_dir).rules if r.name == RULE)
    fields = dict(
        name=rule.name, query=rule.query, description=rule.description, channels=rule.channels,
        enabled=rule.enabled, match=rule.examples.match, no_match=rule.examples.no_match,
    )  # fmt: skip
    return RuleDraft(**(fields | changes))  # type: ignore[arg-type]


def test_a_changed_query_keeps_every_comment_and_the_other_rules_as_written(config_dir: Path) -> None:
    original = open_file(config_dir, RULES_FILE).text
    updated = with_rule(original, _draft(config_dir, query="@north_korea AND @munitions AND @russia"))
    changed = [line for line in updated.splitlines() if line not in original.splitlines()]
    assert [line.strip() for line in changed] == ["@north_korea AND @munitions AND @russia"]
    assert updated.splitlines()[0] == original.splitlines()[0]  # the file's opening comment
    assert with_rule(original, _draft(config_dir)) == original


def test_an_emptied_description_leaves_the_file_without_it(config_dir: Path) -> None:
    original = open_file(config_dir, RULES_FILE).text
    updated = with_rule(original, _draft(config_dir, description=""))
    assert len(updated.splitlines()) < len(original.splitlines())
    assert [line for line in updated.splitlines() if line not in original.splitlines()] == []
    (config_dir / RULES_FILE).write_text(updated)
    rule = next(r for r in load_config(config_dir).rules if r.name == RULE)
    assert rule.description == ""


def test_a_concept_gets_its_new_alternatives(config_dir: Path) -> None:
    text = with_concept(open_file(config_dir, CONCEPTS_FILE).text, "russia", ["Russia", "Moscow"])
    assert "- Moscow" in text or "Moscow]" in text


def test_draft_errors_are_those_of_monitor_check_at_line_and_column(config_dir: Path) -> None:
    concepts = load_config(config_dir).concepts
    check = check_rule(config_dir, _draft(config_dir, query="@russia AND\n  (drone OR"), concepts)
    (fault,) = check.query
    assert (fault.line, fault.column, fault.width) == (2, 10, 2)  # under "OR"
    assert fault.message == "OR needs a word, phrase or group on its right"
    assert check.problems and check.problems[0].file.endswith("rules.yaml")
    assert fault.message in check.problems[0].message


def test_save_history_conflict_and_rollback(database: Database, config_dir: Path) -> None:
    opened = open_file(config_dir, RULES_FILE)
    query = " ".join(_draft(config_dir).query.split()) + " AND NOT nothingthere"
    updated = with_rule(opened.text, _draft(config_dir, query=query))
    with database.session() as session:
        change = save_text(
            session, config_dir, RULES_FILE, updated, version=opened.version, actor="ana",
            subject=RULE, summary="simpler", now=NOW,
        )  # fmt: skip
        session.commit()
    assert (config_dir / RULES_FILE).read_text() == updated
    assert next(r for r in load_config(config_dir).rules if r.name == RULE).query.strip() == query
    with database.session() as session, pytest.raises(Conflict, match="changed on disk"):
        save_text(
            session, config_dir, RULES_FILE, opened.text, version=opened.version, actor="bob",
            subject=RULE, summary="stale", now=NOW,
        )  # fmt: skip
    broken = updated.replace("AND NOT nothingthere", "AND NOT (nothingthere")
    with database.session() as session, pytest.raises(ConfigError):
        save_text(
            session, config_dir, RULES_FILE, broken, version=open_file(config_dir, RULES_FILE).version,
            actor="ana", subject=RULE, summary="broken", now=NOW,
        )  # fmt: skip
    assert (config_dir / RULES_FILE).read_text() == updated
    with database.session() as session:
        rollback(session, config_dir, change.id, actor="ana", now=NOW)
        session.commit()
        assert [(c.actor, c.summary) for c in list_changes(session)] == [
            ("ana", f"rollback of #{change.id}"),
            ("ana", "simpler"),
        ]
    assert (config_dir / RULES_FILE).read_text() == opened.text
    with database.session() as session, pytest.raises(Conflict):
        rollback(session, config_dir, change.id, actor="ana", now=NOW)
