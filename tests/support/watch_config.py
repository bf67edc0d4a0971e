"""A real configuration directory for end-to-end tests: local feeds, bundled rules, a local receiver."""

from __future__ import annotations

import shutil
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from monitor import clock
from tests.conftest import PROJECT_ROOT

BUNDLED_CONFIG = PROJECT_ROOT / "config"
PUBLISHED_AGO = timedelta(hours=1)
"""How long before now the items of `rss` and `atom` were published: recent enough to alert at once."""


ONE_POLLER = "polling:\n  processes: 1\n"
"""One poller, in the test's own process: poller processes (a new Python each, importing monitor and
compiling the rules) cost seconds a poll, for a path POLLER_PROCESSES_SETTINGS tests."""
_FETCH = "fetch:\n  connect_timeout: 2\n  read_timeout: 2\n  total_timeout: 5\n"
FETCH_SETTINGS = ONE_POLLER + _FETCH
"""Short fetch limits, and one poller."""
POLLER_PROCESSES_SETTINGS = "polling:\n  processes: 2\n" + _FETCH
"""`monitor poll` sharing the sources among two poller processes, as it does by default (one per core)."""
LOOPBACK_CONTENT_SETTINGS = FETCH_SETTINGS + "  allowed_networks: ['127.0.0.0/8', '::1/128']\n"
"""Fetch settings that let URLs found in content (full text, discovered feeds) reach this machine's
test servers, which the address policy refuses by default."""


def recent_pubdate() -> str:
    """An RFC 822 date an hour before monitor's clock, as in an RSS `pubDate`."""
    return format_datetime(clock.now() - PUBLISHED_AGO, usegmt=True)


def recent_timestamp() -> str:
    """An RFC 3339 date an hour before monitor's clock, as in an Atom `updated`."""
    return (clock.now() - PUBLISHED_AGO).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss(items: list[tuple[str, str, str]], *, language: str = "en") -> bytes:
    """An RSS 2.0 feed of (guid, title, description) items published an hour ago."""
    published = recent_pubdate()
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://news.example/{guid}?utm_source=rss&amp;id={guid}#top</link>"
        f"<pubDate>{published}</pubDate><description>{text}</description></item>"
        for guid, title, text in items
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Test feed</title>"
        f"<link>https://news.example/</link><language>{language}</language>{body}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, str, str]], *, language: str = "fr") -> bytes:
    """An Atom feed of (id, title, summary) entries updated an hour ago."""
    updated = recent_timestamp()
    body = "".join(
        f"<entry><id>urn:{guid}</id><title>{title}</title><link href='https://presse.example/{guid}'/>"
        f"<updated>{updated}</updated><summary type='html'>{text}</summary></entry>"
        for guid, title, text in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        f"<feed xmlns='http://www.w3.org/2005/Atom' xml:lang='{language}'>"
        f"<title>Flux de test</title><id>urn:feed</id><updated>{updated}</updated>{body}</feed>"
    ).encode()


def write_config(
    directory: Path,
    *,
    sources: dict[str, str],
    alert_url: str,
    settings: str = FETCH_SETTINGS,
) -> Path:
    """A configuration directory with these sources (name → URL), the bundled rules and concepts, and one
    channel `analysts` posting to `alert_url`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("rules.yaml", "concepts.yaml"):
        shutil.copy(BUNDLED_CONFIG / name, directory / name)
    lines = ["sources:"]
    for name, url in sources.items():
        lines += [f"  - name: {name}", f"    url: {url}", "    interval: 10m"]
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / "channels.yaml").write_text(
        f"channels:\n  - name: analysts\n    urls: ['{alert_url}']\n", encoding="utf-8"
    )
    (directory / "settings.yaml").write_text(settings, encoding="utf-8")
    return directory
