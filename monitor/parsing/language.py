"""Language of a text: the declared tag normalised (`en-US` → `en`), else a guess with py3langid."""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("en", "fr", "de", "ru", "uk", "it", "es", "pt", "nl", "pl", "cs", "ko", "ja", "zh", "ar", "tr")
"""The languages detection may answer: the ones our sources publish in, and the usual confusions."""

MIN_LETTERS = 15
MIN_CONFIDENCE = 0.5
SAMPLE_CHARS = 1_200
"""Detection reads this much of the text: plenty for a confident guess, and its cost grows with length."""
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_LETTER = re.compile(r"[^\W\d_]")


def normalize_language(tag: str | None) -> str | None:
    """The primary subtag, lower-cased (`fr-FR` → `fr`, `EN_us` → `en`); None for anything else."""
    if not tag:
        return None
    match = _TAG.match(tag)
    return match.group(1).lower() if match else None


@cache
def _identifier() -> LanguageIdentifier:
    """The py3langid model (loaded once per process: it takes most of a second), restricted to LANGUAGES."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def load_language_model() -> None:
    """Load the detection model now rather than at the first detection (the CPU pool preloads it)."""
    _identifier()


def detect_language(text: str) -> str | None:
    """The most likely language of `text`, or None when it is too short or the guess is unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= MIN_CONFIDENCE else None
