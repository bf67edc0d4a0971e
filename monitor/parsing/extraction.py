"""Main-text extraction from a news article page, for sources whose feed carries only a summary.

Bytes are decoded as discovery decodes them (BOM, HTTP charset, declaration, detection: see
monitor.parsing.charset.decode_page). The text comes from trafilatura, which measured better than our own
scorer on both page sets of the corpus (benchmarks/bench_extraction.py, docs/extraction.md); a text made
only of link texts (a page of menus) counts as none. The page is hostile: input is capped at
`MAX_INPUT_BYTES`; a page of more than `TRAFILATURA_MAX_ELEMENTS` elements goes to our own scorer instead,
whose work is linear (blocks scored in the spirit of Readability: paragraph length, commas, link density,
class/id hints, <article>; the tree capped at `MAX_ELEMENTS`). Nothing is executed or fetched. The
metadata (title, date, language, author) is read by `monitor.parsing.page_metadata`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import trafilatura
from lxml import html as lxml_html
from lxml.html import HtmlElement

from monitor.parsing.charset import decode_page
from monitor.parsing.language import detect_language
from monitor.parsing.page_metadata import SPACES, PageMetadata

MAX_INPUT_BYTES = 5_000_000
MAX_ELEMENTS = 150_000
TRAFILATURA_MAX_ELEMENTS = 20_000
"""Pages with more elements than this (news pages have 1,000 to 5,000) go to our own scorer, whose work is
linear in the page: trafilatura's is not, and a hostile 5 MB page would keep it busy for minutes."""
_MIN_BODY_CHARS = 140
_CHECKED_CHARS = 50_000
_CHECKED_LINKS = 2_000

