"""Messages from templates: sandboxed Jinja2, one environment per format, hostile article text escaped.

A channel sends `text` (the default: Apprise escapes it for services that render markup), `markdown` (every
value a template prints is backslash-escaped, so an article cannot open a link, emphasis or tag) or `html`
(autoescaped). What the renderer marks up itself (the snippet's matched words, the link) reaches templates
already safe for the format. Templates run in Jinja's sandbox (no `_`-attributes, no unsafe calls, undefined
names are errors) within a budget of steps, and their output is capped: a template can only print text.

`render(kind, context, style)` is the one entry point: `kind` is `alert` or `digest`, `context` the plain
values of `monitor.alerts.messages`, `style` the channel's format and templates.
"""

from __future__ import annotations

import operator
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from monitor.alerts.styles import DEFAULTS, Format, Kind, MessageStyle
from monitor.rules.results import MARK_END, MARK_START

MAX_OUTPUT_CHARS = 20_000
"""Output past this is not even produced: rendering stops there."""
MAX_DIGEST_OUTPUT_CHARS = 400_000
"""The same for a digest's body, which is cut to size afterwards by leaving stories out (so it must be
rendered whole to tell how many fit)."""
MAX_STEPS = 200_000
"""Lines of template code one rendering may run (loops included) before it is stopped."""
_FILENAME = "<template>"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~=&])")
_URL_SPECIAL = re.compile(r"[()\[\]<>*_`\\\s\"'~|!{}]")
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


class TemplateFailed(Exception):
    """A template could not be rendered: `line` (1-based, 0 when unknown) and why."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class Markdown(str):
    """Text already safe in Markdown: printed as is where any other text is escaped."""

    __slots__ = ()


def escape_markdown(text: str) -> Markdown:
    """`text` with every character Markdown gives a meaning to backslash-escaped: it reads as itself."""
    return text if isinstance(text, Markdown) else Markdown(_MARKDOWN_SPECIAL.sub(r"\\\1", str(text)))


def markdown_url(url: str) -> Markdown:
    """An http(s) URL usable in Markdown (`[t](url)` or bare): the characters that could close the link
    or open markup percent-encoded, which leaves the address the same."""
    return Markdown(_URL_SPECIAL.sub(lambda match: f"%{ord(match.group()):02X}", url))


def marked(snippet: str, style: Format) -> str:
    """A snippet (its matched words between MARK_START and MARK_END) for `style`: escaped, and the words
    in bold (`*word*` in plain text)."""
    pieces: list[str] = []
    cursor = 0
    for match in _MARKED.finditer(snippet):
        pieces += [_safe(snippet[cursor : match.start()], style), _bold(match.group(1), style)]
        cursor = match.end()
    pieces.append(_safe(snippet[cursor:], style))
    joined = "".join(pieces).replace(MARK_START, "").replace(MARK_END, "")
    if style == "html":
        return Markup(joined)  # built from escaped pieces only
    return Markdown(joined) if style == "markdown" else joined


def escaped_for(text: str, style: Format) -> str:
    """Plain text written in `style` so that it reads as itself (line breaks kept in HTML)."""
    if style == "html":
        return str(escape(text)).replace("\n", "<br>\n")
    return _safe(text, style)


def link(url: str | None, style: Format) -> str | None:
    """A safe http(s) link as a template prints it in `style`."""
    if url is None:
        return None
    return markdown_url(url) if style == "markdown" else url


def _safe(text: str, style: Format) -> str:
    if style == "html":
        return str(escape(text))
    return escape_markdown(text) if style == "markdown" else text


def _bold(text: str, style: Format) -> str:
    if style == "html":
        return f"<b>{escape(text)}</b>"
    return f"**{escape_markdown(text)}**" if style == "markdown" else f"*{text}*"


@dataclass(frozen=True)
class Rendered:
    """A rendered message: a plain-text title and a body in the style's format."""

    title: str
    body: str


