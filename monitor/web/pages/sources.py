"""The sources: their health with a 14-day sparkline, last warning and why the next check is then;
analysts check one now (as `monitor poll --source` does, beside a running service); admins add one by URL
(found by discovery), enable or disable one, import and export OPML. Changes edit sources.yaml as `monitor
sources` does (comments kept, the whole configuration checked, the file restored on any problem); the
pollers reload it."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.config import WatchConfig
from monitor.config.editing import append_sources, set_source_enabled
from monitor.errors import ConfigError, DeskError
from monitor.parsing.opml import MAX_OPML_BYTES, parse_opml
from monitor.pipeline.source_admin import find_feed, new_source_entry, plan_import, sources_opml
from monitor.storage.activity import items_per_source_per_day
from monitor.storage.health import list_source_health
from monitor.storage.sources import sync_sources
from monitor.web.charts import sparkline
from monitor.web.checks import check_source
from monitor.web.desk import Desk, admin, analyst, get_desk, reader
from monitor.web.security import Caller
from monitor.wording import plural

router = APIRouter()


@router.get("/sources")
def sources(
    request: Request,
    notice: str | None = None,
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> Response:
    now = clock.now()
    with desk.database.read_session() as session:
        health = list_source_health(session, now=now)
        activity = items_per_source_per_day(session, now=now)
    rows = [(s, sparkline(activity.get(s.name, [0] * 14)), sum(activity.get(s.name, []))) for s in health]
    context = {"caller": caller, "rows": rows, "notice": (notice or "")[:500] or None}
    return desk.templates.TemplateResponse(request, "sources.html", context)


@router.get("/sources.opml")
def export(desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> Response:
    config = _config(desk)
    document, _ = sources_opml(config)
    headers = {"Content-Disposition": 'attachment; filename="monitor-sources.opml"'}
    return Response(document, media_type="text/x-opml; charset=utf-8", headers=headers)


@router.post("/sources")
async def add(request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)) -> Response:
    form = await request.form()
    url, name = str(form.get("url", "")).strip(), str(form.get("name", "")).strip() or None
    if not url:
        raise DeskError("give the URL of a feed, or of a page that links to its feed")
    config = _config(desk)
    feed = await run_in_threadpool(find_feed, desk.settings.fetch, url, config)
    entry = new_source_entry(feed, config, name)
    _save(desk, lambda: append_sources(desk.config.directory, [entry]))
    return _back(f"added source '{entry['name']}': {entry['url']}")


@router.post("/sources/enabled")
async def enable(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)
) -> Response:
    form = await request.form()
    name, enabled = str(form.get("name", "")), form.get("enabled") == "yes"
    _save(desk, lambda: set_source_enabled(desk.config.directory, name, enabled))
    return _back(f"source '{name}' {'enabled' if enabled else 'disabled'}")


@router.post("/sources/import")
async def import_opml(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)
) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise DeskError("choose an OPML file")
    data = await upload.read(MAX_OPML_BYTES + 1)
    if len(data) > MAX_OPML_BYTES:
        raise DeskError(f"an OPML file is at most {MAX_OPML_BYTES:,} bytes")
    try:
        outlines = parse_opml(data)
    except ValueError as error:
        raise DeskError(f"not an OPML file: {error}") from error
    entries, skipped = plan_import(outlines, _config(desk))
    if entries:
        _save(desk, lambda: append_sources(desk.config.directory, entries))
    return _back(f"added {plural(len(entries), 'source')}, skipped {len(skipped)}")


@router.post("/sources/check")
async def check_now(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(analyst)
) -> Response:
    """Check one source now, due or not, and deliver what it finds (see `monitor.web.checks`); the page
    then says what it found."""
    form = await request.form()
    checked = await check_source(desk, str(form.get("name", "")))
    return _back(checked.line())


def _config(desk: Desk) -> WatchConfig:
    config = desk.config.current()
    if config is None:
        raise DeskError("the configuration directory does not load: fix it first (monitor check)")
    return config


def _save(desk: Desk, change: object) -> None:
    """Apply a change to sources.yaml (a callable returning the configuration loaded again) and bring the
    sources table in step, so that the page shows it at once."""
    try:
        config = change()  # type: ignore[operator]
    except ConfigError as error:
        raise DeskError(
            "sources.yaml left unchanged: " + "; ".join(p.render() for p in error.problems)
        ) from error
    with desk.database.session() as session:
        sync_sources(session, config.sources)
        session.commit()


def _back(notice: str) -> Response:
    return RedirectResponse(f"/sources?{urlencode({'notice': notice})}", status_code=303)
