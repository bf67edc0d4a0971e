"""The feed corpora as test input: which files are feeds to ingest, and how a server labels them."""

from __future__ import annotations

from pathlib import Path

FEED_FOLDERS = ("real-feeds", "feedparser-tests")
NOT_INPUTS = {".md", ".tsv", ".txt", ".upstream"}
CONTENT_TYPES = {".json": "application/json", ".html": "text/html"}


def corpus_files(corpus: Path, folders: tuple[str, ...] = FEED_FOLDERS) -> list[Path]:
    """The input files of the feed corpora, sorted (licences, notes and reference outputs left out)."""
    files = [p for folder in folders for p in sorted((corpus / folder).rglob("*")) if p.is_file()]
    return [p for p in files if p.suffix.lower() not in NOT_INPUTS and "expected" not in p.name]


def content_type(path: Path) -> str:
    """The Content-Type a server would send for the file: JSON, HTML, else XML without a charset."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/xml")
