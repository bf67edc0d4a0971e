"""One YAML file of the configuration directory: plain values, plus where every key and value sits.

The file is composed with ruamel.yaml (which keeps the position and style of every node) and turned into
plain Python values by hand, so that duplicate keys, odd tags, recursive aliases and `${VAR}` references are
all reported at their own line and column, and any later error can be located by its path of keys.

Bounds: a file of at most MAX_FILE_BYTES, nested at most MAX_DEPTH levels (checked while composing, before
any recursion could go deeper), at most MAX_NODES values and MAX_FILE_BYTES characters of text once its
aliases are expanded (an alias repeats what it names: without the bound, a short file could stand for
gigabytes).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from monitor.alerts.redaction import mask_urls_in
from monitor.config.envvars import substitute
from monitor.config.scalars import scalar_offsets
from monitor.errors import Problem

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 32
_STR_TAG = "tag:yaml.org,2002:str"

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Where one value sits: its key node (None for list items), its node, and the enclosing indentation."""

    key: ScalarNode | None
    node: Node
    indent: int
    origin: list[int] | None = None


class YamlFile:
    """The text of one file, its problems so far, and the location of every value by key path."""

    def __init__(self, path: Path, text: str, *, mask_secrets: bool = False) -> None:
        self.name = str(path)
        self.text = text
        self.mask_secrets = mask_secrets
        self.lines = text.split("\n")
        self.line_starts = [0, *accumulate(len(line) + 1 for line in self.lines[:-1])]
        self.located: dict[KeyPath, Located] = {}
        self.unresolved: set[KeyPath] = set()  # values already reported as unreadable
        self.defaulted: list[tuple[str, int]] = []
        self.problems: list[Problem] = []

    def report(self, index: int, message: str, width: int = 1) -> None:
        """Record a problem at a character index of the text."""
        self.problems.append(self.problem(index, message, width))

    def problem(self, index: int, message: str, width: int = 1) -> Problem:
        """A Problem at a character index, with the source line (secrets masked) and a caret."""
        line = max(bisect_right(self.line_starts, index) - 1, 0)
        column = index - self.line_starts[line]
        source = self.lines[line] if line < len(self.lines) else ""
        width = max(1, min(width, len(source) - column))
        if self.mask_secrets:
            source = mask_urls_in(source)
        return Problem(self.name, line + 1, column + 1, message, source, width)

    def at_key(self, path: KeyPath, message: str) -> None:
        """Report at the key of `path` (at its value for list items)."""
        located = self._nearest(path)
        target = located.key if located.key is not None else located.node
        self.report(target.start_mark.index, message, _width(target))

    def at_value(self, path: KeyPath, message: str) -> None:
        """Report at the value of `path`, or of its nearest located ancestor."""
        node = self._nearest(path).node
        self.report(node.start_mark.index, message, _width(node))

    def at_offset(self, path: KeyPath, offset: int, length: int, message: str, *, raw: bool = False) -> None:
        """Report at characters [offset, offset+length) of the string value of `path`, exactly.

        Offsets count in the value after `${VAR}` substitution, or in the file's own string when `raw`.
        """
        located = self._nearest(path)
        spots = self._string_spots(located if not raw else replace(located, origin=None))
        if spots is None:
            self.report(located.node.start_mark.index, message, _width(located.node))
            return
        offset = min(max(offset, 0), len(spots) - 1)
        end = min(offset + max(length, 1), len(spots) - 1)
        start_index = spots[offset]
        last_index = spots[max(end - 1, offset)]
        width = last_index - start_index + 1 if self._same_line(start_index, last_index) else 1
        self.report(start_index, message, width)

    def _string_spots(self, located: Located) -> list[int] | None:
        """Source index of each character of the (substituted) string value, plus its end."""
        node = located.node
        if not isinstance(node, ScalarNode):
            return None
        offsets = scalar_offsets(self.text, node, located.indent)
        if offsets is None:
            return None
        if located.origin is None:
            return offsets
        return [offsets[min(origin, len(offsets) - 1)] for origin in located.origin]

    def _same_line(self, first: int, second: int) -> bool:
        return "\n" not in self.text[first:second]

    def _nearest(self, path: KeyPath) -> Located:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.located:
                return self.located[path[:cut]]
        raise KeyError(path)


def _width(node: Node) -> int:
    start, end = node.start_mark, node.end_mark
    return end.index - start.index if end.line == start.line else 1


