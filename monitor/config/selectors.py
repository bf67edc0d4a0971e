"""CSS selectors in the configuration, checked with soupsieve when loaded, errors located in the selector."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    import soupsieve

CSS_SELECTOR_ERROR = "css_selector"
"""The pydantic error type of an invalid selector; its context holds `offset`, where soupsieve stopped."""


def check_selector(selector: str) -> str:
    """`selector` when soupsieve compiles it; otherwise a `css_selector` error with soupsieve's message."""
    import soupsieve  # imported here: only pages without a feed (`type: html`) have selectors

    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as error:
        message = str(error).split("\n", 1)[0]
        raise PydanticCustomError(
            CSS_SELECTOR_ERROR,
            "invalid CSS selector: {reason}",
            {"reason": message, "offset": _offset(selector, error)},
        ) from None
    return selector


def _offset(selector: str, error: soupsieve.SelectorSyntaxError) -> int:
    """The character offset soupsieve points at, from its 1-based line and column."""
    if error.line is None or error.col is None:
        return 0
    lines = selector.split("\n")
    before = sum(len(line) + 1 for line in lines[: error.line - 1])
    return min(before + error.col - 1, len(selector))


CssSelector = Annotated[str, AfterValidator(check_selector)]
"""A pydantic field type: a CSS selector soupsieve accepts."""
