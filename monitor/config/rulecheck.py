"""Compiling the enabled rules once, locating query errors in the files, and checking rule examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.config.models import RuleConfig
from monitor.config.yamlfile import YamlFile
from monitor.rules import Document, Matcher, QueryError, RuleCompileError, RuleSpec, compile_rules


@dataclass(frozen=True)
class RuleFiles:
    """The files rules and concepts came from (concepts.yaml may be absent)."""

    rules: YamlFile
    concepts: YamlFile | None


def compile_checked(
    files: RuleFiles, rules: Sequence[tuple[int, RuleConfig]], concepts: Mapping[str, list[str]]
) -> Matcher | None:
    """The matcher of the enabled rules, or None after reporting every query error where it is written.

    When some rules are broken the others are compiled again on their own so that their examples are
    still checked.
    """
    seen: set[str] = set()
    enabled = []
    for index, rule in rules:  # a duplicate name is reported already; compile the first one only
        if rule.enabled and rule.name not in seen:
            enabled.append((index, rule))
        seen.add(rule.name)
    try:
        matcher = compile_rules([RuleSpec(rule.name, rule.query) for _, rule in enabled], concepts)
    except RuleCompileError as exc:
        _report_compile_errors(files, enabled, exc.errors)
        broken = {error.rule for error in exc.errors}
        if any(name.startswith("@") for name in broken):
            return None
        survivors = [(index, rule) for index, rule in enabled if rule.name not in broken]
        try:
            partial = compile_rules([RuleSpec(rule.name, rule.query) for _, rule in survivors], concepts)
        except RuleCompileError:
            return None
        check_examples(files.rules, survivors, partial)
        return None
    check_examples(files.rules, enabled, matcher)
    return matcher


def disabled_rule_notes(
    files: RuleFiles, rules: Sequence[tuple[int, RuleConfig]], concepts: Mapping[str, list[str]]
) -> list[str]:
    """A note for each disabled rule whose query does not compile: not an error (it is not matched), but
    `rules test`, which tests disabled rules too, would refuse it."""
    disabled = {rule.name: index for index, rule in rules if not rule.enabled}
    if not disabled:
        return []
    try:
        compile_rules([RuleSpec(rule.name, rule.query) for _, rule in rules if not rule.enabled], concepts)
    except RuleCompileError as error:
        notes = []
        for fault in error.errors:
            located = files.rules.located.get(("rules", disabled.get(fault.rule, -1), "query"))
            line = located.node.start_mark.line + 1 if located is not None else 1
            notes.append(
                f"{files.rules.name}:{line}: disabled rule '{fault.rule}' does not compile: {fault.message}"
            )
        return notes
    return []


def _report_compile_errors(
    files: RuleFiles, enabled: Sequence[tuple[int, RuleConfig]], errors: Sequence[QueryError]
) -> None:
    index_of = {rule.name: index for index, rule in enabled}
    for error in errors:
        if error.rule.startswith("@") and files.concepts is not None:
            _report_concept_error(files.concepts, error)
        elif error.rule in index_of:
            path = ("rules", index_of[error.rule], "query")
            files.rules.at_offset(path, error.offset, error.length, error.message)
        else:
            files.rules.report(0, f"{error.rule}: {error.message}")


def _report_concept_error(file: YamlFile, error: QueryError) -> None:
    """An error inside a concept: at the offending alternative when it can be told, else at the name."""
    name = error.rule[1:]
    message = f"in concept '{name}': {error.message}"
    alternative = _alternative_of(file, name, error)
    if alternative is not None:
        file.at_offset(("concepts", name, alternative), error.offset, error.length, message)
    elif ("concepts", name) in file.located:
        file.at_key(("concepts", name), message)
    else:
        file.report(0, message)


def _alternative_of(file: YamlFile, name: str, error: QueryError) -> int | None:
    """Which alternative an error is in: its `alternative` index when given, else the only one it fits."""
    given = getattr(error, "alternative", None)
    if isinstance(given, int):
        return given if ("concepts", name, given) in file.located else None
    fitting = []
    index = 0
    while ("concepts", name, index) in file.located:
        node = file.located[("concepts", name, index)].node
        text = node.value if isinstance(node.value, str) else ""
        if error.length and error.offset + error.length <= len(text):
            fitting.append((index, text[error.offset : error.offset + error.length] in error.message))
        index += 1
    quoted = [index for index, named in fitting if named]
    if len(quoted) == 1:
        return quoted[0]
    return fitting[0][0] if len(fitting) == 1 else None


def check_examples(file: YamlFile, rules: Sequence[tuple[int, RuleConfig]], matcher: Matcher) -> None:
    """Every `match` example must match its rule and every `no_match` example must not."""
    for index, rule in rules:
        for expected, texts in ((True, rule.examples.match), (False, rule.examples.no_match)):
            key = "match" if expected else "no_match"
            for position, text in enumerate(texts):
                document = Document(title="", text=text)
                matched = any(hit.rule == rule.name for hit in matcher.match(document))
                if matched != expected:
                    verdict = "should match but does not" if expected else "should not match but does"
                    why = " ".join(matcher.explain(rule.name, document).split())
                    file.at_value(("rules", index, "examples", key, position), f"example {verdict}: {why}")
