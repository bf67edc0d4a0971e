"""What `monitor run` says when it starts: where its configuration and database are, what it watches,
where the desk is and where alerts go (channel names, never their URLs: those are secrets)."""

from __future__ import annotations

from monitor import __version__
from monitor.config import WatchConfig
from monitor.settings import Settings
from monitor.wording import plural


def start_banner(
    config: WatchConfig, settings: Settings, database_url: str, *, pollers: int, desk: str | None
) -> str:
    """The lines of the start banner; `database_url` already masked."""
    enabled = sum(1 for source in config.sources if source.enabled)
    rules = [rule for rule in config.rules if rule.enabled]
    lines = [
        f"monitor {__version__} starting",
        f"  configuration: {config.directory.resolve()}: {plural(enabled, 'source')}"
        + (f" ({len(config.sources) - enabled} disabled)" if enabled < len(config.sources) else "")
        + f", {plural(len(rules), 'rule')}, {plural(len(config.channels), 'channel')}",
        f"  database: {database_url}",
        f"  pollers: {plural(pollers, 'process', 'processes')}",
        f"  desk: {desk or 'off'}",
        f"  alerts go to: {alert_destinations(config, settings)}",
    ]
    return "\n".join(lines)


def alert_destinations(config: WatchConfig, settings: Settings) -> str:
    """Each channel by name, with how many rules alert it (and whether it gets operations notices)."""
    rules = [rule for rule in config.rules if rule.enabled]
    parts = []
    for channel in config.channels:
        count = sum(1 for rule in rules if channel.name in rule.channels)
        what = [plural(count, "rule")] if count else []
        if settings.health.operations_channel == channel.name:
            what.append("operations notices")
        parts.append(f"{channel.name} ({', '.join(what) or 'unused'})")
    return ", ".join(parts) or "nowhere: no channel is configured (hits are only stored)"
