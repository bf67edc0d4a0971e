"""Rules and concepts written back to their files: round-trip YAML (comments, order and layout kept), every
draft checked as `monitor check` checks it, a save refused when the file changed since it was opened, and
every saved change recorded so that it can be rolled back.

A file's *version* is the SHA-256 of its bytes: the editor gets it when it opens the file and gives it back
when saving; a different version on disk means someone else changed the file meanwhile.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from sqlmodel import Session

from monitor.config.editing import _load, _write
from monitor.config.loader import check_config
from monitor.errors import ConfigError, DeskError, Problem
from monitor.rules import RuleCompileError, RuleSpec, compile_rules
from monitor.storage.rule_history import ChangeRecord, get_change, record_change

RULES_FILE = "rules.yaml"
CONCEPTS_FILE = "concepts.yaml"
FILES = (RULES_FILE, CONCEPTS_FILE)
MAX_FILE_BYTES = 2_000_000
_save_lock = threading.Lock()


class Conflict(DeskError):
    """The file changed on disk since the editor opened it: nothing was written."""


@dataclass(frozen=True)
class Opened:
    """A file as the editor opens it: its text and version."""

    file: str
    text: str
    version: str


@dataclass(frozen=True)
class RuleDraft:
    """A rule as the editor sends it."""

    name: str
    query: str
    description: str = ""
    channels: Sequence[str] = ()
    enabled: bool = True
    match: Sequence[str] = ()
    no_match: Sequence[str] = ()


@dataclass(frozen=True)
class QueryFault:
    """An error in a query, at a 1-based line and column of the query text (for the caret)."""

    message: str
    line: int
    column: int
    width: int
    source_line: str


@dataclass
class DraftCheck:
    """What is wrong with a draft: the problems `monitor check` would print, and those of the query."""

    problems: list[Problem] = field(default_factory=list)
    query: list[QueryFault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.query


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_file(directory: Path, file: str) -> Opened:
    """The text and version of rules.yaml or concepts.yaml (empty when absent)."""
    path = _path(directory, file)
    data = path.read_bytes() if path.exists() else b""
    return Opened(file, data.decode("utf-8-sig"), version_of(data))


def _path(directory: Path, file: str) -> Path:
    if file not in FILES:
        raise DeskError(f"only {' and '.join(FILES)} can be edited here")
    return Path(directory) / file


_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 5, 3))


def _load_faithfully(text: str, name: str) -> tuple[Any, Any]:
    """A round-trip YAML instance and the file's data, with the indentation that writes the file back
    unchanged (tried among the usual layouts; the guessed one otherwise)."""
    yaml, data = _load(text, name)
    if data is None or _dump(yaml, data) == text:
        return yaml, data
    for mapping, sequence, offset in _LAYOUTS:
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        if _dump(yaml, data) == text:
            return yaml, data
    return _load(text, name)


def with_rule(text: str, draft: RuleDraft) -> str:
    """rules.yaml with the rule named `draft.name` changed (only the fields that differ), or appended."""
    yaml, data = _load_faithfully(text, RULES_FILE)
    if data is None:
        data = CommentedMap({"rules": CommentedSeq()})
    rules = data.get("rules") if isinstance(data, CommentedMap) else None
    if not isinstance(rules, CommentedSeq):
        raise DeskError("rules.yaml: expected a 'rules:' list")
    entry = next((r for r in rules if isinstance(r, CommentedMap) and r.get("name") == draft.name), None)
    if entry is None:
        entry = CommentedMap({"name": draft.name})
        rules.append(entry)
    _set_text(entry, "description", draft.description, default="")
    _set_list(entry, "channels", list(draft.channels))
    if entry.get("enabled", True) != draft.enabled:
        entry["enabled"] = draft.enabled
    _set_text(entry, "query", draft.query)
    examples = entry.get("examples")
    if draft.match or draft.no_match or isinstance(examples, CommentedMap):
        if not isinstance(examples, CommentedMap):
            examples = entry["examples"] = CommentedMap()
        _set_list(examples, "match", list(draft.match))
        _set_list(examples, "no_match", list(draft.no_match))
    return _dump(yaml, data)


def with_concept(text: str, name: str, alternatives: Sequence[str]) -> str:
    """concepts.yaml with the concept `name` given these alternatives (its list kept in its own style)."""
    yaml, data = _load_faithfully(text, CONCEPTS_FILE)
    if data is None:
        data = CommentedMap({"concepts": CommentedMap()})
    concepts = data.get("concepts") if isinstance(data, CommentedMap) else None
    if not isinstance(concepts, CommentedMap):
        raise DeskError("concepts.yaml: expected a 'concepts:' mapping")
    _set_list(concepts, name, list(alternatives), keep_empty=True)
    return _dump(yaml, data)


def _set_text(entry: CommentedMap, key: str, value: str, *, default: str | None = None) -> None:
    """Set a text value only if it changed, in the style it was written in (`>` or `|` kept)."""
    old = entry.get(key)
    current = default if old is None else str(old)
    if current is not None and current.split() == value.split():
        return  # unchanged but for line breaks: the text stays as written
    if not value.strip() and default == "":
        entry.pop(key, None)  # emptied: no key rather than a `>2+` block of nothing
        return
    if isinstance(old, FoldedScalarString | LiteralScalarString):
        kind = type(old)
        entry[key] = kind(value.rstrip("\n") + ("\n" if str(old).endswith("\n") else ""))
    else:
        entry[key] = value


def _set_list(entry: CommentedMap, key: str, values: list[str], *, keep_empty: bool = False) -> None:
    """Set a list only if it changed, its items replaced in place (so its flow or block style stays)."""
    old = entry.get(key)
    if isinstance(old, CommentedSeq):
        if list(old) != values:
            old[:] = values
        return
    if values or keep_empty:
        sequence = CommentedSeq(values)
        if all(len(v) < 40 for v in values):
            sequence.fa.set_flow_style()
        entry[key] = sequence


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def check_text(directory: Path, file: str, text: str) -> list[Problem]:
    """Every problem `monitor check` would report if `file` held `text` (located in that file's name)."""
    _path(directory, file)
    with tempfile.TemporaryDirectory(prefix="monitor-draft-") as scratch:
        copy = Path(scratch)
        for original in Path(directory).glob("*.y*ml"):
            if original.is_file():
                shutil.copyfile(original, copy / original.name)
        (copy / file).write_text(text, encoding="utf-8")
        problems = check_config(copy)
    return [_relocated(problem, str(copy), Path(directory)) for problem in problems]


def _relocated(problem: Problem, scratch: str, directory: Path) -> Problem:
    """A problem found in the scratch copy, named by the real file."""
    if not problem.file.startswith(scratch):
        return problem
    name = str(directory / problem.file[len(scratch) + 1 :])
    return Problem(name, problem.line, problem.column, problem.message, problem.source_line, problem.width)


def query_faults(query: str, concepts: Mapping[str, Sequence[str]]) -> list[QueryFault]:
    """The errors of a query (the messages `monitor check` prints), each at its line and column."""
    try:
        compile_rules([RuleSpec("draft", query)], concepts)
    except RuleCompileError as error:
        faults = []
        for fault in error.errors:
            if fault.rule != "draft":
                continue
            before = query[: fault.offset]
            line = before.count("\n") + 1
            start = before.rfind("\n") + 1
            end = query.find("\n", start)
            source = query[start : end if end >= 0 else len(query)]
            faults.append(
                QueryFault(fault.message, line, fault.offset - start + 1, max(1, fault.length), source)
            )
        return faults
    return []


def check_rule(directory: Path, draft: RuleDraft, concepts: Mapping[str, Sequence[str]]) -> DraftCheck:
    """A rule draft checked: its query on its own (for the caret), then rules.yaml as it would be."""
    check = DraftCheck(query=query_faults(draft.query, concepts))
    try:
        text = with_rule(open_file(directory, RULES_FILE).text, draft)
    except (ConfigError, DeskError) as error:
        check.problems = getattr(error, "problems", None) or [Problem(RULES_FILE, 1, 1, str(error))]
        return check
    check.problems = check_text(directory, RULES_FILE, text)
    return check


def save_text(
    session: Session,
    directory: Path,
    file: str,
    text: str,
    *,
    version: str,
    actor: str,
    subject: str,
    summary: str,
    now: datetime,
) -> ChangeRecord:
    """Write `text` to `file` if the file is still at `version` and the configuration then checks clean;
    record the change (in the caller's transaction). Conflict or ConfigError, with nothing written."""
    path = _path(directory, file)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise DeskError(f"{file} would be larger than {MAX_FILE_BYTES:,} bytes")
    with _save_lock:
        current = path.read_bytes() if path.exists() else b""
        if version_of(current) != version:
            raise Conflict(
                f"{file} changed on disk since you opened it (someone else saved it, or it was edited "
                "by hand): nothing was saved; reload it to see the change, then edit again"
            )
        problems = check_text(directory, file, text)
        if problems:
            raise ConfigError(problems)
        before = current.decode("utf-8-sig")
        if "\r\n" in before:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        _write(path, text.encode("utf-8"))
        return record_change(
            session,
            file=file,
            subject=subject,
            actor=actor,
            summary=summary,
            before=before,
            after=text,
            now=now,
        )


def rollback(session: Session, directory: Path, change_id: int, *, actor: str, now: datetime) -> ChangeRecord:
    """Put a file back as it was before a saved change, if it is still as that change left it (else a
    Conflict: later changes are rolled back first); recorded as a change of its own."""
    change = get_change(session, change_id)
    current = open_file(directory, change.file)
    if current.text.replace("\r\n", "\n") != change.after.replace("\r\n", "\n"):
        raise Conflict(f"{change.file} changed since change #{change.id}: roll back the later changes first")
    return save_text(
        session,
        directory,
        change.file,
        change.before,
        version=current.version,
        actor=actor,
        subject=change.subject,
        summary=f"rollback of #{change.id}",
        now=now,
    )
