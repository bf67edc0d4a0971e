"""Canonical article URLs, so that the same article reached through different links is stored once.

Resolved against the feed URL; scheme and host lower-cased (IDN hosts in their ASCII form); default ports,
fragments, credentials and tracking parameters dropped; every other parameter kept, in order.
"""

from __future__ import annotations

from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

import idna

TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
"""Analytics campaign families: Google (utm_), AT Internet (at_, used by French media), Matomo/Piwik."""

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
        "twclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "xtor", "xtref", "ref_src", "ref_url", "cmpid", "ito", "ocid", "spm", "s_cid",
    }
)  # fmt: skip
"""Click and campaign identifiers. `ref` is kept: some sites use it for the content itself."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _ascii_host(host: str) -> str:
    """The host lower-cased, in punycode when it is an internationalised name."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return quote(host, safe="")


def canonicalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of `url` (resolved against `base`), or None when it is not an http(s) URL."""
    url = url.strip()
    if not url:
        return None
    absolute = urljoin(base, url) if base else url
    try:
        parts = urlsplit(absolute)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    netloc = _ascii_host(parts.hostname)
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", _strip_tracking(parts.query), ""))


def _strip_tracking(query: str) -> str:
    """The query without tracking parameters; the rest kept byte for byte, in order."""
    pairs = [pair for pair in query.split("&") if pair]
    return "&".join(pair for pair in pairs if not _is_tracking(unquote_plus(pair.split("=", 1)[0])))
