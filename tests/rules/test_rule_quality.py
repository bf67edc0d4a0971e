"""The bundled rules on labelled short reports (tests/data/rule_reports.tsv): precision, recall and F1 per
rule and per language, printed as a table (pytest -s), and at least F1_TARGET per rule.

The reports are written in English, French, German, Russian and Ukrainian, some in rough machine-translated
style, with hard negatives: drone attacks, missile tests, other railways, South Korean arms, roundups that
name every concept in separate sentences, negations. Each article's language is detected as the pipeline
detects it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from monitor.parsing import detect_language
from monitor.rules import Document, Matcher, RuleSpec, compile_rules

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "tests" / "data" / "rule_reports.tsv"
F1_TARGET = 0.90
SHORT_NAMES = {
    "shahed": "shahed-production-russia",
    "rail": "rail-freight-north-korea-russia",
    "munitions": "north-korean-munitions-to-russia",
}
SEED_REPORTS = [
    (
        "La Russie a considérablement augmenté sa production de drones Shahed avec l'aide de l'Iran, selon "
        "des sources occidentales. Par ailleurs, des images satellites révèlent un trafic ferroviaire de "
        "marchandises sans précédent à la gare de Tumangang, à la frontière entre la Corée du Nord et la "
        "Russie.",
        {"shahed-production-russia", "rail-freight-north-korea-russia"},
    ),
    (
        "Moscou et Téhéran ont conclu un accord pour fabriquer des drones sur le sol russe. D'après les "
        "documents consultés, le site industriel choisi au Tatarstan doit à terme livrer des milliers de "
        "drones Shahed-136 à l'armée russe.",
        {"shahed-production-russia"},
    ),
]


@dataclass(frozen=True)
class Report:
    line: int
    language: str
    labels: frozenset[str]
    style: str
    text: str


def _reports() -> list[Report]:
    reports = []
    for number, line in enumerate(REPORTS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        language, labels, style, text = line.split("\t")
        names = frozenset() if labels == "-" else frozenset(SHORT_NAMES[label] for label in labels.split(","))
        reports.append(Report(number, language, names, style, text))
    return reports


def _bundled() -> Matcher:
    def load(name: str) -> Any:
        return YAML(typ="safe").load((ROOT / "config" / name).read_text(encoding="utf-8"))

    rules = load("rules.yaml")["rules"]
    return compile_rules(
        [RuleSpec(rule["name"], rule["query"]) for rule in rules], load("concepts.yaml")["concepts"]
    )


MATCHER = _bundled()


def _matched(text: str) -> set[str]:
    return {match.rule for match in MATCHER.match(Document("", text, detect_language(text)))}


@dataclass
class Counts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0

    def f1(self) -> float:
        precision, recall = self.precision(), self.recall()
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def evaluate(reports: list[Report]) -> tuple[dict[tuple[str, str], Counts], list[str]]:
    """Counts by (rule, language), language "all" for the whole set; and the reports got wrong."""
    counts: dict[tuple[str, str], Counts] = defaultdict(Counts)
    errors = []
    for report in reports:
        found = _matched(report.text)
        for rule in SHORT_NAMES.values():
            expected, got = rule in report.labels, rule in found
            for key in ((rule, report.language), (rule, "all")):
                if expected and got:
                    counts[key].true_positives += 1
                elif got:
                    counts[key].false_positives += 1
                elif expected:
                    counts[key].false_negatives += 1
            if expected != got:
                kind = "missed" if expected else "wrongly matched"
                errors.append(f"line {report.line} ({report.language}): {rule} {kind}: {report.text}")
    return counts, errors


def table(counts: dict[tuple[str, str], Counts]) -> str:
    languages = [*sorted({language for _, language in counts} - {"all"}), "all"]
    lines = [f"{'rule':<34} {'lang':<4} {'P':>5} {'R':>5} {'F1':>5}  tp fp fn"]
    for rule in SHORT_NAMES.values():
        for language in languages:
            found = counts[(rule, language)]
            lines.append(
                f"{rule:<34} {language:<4} {found.precision():5.2f} {found.recall():5.2f} {found.f1():5.2f}"
                f"  {found.true_positives:2} {found.false_positives:2} {found.false_negatives:2}"
            )
    return "\n".join(lines)


def test_the_labelled_set_is_large_and_multilingual() -> None:
    reports = _reports()
    assert len(reports) >= 250
    by_language: dict[str, int] = defaultdict(int)
    for report in reports:
        by_language[report.language] += 1
    assert set(by_language) == {"en", "fr", "de", "ru", "uk"} and min(by_language.values()) >= 45
    assert sum(report.style == "mt" for report in reports) >= 20


def test_each_bundled_rule_reaches_the_f1_target() -> None:
    counts, errors = evaluate(_reports())
    print("\n" + table(counts))
    print("\n".join(errors))
    below = {rule: counts[(rule, "all")].f1() for rule in SHORT_NAMES.values()}
    assert all(f1 >= F1_TARGET for f1 in below.values()), (below, errors)


@pytest.mark.parametrize(("text", "expected"), SEED_REPORTS)
def test_the_seed_reports_fire_the_right_rules(text: str, expected: set[str]) -> None:
    assert _matched(text) == expected
