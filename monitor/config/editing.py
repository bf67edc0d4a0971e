"""Adding sources to sources.yaml the way a person would: comments, order and layout kept, result checked.

The file is edited with ruamel.yaml in round-trip mode, so everything already written stays as written;
the whole configuration directory is then loaded again, and on any problem the file is put back exactly
as it was, so that a command never leaves a broken configuration behind.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from monitor.config.loader import load_config
from monitor.config.models import SourceConfig, WatchConfig
from monitor.errors import ConfigError, Problem
from monitor.sanitize import sanitize

SOURCES_FILE = "sources.yaml"
MAX_NAME_CHARS = 200
_NEW_FILE = "# Sources polled by monitor (reference: docs/configuration.md).\nsources:\n"


def unique_name(wanted: str, taken: set[str], *, fallback: str = "source") -> str:
    """`wanted` cleaned up (sanitized, one line, trimmed, at most 200 characters), with ` (2)`, ` (3)`…
    if taken."""
    base = " ".join(sanitize(wanted).split()) or " ".join(sanitize(fallback).split()) or "source"
    if base[:MAX_NAME_CHARS] not in taken:
        return base[:MAX_NAME_CHARS]
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = base[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
        if candidate not in taken:
            return candidate
        number += 1


def source_entry(
    name: str, url: str, *, interval: str | None = None, language: str | None = None, tags: Sequence[str] = ()
) -> dict[str, Any]:
    """The keys written to sources.yaml for a new source, defaults left out."""
    entry: dict[str, Any] = {"name": name, "url": url}
    if interval:
        entry["interval"] = interval
    if language:
        entry["language"] = language
    if tags:
        entry["tags"] = list(tags)
    return entry


def entry_problem(entry: Mapping[str, Any]) -> str | None:
    """Why `entry` would not be a valid source (`field: message`), or None."""
    try:
        SourceConfig.model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        return f"{field}: {first['msg'].removeprefix('Value error, ')}" if field else first["msg"]
    return None


def append_sources(
    directory: Path, entries: Sequence[Mapping[str, Any]], *, environ: Mapping[str, str] | None = None
) -> WatchConfig:
    """Append `entries` (plain keys → values) to sources.yaml and return the configuration loaded again.

    Raises ConfigError, with sources.yaml restored byte for byte (or removed if it did not exist), when
    the file cannot be edited or the configuration no longer loads.
    """
    path = Path(directory) / SOURCES_FILE
    original = path.read_bytes() if path.exists() else None
    text = original.decode("utf-8-sig") if original is not None else _NEW_FILE
    updated = appended_text(text.replace("\r\n", "\n"), entries, name=str(path))
    if "\r\n" in text:
        updated = updated.replace("\n", "\r\n")  # keep Windows line endings where they were
    _write(path, updated.encode("utf-8"))
    try:
        return load_config(Path(directory), environ)
    except BaseException:
        _restore(path, original)
        raise


def set_source_enabled(
    directory: Path, name: str, enabled: bool, *, environ: Mapping[str, str] | None = None
) -> WatchConfig:
    """Set `enabled:` of the source called `name` in sources.yaml (all else kept) and return the
    configuration loaded again; ConfigError (file restored) when there is no such source or it breaks."""
    path = Path(directory) / SOURCES_FILE
    original = path.read_bytes() if path.exists() else None
    text = (original or b"").decode("utf-8-sig").replace("\r\n", "\n")
    yaml, data = _load(text, str(path))
    sources = data.get("sources") if isinstance(data, CommentedMap) else None
    found = [
        entry for entry in sources or [] if isinstance(entry, CommentedMap) and entry.get("name") == name
    ]
    if not found:
        raise ConfigError([Problem(str(path), 1, 1, f"no source named {name!r}")])
    found[0]["enabled"] = enabled
    out = io.StringIO()
    yaml.dump(data, out)
    _write(path, out.getvalue().encode("utf-8"))
    try:
        return load_config(Path(directory), environ)
    except BaseException:
        _restore(path, original)
        raise


def appended_text(text: str, entries: Sequence[Mapping[str, Any]], *, name: str = SOURCES_FILE) -> str:
    """The YAML text with `entries` added at the end of its `sources:` list, all else unchanged."""
    yaml, data = _load(text, name)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ConfigError([Problem(name, 1, 1, "expected 'sources:' at the top of the file")])
    sources = data.get("sources")
    if sources is None:
        sources = data["sources"] = CommentedSeq()
    if not isinstance(sources, CommentedSeq):
        raise ConfigError([Problem(name, 1, 1, "'sources' must be a list")])
    if not sources:
        sources.fa.set_block_style()
        yaml.indent(mapping=2, sequence=4, offset=2)  # nothing to imitate: the style of the bundled file
    sources.extend(_entry(entry) for entry in entries)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _load(text: str, name: str) -> tuple[YAML, Any]:
    """A round-trip YAML instance set to the file's own indentation, and the file's data."""
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text) if text.strip() else (None, 2, 2)
    except YAMLError as error:
        raise ConfigError([Problem(name, 1, 1, f"YAML syntax error: {error}")]) from error
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.preserve_quotes = True
    offset = block_seq_indent or 0
    yaml.indent(mapping=indent or 2, sequence=max(indent or 2, offset + 2), offset=offset)
    return yaml, yaml.load(text) if text.strip() else None


def _entry(entry: Mapping[str, Any]) -> CommentedMap:
    """One source as a YAML mapping: lists in flow style (`tags: [a, b]`), `${` escaped in text."""
    mapping = CommentedMap()
    for key, value in entry.items():
        if isinstance(value, list | tuple):
            sequence = CommentedSeq(_escaped(item) for item in value)
            sequence.fa.set_flow_style()
            mapping[key] = sequence
        else:
            mapping[key] = _escaped(value)
    return mapping


def _escaped(value: Any) -> Any:
    """Text taken from feeds is literal: `${` would otherwise be read as a variable."""
    return value.replace("${", "$${") if isinstance(value, str) else value


def _write(path: Path, data: bytes) -> None:
    """Replace the file atomically, so that a crash never leaves half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restore(path: Path, original: bytes | None) -> None:
    if original is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, original)
