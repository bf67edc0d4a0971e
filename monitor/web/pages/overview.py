"""The dashboard, the sources' health and the outbox."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from monitor import clock
from monitor.alerts.dispatcher import send_test_alert
from monitor.alerts.redaction import mask_urls_in
from monitor.durations import short_duration
from monitor.errors import NotFound
from monitor.storage.activity import days, hits_per_rule_per_day
from monitor.storage.deliveries import delivery_counts
from monitor.storage.digests import digest_contents, held_alerts
from monitor.storage.health import list_source_health
from monitor.storage.outbox import list_deliveries, retry_now
from monitor.storage.tables import DeliveryStatus
from monitor.web.charts import lines
from monitor.web.desk import Desk, RowId, admin, get_desk, reader
from monitor.web.security import Caller

router = APIRouter()
DIGEST_LISTED = 20
"""The outbox page lists this many of a digest's alerts (the rest as a count)."""


@router.get("/dashboard")
def dashboard(request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(reader)) -> Response:
    now = clock.now()
    with desk.database.read_session() as session:
        per_rule = hits_per_rule_per_day(session, now=now)
        failing = [s for s in list_source_health(session, now=now) if s.status in ("failing", "gone")]
        outbox = delivery_counts(session)
    context = {
        "caller": caller,
        "lines": lines(per_rule),
        "span": days(now, 30),
        "failing": failing,
        "outbox": outbox,
    }
    return desk.templates.TemplateResponse(request, "dashboard.html", context)


@router.get("/deliveries")
def deliveries(
    request: Request,
    status: str | None = None,
    channel: str | None = None,
    notice: str | None = None,
    desk: Desk = Depends(get_desk),
    caller: Caller = Depends(reader),
) -> Response:
    chosen = status if status in {s.value for s in DeliveryStatus} else None
    with desk.database.read_session() as session:
        rows = list_deliveries(session, status=chosen, channel=channel or None)
        counts = delivery_counts(session)
        digests = digest_contents(
            session, [row.id for row in rows if row.hit_id is None], per_digest=DIGEST_LISTED
        )
        held = held_alerts(session)
    config = desk.config.current()
    channels = [(c.name, c.masked_urls()) for c in config.channels] if config else []
    now = clock.now()
    context = {
        "caller": caller,
        "rows": rows,
        "counts": counts,
        "status": chosen,
        "channel": channel,
        "channels": channels,
        "digests": digests,
        "held": held,
        "masked": mask_urls_in,
        "age": lambda row: short_duration(row.age(now)),
        "notice": mask_urls_in(notice[:500]) if notice else None,
    }
    return desk.templates.TemplateResponse(request, "deliveries.html", context)


@router.post("/deliveries/{delivery_id}/retry")
def retry(delivery_id: RowId, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)) -> Response:
    with desk.database.session() as session:
        retry_now(session, delivery_id, now=clock.now())
        session.commit()
    return RedirectResponse("/deliveries", status_code=303)


@router.post("/deliveries/test")
async def test_alert(
    request: Request, desk: Desk = Depends(get_desk), caller: Caller = Depends(admin)
) -> Response:
    """Send a test alert to a channel now, and show whether it was accepted."""
    form = await request.form()
    name = str(form.get("channel", ""))
    config = desk.config.current()
    channel = next((c for c in config.channels if c.name == name), None) if config else None
    if channel is None:
        raise NotFound(f"no channel named {name!r}")
    timeout = desk.settings.delivery.timeout
    error = await run_in_threadpool(send_test_alert, channel.name, channel.urls, timeout, channel.style())
    message = f"test alert sent to {name}" if error is None else f"test alert to {name} failed: {error}"
    return RedirectResponse(f"/deliveries?{urlencode({'notice': message})}", status_code=303)
