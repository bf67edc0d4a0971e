"""The hit log of any filter as CSV, JSON or an Atom feed (a feed reader follows it at a secret URL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from lxml import etree

from monitor import clock
from monitor.errors import NotFound
from monitor.rules.results import unmarked
from monitor.sanitize import spreadsheet_safe
from monitor.storage.hitlog import Cursor, HitFilter, HitRow, hit_page
from monitor.storage.users import TokenKind, account_for_token, create_token, list_tokens, revoke_token
from monitor.web.desk import Desk, RowId, analyst, get_desk, reader
from monitor.web.filters import hit_filter
from monitor.web.security import Caller, token_account
from monitor.web.templating import plain, web_url

router = APIRouter()
MAX_EXPORT_ROWS = 100_000
FEED_ENTRIES = 50
FIELDS = (
    *("id", "rule", "state", "starred", "title", "url", "source", "language", "published", "matched_at"),
    *("terms", "tags", "snippet"),
)
ATOM = "http://www.w3.org/2005/Atom"


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def hit_json(row: HitRow) -> dict[str, Any]:
    """One row of the hit log as plain JSON values (the API's and the exports' shape)."""
    return {
        "id": row.hit_id,
        "rule": row.rule,
        "state": row.state,
        "starred": row.starred,
        "title": row.title,
        "url": row.url,
        "source": row.source,
        "language": row.language,
        "published": iso(row.published),
        "matched_at": iso(row.matched_at),
        "terms": list(row.terms),
        "tags": list(row.tags),
        "snippet": unmarked(row.snippet),
        "article_id": row.article_id,
        "other_rules": list(row.other_rules),
    }


def all_rows(desk: Desk, chosen: HitFilter, limit: int = MAX_EXPORT_ROWS) -> Iterator[HitRow]:
    """Every hit of the filter, newest first, page after page (each page its own short read)."""
    cursor: Cursor | None = None
    count = 0
    while count < limit:
        with desk.database.read_session() as session:
            page = hit_page(session, chosen, after=cursor, limit=500)
        yield from page.rows[: limit - count]
        count += len(page.rows)
        if page.next_cursor is None:
            return
        cursor = Cursor.decode(page.next_cursor)


def csv_text(rows: Iterator[HitRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        values = hit_json(row)
        joined = {"terms": ", ".join(values["terms"]), "tags": ", ".join(values["tags"])}
        writer.writerow(spreadsheet_safe({**values, **joined}))
    return buffer.getvalue()


def export_response(desk: Desk, chosen: HitFilter, file_format: str) -> Response:
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        body, media = csv_text(all_rows(desk, chosen)), "text/csv; charset=utf-8"
    else:
        body = json.dumps([hit_json(row) for row in all_rows(desk, chosen)], ensure_ascii=False)
        media = "application/json"
    headers = {"Content-Disposition": f'attachment; filename="hits-{stamp}.{file_format}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/export.csv")
def export_csv(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    return export_response(desk, hit_filter(request.query_params), "csv")


@router.get("/export.json")
def export_json(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    return export_response(desk, hit_filter(request.query_params), "json")


def atom_feed(desk: Desk, chosen: HitFilter, title: str) -> bytes:
    """An Atom document of the newest hits of the filter (text only: titles and snippets, escaped by lxml)."""
    with desk.database.read_session() as session:
        rows = hit_page(session, chosen, limit=FEED_ENTRIES).rows
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _text(feed, "title", f"monitor: {title}")
    _text(feed, "id", f"{desk.settings.web.base_url}/feeds/{title}")
    _text(feed, "updated", iso(rows[0].matched_at if rows else clock.now()) or "")
    for row in rows:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", plain(row.title) or "(untitled)")
        _text(entry, "id", f"{desk.settings.web.base_url}/hits/{row.hit_id}")
        _text(entry, "updated", iso(row.matched_at) or "")
        link = web_url(row.url)
        if link:
            etree.SubElement(entry, f"{{{ATOM}}}link", href=link)
        _text(entry, "summary", f"[{row.rule}] {row.source}: {plain(unmarked(row.snippet))}")
        category = etree.SubElement(entry, f"{{{ATOM}}}category")
        category.set("term", row.rule)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))


def _text(parent: Any, name: str, value: str) -> None:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)


@router.get("/feeds/{token}.atom")
def feed(token: str, desk: Desk = Depends(get_desk)) -> Response:
    """The Atom feed behind a secret URL (no login: the URL is the secret; revoking it ends the feed)."""
    with desk.database.read_session() as session:
        found = account_for_token(session, token, TokenKind.feed)
    if found is None or token_account(desk.database, token, TokenKind.feed) is None:
        raise NotFound("no such feed (it may have been revoked)")
    info = found[1]
    body = atom_feed(desk, hit_filter(info.filters), info.label or "hits")
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds")
def feeds_page(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)
) -> Response:
    with desk.database.read_session() as session:
        tokens = [t for t in list_tokens(session, caller.name) if t.kind == TokenKind.feed]
    context = {"caller": caller, "feeds": tokens, "created": None}
    return desk.templates.TemplateResponse(request, "feeds.html", context)


@router.post("/feeds")
async def create_feed(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """A new secret feed URL for the filter in the query string; shown once."""
    chosen = hit_filter(request.query_params)
    form = await request.form()
    label = str(form.get("label", "")).strip() or "hits"
    with desk.database.session() as session:
        token = create_token(
            session, caller.name, TokenKind.feed, label=label, filters=chosen.as_params(), now=clock.now()
        )
        session.commit()
        tokens = [t for t in list_tokens(session, caller.name) if t.kind == TokenKind.feed]
    created = f"{desk.settings.web.base_url}/feeds/{token}.atom"
    context = {"caller": caller, "feeds": tokens, "created": created}
    return desk.templates.TemplateResponse(request, "feeds.html", context)


@router.post("/feeds/{token_id}/revoke")
def revoke_feed(
    token_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    with desk.database.session() as session:
        revoke_token(session, token_id, user=caller.name)
        session.commit()
    return RedirectResponse("/feeds", status_code=303)
