"""Counted nouns in what monitor says: "1 channel", "2 channels", never "1 channels"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and the noun, singular for exactly one; `many` for an irregular plural (deliveries)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
