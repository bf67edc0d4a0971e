"""One source polled end to end, and the claim loop that polls sources as they fall due."""

from monitor.pipeline.cycle import (
    CycleSummary,
    SourcePoller,
    channel_styles,
    channel_urls,
    poll_all,
    sync_configured_sources,
    worker_name,
)
from monitor.pipeline.poll import ClaimedSource, PollContext, SourceOutcome, poll_source
from monitor.pipeline.pollers import run_cycle

__all__ = [
    "ClaimedSource",
    "CycleSummary",
    "PollContext",
    "SourceOutcome",
    "SourcePoller",
    "channel_styles",
    "channel_urls",
    "poll_all",
    "poll_source",
    "run_cycle",
    "sync_configured_sources",
    "worker_name",
]