def render(kind: Kind, context: Mapping[str, Any], style: MessageStyle) -> Rendered:
    """The title and body of a message of `kind`; a channel template that fails at run time gives way to
    the default one (the message is sent all the same)."""
    title_name, body_name = ("title", "alert") if kind == "alert" else ("digest_title", "digest")
    limit = MAX_OUTPUT_CHARS if kind == "alert" else MAX_DIGEST_OUTPUT_CHARS
    return Rendered(
        title=_render_or_default(title_name, context, style, "text", MAX_OUTPUT_CHARS),
        body=_render_or_default(body_name, context, style, style.format, limit),
    )


def _render_or_default(
    name: str, context: Mapping[str, Any], style: MessageStyle, into: Format, limit: int
) -> str:
    source, default = style.source(name), DEFAULTS[style.format][name]
    try:
        return run(compiled(source, into), context, limit, budget=source != default)
    except TemplateFailed:
        if source == default:
            raise
        return run(compiled(default, into), context, limit, budget=False)


@lru_cache(maxsize=256)
def compiled(source: str, into: Format) -> Template:
    """The template `source` compiled for output in `into` (titles are plain text); raises
    TemplateSyntaxError."""
    return _environment(into).from_string(source)


def run(
    template: Template, context: Mapping[str, Any], limit: int = MAX_OUTPUT_CHARS, *, budget: bool = True
) -> str:
    """Render within MAX_STEPS lines of template code (unless not `budget`: monitor's own templates, which
    render 3 to 4 times faster untraced), stopping at `limit` characters; raises TemplateFailed (with the
    template line when known) for any error."""
    previous = sys.gettrace()
    if budget:
        sys.settrace(_StepBudget().trace)
    try:
        return _collect(template.generate(dict(context)), limit)
    except Exception as error:
        raise TemplateFailed(_reason(error), _template_line(error)) from None
    finally:
        sys.settrace(previous)


def _collect(chunks: Iterator[str], limit: int) -> str:
    pieces, size = [], 0
    for chunk in chunks:
        pieces.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return "".join(pieces)[:limit]


class _StepBudget:
    """A trace function counting the lines run in template code; past MAX_STEPS it stops the template."""

    def __init__(self) -> None:
        self.steps = 0

    def trace(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        return self._line if frame.f_code.co_filename == _FILENAME else None

    def _line(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any]:
        if event == "line":
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise SecurityError(f"the template ran more than {MAX_STEPS:,} steps")
        return self._line


def _reason(error: Exception) -> str:
    text = str(error).strip() or error.__class__.__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _template_line(error: BaseException) -> int:
    """The template line an error was raised at, from the traceback (Jinja maps its frames to lines)."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    lines = [
        line
        for frame, line in traceback.walk_tb(error.__traceback__)
        if frame.f_code.co_filename == _FILENAME
    ]
    return lines[-1] if lines else 0


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with `*` and `**` bounded (`'x' * 10**9` would exhaust memory before any output)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**" and isinstance(right, int | float) and right > 64:
            raise SecurityError("exponent too large")
        if op == "*" and _repeats_too_much(left, right):
            raise SecurityError("repetition too large")
        return operator.pow(left, right) if op == "**" else operator.mul(left, right)


def _repeats_too_much(left: Any, right: Any) -> bool:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            return len(sequence) * times > MAX_OUTPUT_CHARS
    return False


def _finalize_markdown(value: Any) -> str:
    return "" if value is None else escape_markdown(value if isinstance(value, str) else str(value))


def _finalize_plain(value: Any) -> Any:
    return "" if value is None else value


@lru_cache(maxsize=3)
def _environment(into: Format) -> SandboxedEnvironment:
    finalize = _finalize_markdown if into == "markdown" else _finalize_plain
    return _Sandbox(
        autoescape=into == "html",
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=False,
        auto_reload=False,
    )
