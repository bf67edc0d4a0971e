"""The labelled story set (tests/data/stories_labelled.yaml) as articles, copies expanded, and its scores."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories_labelled.yaml"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    event: str
    language: str
    source: str
    at: datetime
    title: str
    text: str


def load_labelled(path: Path = LABELLED) -> list[LabelledArticle]:
    """Every article of the set, copies included, in publication order (ties by id)."""
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    articles = {item["id"]: _article(item) for item in data["articles"]}
    copies = [_copy(articles[item["of"]], item) for item in data.get("copies") or ()]
    everything = [*articles.values(), *copies]
    return sorted(everything, key=lambda article: (article.at, article.id))


def _article(item: Mapping[str, Any]) -> LabelledArticle:
    return LabelledArticle(
        id=item["id"],
        event=item["event"],
        language=item["lang"],
        source=item["source"],
        at=_when(item["at"]),
        title=item["title"],
        text=" ".join(str(item["text"]).split()),
    )


def _copy(original: LabelledArticle, item: Mapping[str, Any]) -> LabelledArticle:
    sentences = _SENTENCE.split(original.text)
    edit = item["edit"]
    if edit == "trim":
        text = " ".join(sentences[:-1] or sentences)
    elif edit == "reorder":
        text = " ".join([*sentences[1:], sentences[0]])
    elif edit == "wrap":
        text = f"({item['source']}) — {original.text}\n\n© {item['source']} 2026. Follow us for more news."
    else:
        raise ValueError(f"unknown edit {edit!r} in copy {item['id']}")
    return replace(
        original, id=item["id"], source=item["source"], at=_when(item["at"]), title=item["title"], text=text
    )


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    cross_language_recall: float


def b_cubed(truth: Mapping[str, str], predicted: Mapping[str, int], languages: Mapping[str, str]) -> Scores:
    """B-cubed precision, recall and F1 of a clustering (Bagga & Baldwin), and the recall counted only over
    pairs of one event in different languages."""
    by_event: defaultdict[str, set[str]] = defaultdict(set)
    by_cluster: defaultdict[int, set[str]] = defaultdict(set)
    for item, event in truth.items():
        by_event[event].add(item)
        by_cluster[predicted[item]].add(item)
    precision = recall = 0.0
    cross_found = cross_total = 0
    for item in truth:
        event, cluster = by_event[truth[item]], by_cluster[predicted[item]]
        both = len(event & cluster)
        precision += both / len(cluster)
        recall += both / len(event)
        others = [other for other in event if languages[other] != languages[item]]
        cross_total += len(others)
        cross_found += sum(1 for other in others if predicted[other] == predicted[item])
    precision, recall = precision / len(truth), recall / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    return Scores(precision, recall, f1, cross_found / cross_total if cross_total else 1.0)