def read_yaml(path: Path, environ: Mapping[str, str], *, mask_secrets: bool = False) -> tuple[Any, YamlFile]:
    """Plain values of a YAML file (None when empty or unreadable) and the file with its problems."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        file = YamlFile(path, raw[: exc.start].decode("utf-8", "replace"), mask_secrets=mask_secrets)
        file.report(len(file.text), f"not valid UTF-8 (byte {exc.start})")
        return None, file
    text = text.replace("\r\n", "\n")
    file = YamlFile(path, text, mask_secrets=mask_secrets)
    if len(raw) > MAX_FILE_BYTES:
        file.report(0, f"file is larger than {MAX_FILE_BYTES:,} bytes")
        return None, file
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _BoundedComposer
    try:
        root = yaml.compose(text)
    except _TooDeep as exc:
        file.report(exc.mark.index, f"nested more than {MAX_DEPTH} levels deep")
        return None, file
    except YAMLError as exc:
        _report_syntax(file, exc)
        return None, file
    if root is None:
        return None, file
    file.located[()] = Located(None, root, -1)
    try:
        return _Converter(file, yaml, environ).convert(root, ()), file
    except _TooMuch:
        return None, file  # the one problem says why: every value after it would be missing


class _TooDeep(Exception):
    """Composing went past MAX_DEPTH levels of nesting, at `mark`."""

    def __init__(self, mark: StreamMark) -> None:
        self.mark = mark


class _TooMuch(Exception):
    """Converting went past MAX_NODES values or MAX_FILE_BYTES characters (reported where it did)."""


class _BoundedComposer(Composer):
    """ruamel.yaml's composer (recursive, one level per nested collection) stopped at MAX_DEPTH levels."""

    nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nesting += 1
        try:
            if self.nesting > MAX_DEPTH:
                raise _TooDeep(self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


def _report_syntax(file: YamlFile, exc: YAMLError) -> None:
    """A YAML syntax error, at the position the parser gives."""
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        context = f" ({exc.context})" if exc.context else ""
        file.report(file.line_starts[mark.line] + mark.column, f"YAML syntax error: {exc.problem}{context}")
        return
    position = getattr(exc, "position", 0)
    reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
    file.report(position if isinstance(position, int) else 0, f"YAML syntax error: {reason}")


class _Converter:
    """Turns composed nodes into plain values, recording locations and reporting what cannot be used."""

    def __init__(self, file: YamlFile, yaml: YAML, environ: Mapping[str, str]) -> None:
        self.file = file
        self.yaml = yaml
        self.environ = environ
        self.active: set[int] = set()
        self.count = 0
        self.characters = 0

    def convert(self, node: Node, path: KeyPath) -> Any:
        self.count += 1
        if isinstance(node, ScalarNode):
            self.characters += len(node.value)
        if self.count > MAX_NODES or self.characters > MAX_FILE_BYTES:
            self.file.at_key(path, self._too_much())
            raise _TooMuch
        if id(node) in self.active:
            self.file.at_value(path, "recursive alias")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            assert isinstance(node, ScalarNode)
            return self._scalar(node, path)
        finally:
            self.active.discard(id(node))

    def _too_much(self) -> str:
        if self.count > MAX_NODES:
            return f"too many values: more than {MAX_NODES:,} (aliases expanding?)"
        return f"too much text: more than {MAX_FILE_BYTES:,} characters once the aliases are expanded"

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR_TAG):
                self.file.report(key_node.start_mark.index, "keys must be plain words", _width(key_node))
                continue
            key = key_node.value
            if key in result:
                first = self.file.located[(*path, key)].key
                line = first.start_mark.line + 1 if first is not None else 0
                self.file.report(
                    key_node.start_mark.index,
                    f"duplicate key '{key}' (first at line {line})",
                    _width(key_node),
                )
                continue
            self.file.located[(*path, key)] = Located(key_node, value_node, node.start_mark.column)
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _sequence(self, node: SequenceNode, path: KeyPath) -> list[Any]:
        result: list[Any] = []
        for index, item in enumerate(node.value):
            self.file.located[(*path, index)] = Located(None, item, node.start_mark.column)
            result.append(self.convert(item, (*path, index)))
        return result

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        if node.tag == _STR_TAG:
            return self._string(node, path)
        try:
            return self.yaml.constructor.construct_object(node, deep=True)
        except YAMLError:
            self.file.at_value(path, f"unsupported YAML tag {node.tag}")
        except (ValueError, OverflowError) as error:  # a 5,000-digit number, the 30th of February
            kind = str(node.tag).rsplit(":", 1)[-1]
            reason = str(error).split(":")[0]
            self.file.at_value(path, f"cannot read this {kind}: {reason[:1].lower()}{reason[1:]}")
        self.file.unresolved.add(path)
        return None

    def _string(self, node: ScalarNode, path: KeyPath) -> str:
        """A string with `${VAR}` replaced; errors point at the reference inside the file."""
        result = substitute(node.value, self.environ)
        line = node.start_mark.line + 1
        self.file.defaulted.extend((name, line) for name in result.defaulted)
        if result.errors:
            self.file.unresolved.add(path)
        for error in result.errors:
            self.file.at_offset(path, error.offset, error.length, error.message, raw=True)
        if result.changed:
            self.file.located[path] = replace(self.file.located[path], origin=result.origin)
        return result.value
