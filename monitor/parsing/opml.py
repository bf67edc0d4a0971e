"""OPML subscription lists: read them into sources to import, and write sources back out.

OPML comes from other readers' exports and is parsed as hostile XML: no DTD loaded, no entity expanded, no
network access, no huge trees. Folders (outlines without `xmlUrl`) become tags of the feeds inside them,
together with the feed's own `category` attribute (OPML 2.0: comma-separated, slash-delimited paths).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

MAX_OPML_BYTES = 10_000_000


@dataclass(frozen=True)
class OpmlOutline:
    """One feed of an OPML file: its title, feed URL, site URL, tags and declared language."""

    title: str
    xml_url: str
    html_url: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None


def _parser() -> etree.XMLParser:
    """An XML parser that never loads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """The feeds of an OPML document, in document order; ValueError saying why when it is not OPML."""
    if len(data) > MAX_OPML_BYTES:
        raise ValueError(f"OPML file too large: {len(data)} bytes (limit {MAX_OPML_BYTES})")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not valid XML: {exc.msg}") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise ValueError("not an OPML document: the root element is not <opml>")
    body = next((child for child in root if _name(child) == "body"), None)
    if body is None:
        raise ValueError("not an OPML document: no <body> element")
    outlines: list[OpmlOutline] = []
    _walk(body, (), outlines)
    return outlines


def _name(el: etree._Element) -> str:
    """The local name of an element; empty for comments and processing instructions."""
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def _attr(el: etree._Element, name: str) -> str:
    """An attribute matched case-insensitively (exports write xmlUrl, xmlurl and XMLURL), trimmed."""
    for key, value in el.attrib.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return str(value).strip()
    return ""


def _walk(parent: etree._Element, folders: tuple[str, ...], out: list[OpmlOutline]) -> None:
    """Collect the feeds under `parent`, each tagged with the folders that hold it."""
    for el in parent:
        if _name(el) != "outline":
            continue
        title = _attr(el, "text") or _attr(el, "title")
        xml_url = _attr(el, "xmlUrl")
        if not xml_url:
            _walk(el, (*folders, title) if title else folders, out)
            continue
        tags = _unique((*folders, *_category_tags(_attr(el, "category"))))
        out.append(
            OpmlOutline(
                title=title or xml_url,
                xml_url=xml_url,
                html_url=_attr(el, "htmlUrl") or None,
                tags=tags,
                language=_attr(el, "language") or None,
            )
        )


def _category_tags(category: str) -> list[str]:
    """Tags of an OPML 2.0 category attribute: "/World/Asia,rail" gives World, Asia, rail."""
    return [part.strip() for item in category.split(",") for part in item.split("/") if part.strip()]


def _unique(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def write_opml(outlines: Iterable[OpmlOutline], *, title: str = "monitor sources") -> bytes:
    """An OPML 2.0 document listing the feeds, tags in `category`; parse_opml reads it back unchanged."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for outline in outlines:
        attributes = {"type": "rss", "text": outline.title, "title": outline.title, "xmlUrl": outline.xml_url}
        if outline.html_url:
            attributes["htmlUrl"] = outline.html_url
        if outline.tags:
            attributes["category"] = ",".join(outline.tags)
        if outline.language:
            attributes["language"] = outline.language
        etree.SubElement(body, "outline", attributes)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
