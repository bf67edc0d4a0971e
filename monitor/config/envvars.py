"""`${VAR}` in configuration strings, replaced from the environment so that tokens stay out of files.

`${VAR}` must be set; `${VAR:-default}` falls back when VAR is unset or empty (as in the shell); `$${`
writes a literal `${`. Every character of the result remembers where it came from in the original string,
so that later errors (a broken query built from a variable) still point into the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)(\})?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class SubstitutionError:
    """A reference that cannot be replaced, at `offset` (length `length`) in the original string."""

    offset: int
    length: int
    message: str


@dataclass
class Substituted:
    """The string after substitution; `origin[i]` is the original offset of character i (plus its end)."""

    value: str
    origin: list[int]
    errors: list[SubstitutionError] = field(default_factory=list)
    defaulted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.origin != list(range(len(self.value) + 1))


def substitute(text: str, environ: Mapping[str, str]) -> Substituted:
    """Replace every `${VAR}` and `${VAR:-default}` in `text`; unknown or malformed ones become errors."""
    parts: list[str] = []
    origin: list[int] = []
    result = Substituted("", [])
    position = 0
    for match in _REFERENCE.finditer(text):
        parts.append(text[position : match.start()])
        origin.extend(range(position, match.start()))
        replacement = _replacement(match, environ, result)
        parts.append(replacement)
        origin.extend([match.start()] * len(replacement))
        position = match.end()
    parts.append(text[position:])
    origin.extend(range(position, len(text) + 1))
    result.value, result.origin = "".join(parts), origin
    return result


def _replacement(match: re.Match[str], environ: Mapping[str, str], result: Substituted) -> str:
    """What one `${...}` stands for; records an error (and yields "") when it cannot be replaced."""
    errors = result.errors
    start, length = match.start(), match.end() - match.start()
    if match.group(0) == "$${":
        return "${"
    if match.group(2) is None:
        errors.append(SubstitutionError(start, length, "unclosed ${ (write $${ for a literal ${)"))
        return ""
    name, has_default, default = match.group(1).partition(":-")
    if not _NAME.fullmatch(name):
        message = (
            f"invalid variable reference ${{{match.group(1)}}}: expected ${{NAME}} or ${{NAME:-default}}"
        )
        errors.append(SubstitutionError(start, length, message))
        return ""
    value = environ.get(name)
    if has_default:
        if not value:
            result.defaulted.append(name)
        return value or default
    if value is None:
        errors.append(SubstitutionError(start, length, f"environment variable {name} is not set"))
        return ""
    return value
