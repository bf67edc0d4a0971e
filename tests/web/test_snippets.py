"""The desk marks a snippet's matched words and leaves the article's own quotes alone."""

from __future__ import annotations

from monitor.web.templating import Piece, snippet_pieces


def test_matched_words_are_marked_and_russian_quotes_stay_text() -> None:
    assert snippet_pieces("Завод «\x02Алабуга\x03» выпускает «Шахеды»") == [
        Piece("Завод «"),
        Piece("Алабуга", marked=True),
        Piece("» выпускает «Шахеды»"),
    ]
