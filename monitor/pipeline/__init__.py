"""One source polled end to end, and one cycle over every enabled source."""

from monitor.pipeline.cycle import CycleSummary, poll_sources, run_cycle, sync_configured_sources
from monitor.pipeline.poll import SourceOutcome, poll_source

__all__ = [
    "CycleSummary",
    "SourceOutcome",
    "poll_source",
    "poll_sources",
    "run_cycle",
    "sync_configured_sources",
]