_JUNK_TAGS = (
    "script", "style", "noscript", "iframe", "button", "input", "select", "textarea", "svg",
    "canvas", "nav", "footer", "aside", "template", "object", "embed", "video", "audio", "dialog",
    "menu", "label", "figure", "picture", "meta", "link",
)  # fmt: skip
_UNLIKELY = re.compile(
    r"comment|share|social|related|footer|sidebar|promo|newsletter|subscri|advert|\bads?\b|cookie|popup"
    r"|modal|breadcrumb|menu|\bnav|masthead|banner|sponsor|outbrain|taboola|recommend|trending|widget"
    r"|signup|paywall|caption|byline|author-bio|tags|toolbar|skip|print|disclaimer|read-?more|most-?read"
    r"|also|hidden|visually-?hidden|sr-only|rating|pagination|pager",
    re.IGNORECASE,
)
_LIKELY = re.compile(r"article|body|content|entry|main|post|story|text|blog|column|prose", re.IGNORECASE)
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|main|page|post|text|blog|story|prose|rich-?text", re.IGNORECASE
)
_NEGATIVE = re.compile(
    r"hidden|banner|combx|comment|com-|contact|foot|masthead|media|meta|outbrain|promo|related|scroll"
    r"|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|byline|caption|credit|nav",
    re.IGNORECASE,
)
_BLOCKS = frozenset(
    "p div section article main td th li ul ol dl dd dt pre blockquote h1 h2 h3 h4 h5 h6 table tr "
    "header address center".split()
)
_PARAGRAPHS = frozenset(("p", "pre", "td", "blockquote", "li", "h2", "h3", "h4", "dd"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_Lengths = dict[HtmlElement, tuple[int, int]]


@dataclass(frozen=True)
class ExtractedArticle:
    """What a page says: its title, main text (paragraphs separated by blank lines) and metadata."""

    title: str
    text: str
    published: datetime | None
    language: str | None
    author: str | None


def extract_article(
    html: str | bytes, *, url: str | None = None, content_type: str | None = None
) -> ExtractedArticle:
    """Extract the title, main text and metadata of an article page; an empty text when none is found.
    Bytes are decoded like discovery decodes them (`content_type`: the HTTP header, for its charset)."""
    root = _parse(html, content_type)
    if root is None:
        return ExtractedArticle("", "", None, None, None)
    meta = PageMetadata(root)
    title, published, author, declared = meta.title(), meta.published(), meta.author(), meta.language()
    text = _main_text(root, meta.article_body)
    language = declared or detect_language(text)
    return ExtractedArticle(title, text, published, language, author)


def own_main_text(html: str) -> str:
    """The main text as our own scorer finds it (kept to be measured: benchmarks/bench_extraction.py)."""
    root = _parse(html, None)
    if root is None or (body := root.find("body")) is None:
        return ""
    return _dom_text(body)


def _parse(html: str | bytes, content_type: str | None) -> HtmlElement | None:
    """The page's tree, from at most MAX_INPUT_BYTES of input; None for an empty or unparsable page."""
    if isinstance(html, bytes):
        data = html[:MAX_INPUT_BYTES]
        if not data.strip():
            return None
        text = decode_page(data, content_type)
    else:
        text = html[:MAX_INPUT_BYTES]
    text = text.replace("\x00", "")
    if not text.strip():
        return None
    try:
        root = lxml_html.document_fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    return root


def _main_text(root: HtmlElement, structured: str) -> str:
    """The article's text from the DOM (trafilatura; our own linear-time scorer on pages too large for
    it), or the JSON-LD articleBody when the DOM offers clearly less."""
    if sum(1 for _ in root.iter()) <= TRAFILATURA_MAX_ELEMENTS:
        dom_text = _trafilatura_text(root)
    else:
        body = root.find("body")
        dom_text = _dom_text(body) if body is not None else ""
    if structured and len(structured) > max(_MIN_BODY_CHARS, 1.3 * len(dom_text)):
        return structured
    return dom_text


def _trafilatura_text(root: HtmlElement) -> str:
    """Trafilatura's main text of the page (it cleans the tree it is given), paragraphs separated by a
    blank line; empty when it is made of link texts (a page of navigation only, where trafilatura's
    fallback would return the menus)."""
    links = sorted({_text(link) for link in root.iter("a")} - {""}, key=len, reverse=True)
    text = trafilatura.extract(root, include_comments=False, include_tables=True, deduplicate=False)
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    residue = "".join(lines)[:_CHECKED_CHARS]
    for link in links[:_CHECKED_LINKS]:  # bounded: at most _CHECKED_LINKS passes over _CHECKED_CHARS
        residue = residue.replace(link, "")
    return "\n\n".join(lines) if len(residue) >= _MIN_BODY_CHARS else ""


def _dom_text(body: HtmlElement) -> str:
    """Clean the body, score its blocks, and render the best candidate with its siblings."""
    _clean(body)
    lengths = _measure(body)
    candidates = _score(body, lengths)
    if not candidates:
        return ""
    top = max(candidates, key=lambda el: candidates[el])
    top = _climb(top, candidates)
    parts = _gather(top, candidates, lengths)
    text = "\n\n".join(p for p in (_render(part, lengths) for part in parts) if p)
    return text if len(text) >= _MIN_BODY_CHARS or _has_paragraphs(parts) else ""


def _has_paragraphs(parts: list[HtmlElement]) -> bool:
    """Whether a short extraction still reads like prose: one real sentence in a paragraph."""
    return any(len(_text(p)) >= 80 for part in parts for p in part.iter("p"))


def _clean(body: HtmlElement) -> None:
    """Drop what is never article text: scripts, navigation, hidden and unlikely-named elements."""
    count = 0
    stack = list(reversed(body))
    while stack:
        el = stack.pop()
        count += 1
        if count > MAX_ELEMENTS or _is_junk(el):
            _drop(el)  # its subtree goes with it, unvisited
        else:
            stack.extend(reversed(el))


def _is_junk(el: HtmlElement) -> bool:
    """Never article text: scripts, navigation, hidden elements, boilerplate names without prose."""
    if not isinstance(el.tag, str) or el.tag in _JUNK_TAGS or _is_hidden(el):
        return True
    return (el.tag == "form" or _is_unlikely(el)) and not _holds_prose(el)


def _drop(el: HtmlElement) -> None:
    """Remove an element and its subtree but keep the text that follows it."""
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _is_hidden(el: HtmlElement) -> bool:
    """Hidden by attribute or inline style: not shown to readers, so not part of the article."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _is_unlikely(el: HtmlElement) -> bool:
    """Class/id/role names of boilerplate, unless they also name content; never the page's own roots."""
    if el.tag in ("body", "article", "main", "a", "p"):
        return False
    role = el.get("role") or ""
    if role in ("navigation", "complementary", "contentinfo", "banner", "menu", "dialog", "alert"):
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not names.strip() or not _UNLIKELY.search(names):
        return False
    return not _LIKELY.search(names) or el.tag in ("header",)


def _holds_prose(el: HtmlElement) -> bool:
    """Whether a container holds several real paragraphs: then a boilerplate-like name is a false alarm."""
    long_paragraphs = 0
    for seen, p in enumerate(el.iter("p")):
        if seen > 50:
            return False
        if len(p.text_content()) >= 120:
            long_paragraphs += 1
            if long_paragraphs >= 3:
                return True
    return False


def _class_weight(el: HtmlElement) -> float:
    """Readability's class/id hint: +25 for names of content, -25 for names of boilerplate, each."""
    weight = 0.0
    for name in (el.get("class"), el.get("id")):
        if not name:
            continue
        if _NEGATIVE.search(name):
            weight -= 25
        if _POSITIVE.search(name):
            weight += 25
    return weight


def _score(body: HtmlElement, lengths: _Lengths) -> dict[HtmlElement, float]:
    """Give each paragraph's ancestors points for its length and commas; scale by link density."""
    scores: dict[HtmlElement, float] = {}
    for el in body.iter(*_PARAGRAPHS, "div"):
        if el.tag == "div" and _has_block_child(el):
            continue
        text = _text(el)
        if len(text) < 25:
            continue
        points = 1 + text.count(",") + text.count("،") + text.count("，") + min(len(text) // 100, 3)
        for level, ancestor in enumerate(_ancestors(el, 3)):
            if ancestor not in scores:
                scores[ancestor] = _initial_score(ancestor)
            scores[ancestor] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
    return {el: score * (1 - _link_density(el, lengths)) for el, score in scores.items()}


def _ancestors(el: HtmlElement, depth: int) -> list[HtmlElement]:
    """Up to `depth` element ancestors of el, nearest first, stopping at <body>."""
    found: list[HtmlElement] = []
    parent = el.getparent()
    while parent is not None and len(found) < depth and parent.tag != "html":
        found.append(parent)
        parent = parent.getparent()
    return found


def _initial_score(el: HtmlElement) -> float:
    """The score a candidate starts with: by tag, then by class/id hints."""
    by_tag = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3}
    penalty = {"form": -3, "ol": -3, "ul": -3, "li": -3, "dl": -3, "th": -5, "address": -3}
    return by_tag.get(el.tag, penalty.get(el.tag, 0)) + _class_weight(el)


def _climb(top: HtmlElement, scores: dict[HtmlElement, float]) -> HtmlElement:
    """Prefer the enclosing <article> or a parent scored close to the top, as Readability does."""
    best = scores[top]
    parent = top.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag == "article" or scores.get(parent, 0) >= 0.9 * best:
            top = parent
        parent = parent.getparent()
    return top


def _gather(top: HtmlElement, scores: dict[HtmlElement, float], lengths: _Lengths) -> list[HtmlElement]:
    """The top candidate plus siblings that score well or are prose paragraphs of their own."""
    parent = top.getparent()
    if parent is None:
        return [top]
    threshold = max(10.0, scores.get(top, 0) * 0.2)
    parts = []
    for sibling in parent:
        well_scored = sibling is top or scores.get(sibling, 0) >= threshold
        if well_scored or (sibling.tag == "p" and _is_prose(sibling, lengths)):
            parts.append(sibling)
    return parts


def _is_prose(el: HtmlElement, lengths: _Lengths) -> bool:
    """A paragraph of real sentences with few links."""
    text = _text(el)
    density = _link_density(el, lengths)
    return (len(text) > 80 and density < 0.25) or (len(text) > 0 and density == 0 and ". " in text)


def _render(el: HtmlElement, lengths: _Lengths) -> str:
    """Text of the chosen content: one paragraph per block, lists of links and stray bits dropped."""
    for child in list(el.iter()):
        if child is not el and child.getparent() is not None and _is_boilerplate_block(child, lengths):
            child.drop_tree()
    chunks: list[str] = []
    _collect(el, chunks, [])
    return "\n\n".join(c for c in chunks if c)


def _is_boilerplate_block(el: HtmlElement, lengths: _Lengths) -> bool:
    """Inside the content, a block that is mostly links or a table of layout, not prose."""
    if el.tag not in ("ul", "ol", "div", "section", "table", "dl", "header", "p"):
        return False
    size = lengths.get(el, (0, 0))[0]
    if not size:
        return el.tag != "p"
    density = _link_density(el, lengths)
    if el.tag == "p":
        return density > 0.8 and size < 200
    return density > 0.5 or (el.tag in ("div", "section") and _class_weight(el) < 0 and size < 500)


def _collect(el: HtmlElement, chunks: list[str], line: list[str]) -> None:
    """Walk the subtree, closing a paragraph at each block boundary."""
    if el.text:
        line.append(el.text)
    for child in el:
        if not isinstance(child.tag, str):
            pass
        elif child.tag == "br":
            _flush(chunks, line)
        elif child.tag in _BLOCKS:
            _flush(chunks, line)
            _collect(child, chunks, line)
            _flush(chunks, line)
        else:
            _collect(child, chunks, line)
        if child.tail:
            line.append(child.tail)


def _flush(chunks: list[str], line: list[str]) -> None:
    """Close the paragraph being built."""
    text = SPACES.sub(" ", "".join(line)).strip()
    text = re.sub(r"\s*\n\s*", " ", text)
    if text:
        chunks.append(text)
    line.clear()


def _has_block_child(el: HtmlElement) -> bool:
    """Whether a <div> holds blocks (then it is a container, not a paragraph)."""
    return any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in el)


def _text(el: HtmlElement) -> str:
    """The element's text with whitespace collapsed."""
    return SPACES.sub(" ", el.text_content()).strip()


def _measure(body: HtmlElement) -> _Lengths:
    """For every element, (characters of text, characters inside links), whitespace runs counted once.

    One bottom-up pass, so that link densities cost O(n) over the page instead of O(n × depth).
    """
    lengths: _Lengths = {}
    for el in _post_order(body):
        total = _visible(el.text)
        linked = 0
        for child in el:
            child_total, child_linked = lengths.get(child, (0, 0))
            total += child_total + _visible(child.tail)
            linked += child_linked
        lengths[el] = (total, total if el.tag == "a" else linked)
    return lengths


def _post_order(root: HtmlElement) -> list[HtmlElement]:
    """The elements under root, children before their parent, without recursion."""
    order: list[HtmlElement] = []
    stack = [root]
    while stack:
        el = stack.pop()
        order.append(el)
        stack.extend(child for child in el if isinstance(child.tag, str))
    order.reverse()
    return order


def _visible(text: str | None) -> int:
    """Characters of text with runs of whitespace counted as one."""
    return len(" ".join(text.split())) if text else 0


def _link_density(el: HtmlElement, lengths: _Lengths) -> float:
    """Share of the element's text that sits inside links."""
    total, linked = lengths.get(el, (0, 0))
    return min(1.0, linked / total) if total else 0.0
