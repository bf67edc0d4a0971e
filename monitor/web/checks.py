"""Checking one source now from the desk or the API: what `monitor poll --source NAME` does (the same
`run_cycle`), beside a running service too, since a source another worker is polling is checked once
that poll has ended. Its outcome is told with secrets masked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool

from monitor.errors import DeskError, MonitorError
from monitor.pipeline import CycleSummary, SourceOutcome, run_cycle
from monitor.pipeline.pollers import check_pollable
from monitor.secrets import mask_secrets_in
from monitor.web.desk import Desk
from monitor.wording import plural


@dataclass(frozen=True)
class SourceCheck:
    """What checking one source found, and the alerts sent by the delivery that follows it."""

    outcome: SourceOutcome
    sent: int = 0
    undelivered: int = 0

    def fields(self) -> dict[str, Any]:
        """The check as JSON-able values, its error and warning masked."""
        outcome = self.outcome
        return {
            "source": outcome.source,
            "ok": outcome.ok,
            "new_articles": outcome.new_articles,
            "new_hits": outcome.new_hits,
            "not_modified": outcome.not_modified,
            "error": mask_secrets_in(outcome.error) if outcome.error else None,
            "warning": mask_secrets_in(outcome.warning) if outcome.warning else None,
            "alerts_sent": self.sent,
            "alerts_not_delivered": self.undelivered,
        }

    def line(self) -> str:
        """The check in a line for people: new articles and hits, alerts sent; or the error."""
        fields = self.fields()
        head = f"checked '{self.outcome.source}': "
        if not self.outcome.ok:
            return head + f"failed: {fields['error'] or 'unknown error'}"
        articles, hits = plural(fields["new_articles"], "new article"), plural(fields["new_hits"], "new hit")
        found = "nothing new (not modified)" if fields["not_modified"] else f"{articles}, {hits}"
        if self.sent or self.undelivered:
            found += f"; alerts: {self.sent} sent, {self.undelivered} not delivered yet"
        if fields["warning"]:
            found += f"; warning: {fields['warning']}"
        return head + found


async def check_source(desk: Desk, name: str) -> SourceCheck:
    """Poll the configured source `name` now and deliver what it found; DeskError when it is not an
    enabled source, or the configuration does not load."""
    config = desk.config.current()
    if config is None:
        raise DeskError("the configuration directory does not load: fix it first (monitor check)")
    try:
        check_pollable(config, [name])
        summary: CycleSummary = await run_in_threadpool(
            lambda: asyncio.run(run_cycle(config, desk.settings, desk.database, names=[name]))
        )  # on a loop of its own in a worker thread: the desk's loop goes on serving meanwhile
    except MonitorError as error:
        raise DeskError(mask_secrets_in(str(error))) from error
    outcome = next((o for o in summary.outcomes if o.source == name), None)
    if outcome is None:
        raise DeskError(f"source {name!r} was not polled")
    delivery = summary.delivery
    if delivery is None:
        return SourceCheck(outcome)
    return SourceCheck(outcome, delivery.sent, delivery.failed + delivery.retried)
