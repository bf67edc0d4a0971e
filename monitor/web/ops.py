"""Operations endpoints (no login, nothing secret): /healthz, /readyz and /metrics, and the web latency."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from monitor.errors import MonitorError
from monitor.storage.deliveries import delivery_counts
from monitor.web.desk import Desk, get_desk

router = APIRouter()
WEB_REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "monitor_web_request_seconds",
    "Time to answer a request of the desk, by route and method.",
    ["route", "method"],
    registry=WEB_REGISTRY,
)


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(desk: Desk = Depends(get_desk)) -> Response:
    """Ready when the database answers and every poller this process supervises is alive (503 if not)."""
    problems = []
    try:
        with desk.database.read_session() as session:
            session.connection().execute(text("SELECT 1"))
    except (MonitorError, Exception) as error:
        problems.append(f"database: {error.__class__.__name__}")
    pollers = desk.pollers()
    problems += [f"{name} is not running" for name, alive in pollers.items() if not alive]
    body = {"status": "ok" if not problems else "unavailable", "pollers": pollers, "problems": problems}
    return JSONResponse(body, status_code=200 if not problems else 503)


class _DatabaseCounts:
    """Counts read from the database at each scrape: the same whichever process polls."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "monitor_deliveries", "Deliveries in the outbox, by state.", labels=["state"]
        )
        try:
            with self.desk.database.read_session() as session:
                counts = delivery_counts(session)
        except MonitorError:
            return
        for state, count in counts.items():
            gauge.add_metric([state], count)
        yield gauge


@router.get("/metrics", include_in_schema=False)
def metrics(desk: Desk = Depends(get_desk)) -> Response:
    """Prometheus text format: the pipeline's counters (of every poller), web latency, outbox states."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        sources = [registry]
    else:
        sources = [REGISTRY]
    database_counts = CollectorRegistry()
    database_counts.register(_DatabaseCounts(desk))
    body = b"".join(generate_latest(r) for r in [*sources, WEB_REGISTRY, database_counts])
    return Response(body, media_type=CONTENT_TYPE_LATEST)


async def timed(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: observe the latency of every request under its route's path template."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", "unmatched")
    REQUEST_SECONDS.labels(path, request.method).observe(time.perf_counter() - started)
    return response
