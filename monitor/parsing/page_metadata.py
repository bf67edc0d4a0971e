"""What an article page says about itself: title, publication date, language and author, from its
`<meta>` tags, its JSON-LD objects and the document (`<html lang>`, `<title>`, `<h1>`, `<time>`).

Used by the main-text extraction (`monitor.parsing.extraction`) and by HTML sources' dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import html as lxml_html
from lxml.html import HtmlElement

from monitor.parsing.language import normalize_language

SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


class PageMetadata:
    """The page's own statements about itself: <meta> tags, JSON-LD objects, <html lang>, <title>."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self.metas: dict[str, str] = {}
        for meta in root.iter("meta"):
            key = (
                meta.get("property")
                or meta.get("name")
                or meta.get("itemprop")
                or meta.get("http-equiv")
                or ""
            ).lower()
            content = _clean_space(meta.get("content") or "")
            if key and content and key not in self.metas:
                self.metas[key] = content
        self.objects = [obj for obj in _json_ld_objects(root) if isinstance(obj, dict)]
        self.article_body = _clean_body(self._ld("articleBody"))

    def _ld(self, key: str) -> Any:
        """The first value of `key` in the page's JSON-LD objects."""
        return next((obj[key] for obj in self.objects if obj.get(key)), None)

    def _first(self, *keys: str) -> str:
        return next((self.metas[k] for k in keys if k in self.metas), "")

    def title(self) -> str:
        """og:title, then the JSON-LD headline, then <title>, then the first <h1>."""
        found = self._first("og:title", "twitter:title") or _as_text(self._ld("headline"))
        if not found:
            node = self.root.find(".//title")
            found = node.text_content() if node is not None else ""
        if not found:
            node = next(self.root.iter("h1"), None)
            found = node.text_content() if node is not None else ""
        return _clean_space(found)

    def published(self) -> datetime | None:
        """The publication time in UTC, from article:published_time, JSON-LD or the first <time>."""
        keys = ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date")
        raw = self._first(*keys) or _as_text(self._ld("datePublished"))
        if not raw:
            node = next((t for t in self.root.iter("time") if t.get("datetime")), None)
            raw = node.get("datetime", "") if node is not None else ""
        return parse_page_date(raw)

    def language(self) -> str | None:
        """The primary subtag of <html lang>, og:locale, content-language or the JSON-LD inLanguage."""
        declared = self.root.get("lang") or self._first("og:locale", "content-language", "language")
        return normalize_language(declared or _as_text(self._ld("inLanguage")))

    def author(self) -> str | None:
        """The author's name from <meta name=author>, article:author or the JSON-LD author."""
        found = self._first("author", "article:author", "dc.creator", "parsely-author")
        if not found or "://" in found:
            found = _as_text(self._ld("author")) or ""
        return (_clean_space(found) or None) if "://" not in found else None


def _json_ld_objects(root: HtmlElement) -> Iterator[Any]:
    """Every object of the page's JSON-LD blocks, @graph members included; broken blocks skipped."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if isinstance(item, dict):
                yield item
                yield from (g for g in item.get("@graph") or [] if isinstance(g, dict))


def _as_text(value: Any) -> str:
    """A JSON-LD value as text: strings as they are, objects by their name, lists joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    if isinstance(value, list):
        return ", ".join(t for t in (_as_text(v) for v in value) if t)
    return ""


def _clean_body(value: Any) -> str:
    """A JSON-LD articleBody as plain paragraphs (some sites put HTML in it)."""
    text = _as_text(value)
    if "<" in text:
        text = lxml_html.fragment_fromstring(text, create_parent="div").text_content()
    paragraphs = (_clean_space(p) for p in re.split(r"\n\s*\n|\r\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _clean_space(text: str) -> str:
    """Runs of spaces (no-break and zero-width ones too) and newlines as one space, trimmed."""
    return SPACES.sub(" ", text.replace("\n", " ")).strip()


def parse_page_date(raw: str) -> datetime | None:
    """An ISO 8601 or RFC 2822 date as an aware UTC datetime; naive times are taken as UTC."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
