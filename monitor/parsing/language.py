"""Language of a text: the declared tag normalised (`en-US` → `en`), else a guess with py3langid."""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

EU_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt",
    "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
LANGUAGES = (
    *EU_LANGUAGES,
    *("ru", "uk", "be", "ar", "fa", "tr", "zh", "ja", "ko"),
    # the other languages the analysis stems or lemmatizes (monitor.rules.stemming), and near neighbours
    # that would otherwise be taken for one of the above (bs and sr for hr, ca for es, no and nn for da)
    *("bs", "ca", "cy", "eu", "gl", "he", "hi", "hy", "id", "is", "ka", "lb", "mk", "ms", "ne", "nn", "no"),
    *("sq", "sr", "sw", "ta", "tl"),
)
"""The languages detection may answer: every language the analysis supports (the 24 official languages
of the EU, Russian, Ukrainian, Belarusian, Arabic, Persian, Turkish, Chinese, Japanese, Korean, and the
others with a stemmer or lemmas). Restricting the model to them keeps it from answering a language
nothing else in monitor knows (Cantonese for Chinese, Latin for Italian)."""

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
