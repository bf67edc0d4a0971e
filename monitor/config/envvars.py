"""`${VAR}` in configuration strings, replaced from the environment so that tokens stay out of files.

`${VAR}` must be set; `${VAR:-default}` falls back when VAR is unset or empty (as in the shell), and the
default may itself hold references (`${PRIMARY:-${FALLBACK:-json://localhost/hook}}`, at most
MAX_NESTED_DEFAULTS levels deep), read only when it is used; `$${` writes a literal `${`. Every character
of the result remembers where it came from in the original string, so that later errors (a broken query
built from a variable) still point into the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_NESTED_DEFAULTS = 8
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL = re.compile(r"\$\$\{|\$\{|\}")
_UNCLOSED = "unclosed ${ (write $${ for a literal ${)"


@dataclass(frozen=True)
class SubstitutionError:
    """A reference that cannot be replaced, at `offset` (length `length`) in the original string;
    `unset` when the only fault is a variable missing from the environment."""

    offset: int
    length: int
    message: str
    unset: bool = False


@dataclass
class Substituted:
    """The string after substitution; `origin[i]` is the original offset of character i (plus its end),
    None when nothing was replaced (each character is where it was)."""

    value: str
    origin: list[int] | None
    errors: list[SubstitutionError] = field(default_factory=list)
    defaulted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.origin is not None


def substitute(text: str, environ: Mapping[str, str]) -> Substituted:
    """Replace every `${VAR}` and `${VAR:-default}` in `text`; unknown or malformed ones become errors."""
    if "${" not in text:
        return Substituted(text, None)
    result = Substituted("", None)
    scanner = _Scanner(text, environ, result)
    parts, origin, _ = scanner.expand(0, 0)
    origin.append(len(text))
    result.value, result.origin = "".join(parts), origin
    return result


@dataclass
class _Scanner:
    """Reads one string, expanding references as it goes; errors and defaults are noted on `result`."""

    text: str
    environ: Mapping[str, str]
    result: Substituted

    def expand(self, position: int, depth: int) -> tuple[list[str], list[int], int]:
        """The pieces and origins from `position` up to the end (or, in a default, its closing `}`), and
        where reading stopped (at that `}`, or the end)."""
        parts: list[str] = []
        origin: list[int] = []
        while True:
            special = _SPECIAL.search(self.text, position)
            stop = len(self.text) if special is None else special.start()
            parts.append(self.text[position:stop])
            origin.extend(range(position, stop))
            if special is None or (special.group() == "}" and depth):
                return parts, origin, stop
            if special.group() == "}":
                parts.append("}")
                origin.append(stop)
                position = stop + 1
                continue
            if special.group() == "$${":
                parts.append("${")
                origin += [stop, stop]
                position = special.end()
                continue
            replacement, position = self.reference(stop, depth)
            parts.append(replacement)
            origin.extend([stop] * len(replacement))

    def reference(self, start: int, depth: int) -> tuple[str, int]:
        """What the `${...}` at `start` stands for, and where it ends; "" after recording an error."""
        name = _NAME.match(self.text, start + 2)
        after = name.end() if name else start + 2
        if name and self.text.startswith("}", after):
            return self.value_of(name.group(), start, after + 1), after + 1
        if name and self.text.startswith(":-", after):
            return self.fallback(name.group(), start, after + 2, depth)
        closing = self.text.find("}", start)
        if closing < 0:
            self.error(start, len(self.text) - start, _UNCLOSED)
            return "", len(self.text)
        inside = self.text[start + 2 : closing]
        message = f"invalid variable reference ${{{inside}}}: expected ${{NAME}} or ${{NAME:-default}}"
        self.error(start, closing + 1 - start, message)
        return "", closing + 1

    def value_of(self, name: str, start: int, end: int) -> str:
        value = self.environ.get(name)
        if value is None:
            self.error(start, end - start, f"environment variable {name} is not set", unset=True)
            return ""
        return value

    def fallback(self, name: str, start: int, default_start: int, depth: int) -> tuple[str, int]:
        """`${NAME:-default}`: the variable's value, else the default (itself expanded, when used)."""
        if depth >= MAX_NESTED_DEFAULTS:
            message = f"defaults nested more than {MAX_NESTED_DEFAULTS} levels deep"
            self.error(start, len(self.text) - start, message)
            return "", len(self.text)
        value = self.environ.get(name)
        outer = self.result
        self.result = Substituted("", None)
        parts, _, end = self.expand(default_start, depth + 1)
        inner, self.result = self.result, outer
        if end >= len(self.text):  # no closing brace: the innermost fault is the one to report
            faults = [error for error in inner.errors if not error.unset]
            outer.errors.extend(faults)
            if not faults:
                self.error(start, end - start, _UNCLOSED)
            return "", end
        used = not value
        outer.errors.extend(error for error in inner.errors if used or not error.unset)
        if used:
            outer.defaulted.extend(n for n in (name, *inner.defaulted) if n not in outer.defaulted)
        return value or "".join(parts), end + 1

    def error(self, offset: int, length: int, message: str, *, unset: bool = False) -> None:
        self.result.errors.append(SubstitutionError(offset, length, message, unset))
