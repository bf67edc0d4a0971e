"""Server-side SVG charts: coordinates computed here, drawn by templates (numbers only reach the SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")


@dataclass(frozen=True)
class Line:
    label: str
    points: str
    color: str
    total: int


def sparkline(values: Sequence[int], width: int = 120, height: int = 24) -> str:
    """The `points` of a polyline drawing `values` left to right in a width × height box."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def lines(series: dict[str, list[int]], width: int = 720, height: int = 200, most: int = 8) -> list[Line]:
    """The busiest `most` series as lines on one shared scale."""
    chosen = sorted(series.items(), key=lambda item: -sum(item[1]))[:most]
    top = max((max(values) for _, values in chosen), default=0) or 1
    drawn = []
    for number, (label, values) in enumerate(chosen):
        step = width / max(1, len(values) - 1)
        points = " ".join(
            f"{i * step:.1f},{height - (v / top) * (height - 10):.1f}" for i, v in enumerate(values)
        )
        drawn.append(Line(label, points, PALETTE[number % len(PALETTE)], sum(values)))
    return drawn
