"""Language tags normalised, and guessed from text only when the guess is sure."""

from __future__ import annotations

import pytest

from monitor.parsing import detect_language, normalize_language


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("fr_FR", "fr"),
        (" DE ", "de"),
        ("uk-UA", "uk"),
        ("zh-Hans-CN", "zh"),
        ("", None),
        (None, None),
        ("english", None),
        ("x", None),
    ],
)
def test_normalize_language(tag: str | None, expected: str | None):
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Завод в Алабуге выпускает беспилотники «Герань-2» для российской армии.", "ru"),
        ("Завод в Алабузі випускає безпілотники «Герань-2» для російської армії.", "uk"),
        ("L'usine d'Alabouga produit des drones Shahed pour l'armée russe depuis 2023.", "fr"),
        ("Die Fabrik in Alabuga stellt seit 2023 Shahed-Drohnen für die russische Armee her.", "de"),
        ("North Korea has shipped millions of artillery shells to Russia by rail via Tumangang.", "en"),
        ("북한은 나선을 거쳐 러시아로 포탄을 보냈다고 전해졌다 열차 운송", "ko"),
        ("Rason", None),  # too short to tell
        ("12 345 678 — 2024", None),
        ("", None),
    ],
)
def test_detect_language(text: str, expected: str | None):
    assert detect_language(text) == expected
