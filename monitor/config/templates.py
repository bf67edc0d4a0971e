"""Checking a channel's message templates when the configuration loads, every fault at its file:line:col.

A template is read (inline, or from a file inside the configuration directory), compiled in the sandbox
for the channel's format, and tried on sample messages (a full one and a sparse one), so that a syntax
error, an unknown name or a forbidden attribute (`''.__class__`) is reported at load, where it is written,
and not when the first alert is due.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitor.alerts.styles import MAX_TEMPLATE_CHARS, Format
from monitor.config.models import ChannelConfig, TemplateFile
from monitor.config.yamlfile import YamlFile
from monitor.errors import Problem

_QUOTED = re.compile(r"'([^'\n]{1,80})'")
_TAG = re.compile(r"\{[{%#]")


def check_channel_templates(
    file: YamlFile, directory: Path, index: int, channel: ChannelConfig, problems: list[Problem]
) -> ChannelConfig:
    """The channel with its template files read into text; each fault reported in `file` (inline
    templates, file references) or added to `problems` (faults inside a template file)."""
    given = {name: value for name, value in channel.templates if value is not None}
    if not given:
        return channel
    texts: dict[str, str] = {}
    for name, value in given.items():
        path = ("channels", index, "templates", name)
        if isinstance(value, TemplateFile):
            text = _read(file, (*path, "file"), directory, value.file)
            if text is None:
                continue
            located = YamlFile(directory / value.file, text)
            for line, message in _faults(name, text, channel.format):
                _report_in_file(located, text, line, message)
            problems.extend(located.problems)
        else:
            text = value
            for line, message in _faults(name, text, channel.format):
                offset, width = _spot(text, line, message)
                file.at_offset(path, offset, width, f"template {name}: {message}")
        texts[name] = text
    return channel.model_copy(update={"templates": channel.templates.model_copy(update=texts)})


def _read(file: YamlFile, path: tuple[str | int, ...], directory: Path, name: str) -> str | None:
    """The text of a template file inside `directory`, or None after reporting why not."""
    root = directory.resolve()
    target = (directory / name).resolve()
    if not target.is_relative_to(root):
        file.at_value(path, f"template file {name!r} is outside the configuration directory")
        return None
    if not target.is_file():
        file.at_value(path, f"template file {name!r} not found in {directory}")
        return None
    raw = target.read_bytes()
    if len(raw) > MAX_TEMPLATE_CHARS:
        file.at_value(path, f"template file {name!r} is larger than {MAX_TEMPLATE_CHARS:,} bytes")
        return None
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        file.at_value(path, f"template file {name!r} is not valid UTF-8 (byte {error.start})")
        return None


def _faults(name: str, text: str, channel_format: Format) -> list[tuple[int, str]]:
    """What is wrong with one template: (template line, 0 when unknown; message), at most one."""
    from jinja2 import TemplateSyntaxError

    from monitor.alerts.rendering import TemplateFailed, compiled, run

    into: Format = "text" if name in ("title", "digest_title") else channel_format
    try:
        template = compiled(text, into)
    except TemplateSyntaxError as error:
        return [(error.lineno, f"syntax error: {error.message or error}")]
    for context in _samples(name, into):
        try:
            run(template, context)
        except TemplateFailed as error:
            return [(error.line, error.message)]
    return []


def _samples(name: str, into: Format) -> list[Mapping[str, Any]]:
    """A full and a sparse message of the template's kind, as the dispatcher would give them."""
    from monitor.alerts.digest_context import digest_context, sample_digest
    from monitor.alerts.messages import alert_context, sample_hit
    from monitor.storage.stories import StoryReach

    if name in ("digest", "digest_title"):
        digest = sample_digest()
        return [digest_context(digest, into), digest_context(digest, into, limit=0)]
    full = sample_hit()
    sparse = sample_hit(title="", url=None, published=None, terms=(), snippet="", found=(), language=None)
    return [
        alert_context(full, ("sample-rule", "other-rule"), into, story=StoryReach(1, 3, ("en", "fr"))),
        alert_context(sparse, (), into),
    ]


def _spot(text: str, line: int, message: str) -> tuple[int, int]:
    """The offset and width in `text` to point at for a fault on `line` (1-based; 0: the start): a name
    the message quotes when the line has it, else the line's first tag."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return 0, 1
    start = sum(len(previous) + 1 for previous in lines[: line - 1])
    source = lines[line - 1]
    for quoted in _QUOTED.findall(message):
        found = source.find(quoted)
        if found >= 0:
            return start + found, len(quoted)
    tag = _TAG.search(source)
    return start + (tag.start() if tag else 0), max(1, len(source) - (tag.start() if tag else 0))


def _report_in_file(located: YamlFile, text: str, line: int, message: str) -> None:
    offset, width = _spot(text, line, message)
    located.report(offset, message, width)
