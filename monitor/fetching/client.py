"""The `Fetcher`: pooled httpx clients, polite limits, conditional GET and bounded redirects.

There is one connection pool per host. httpcore's pool scans all of its connections for every request
waiting in it, so a single pool shared by hundreds of hosts costs O(requests × connections) per request:
with 128 connections that was most of the fetching CPU. A pool per host stays as small as the per-host limit.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import replace
from datetime import timedelta
from types import TracebackType

import httpx

from monitor.fetching import failures
from monitor.fetching.addresses import AddressBlocked, AddressPolicy, GuardedTransport
from monitor.fetching.body import ACCEPT_ENCODING, read_capped
from monitor.fetching.limits import HostLimiter
from monitor.fetching.result import FetchResult
from monitor.settings import FetchSettings

_PERMANENT = frozenset({301, 308})
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


class Fetcher:
    """Fetches URLs within the limits of `FetchSettings`; use as `async with Fetcher(settings) as f`.

    `min_host_delay` spaces out the starts of requests to the same host (seconds); `max_redirects`
    bounds a redirect chain; `transport` exists for tests that need a transport httpx provides.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        min_host_delay: float = 0.0,
        max_redirects: int = 10,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._max_redirects = max_redirects
        self._timeouts = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        )
        self._limiter = HostLimiter(settings.max_concurrency, settings.per_host_concurrency, min_host_delay)
        self._transport = transport
        self._policy = AddressPolicy.allowing(settings.allowed_networks)
        self._clients: dict[tuple[str, bool], httpx.AsyncClient] | None = None
        self._tls: ssl.SSLContext | None = None

    async def __aenter__(self) -> Fetcher:
        self._clients = {}
        return self

    def _client_for(self, host: str, guarded: bool) -> httpx.AsyncClient:
        """The pooled client of `host`, created on first use; a `guarded` one connects only where the
        address policy permits (all share one TLS context: loading the certificate store takes
        milliseconds)."""
        assert self._clients is not None
        client = self._clients.get((host, guarded))
        if client is None:
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
            limits = httpx.Limits(max_connections=self._settings.per_host_concurrency)
            transport = self._transport
            if transport is None and guarded:
                transport = GuardedTransport(self._policy, verify=self._tls, limits=limits)
            client = self._clients[(host, guarded)] = httpx.AsyncClient(
                timeout=self._timeouts,
                limits=limits,
                headers={"User-Agent": self._settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
                follow_redirects=False,
                transport=transport,
                verify=self._tls,
            )
        return client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        clients, self._clients = self._clients, None
        for client in (clients or {}).values():
            await client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        found_in_content: bool = False,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given); raise FetchError on any failure.

        A URL `found_in_content` (an article link, a feed a page lists) and any redirect to another host
        connect only to addresses the address policy permits (see `monitor.fetching.addresses`).
        """
        if self._clients is None:
            raise RuntimeError("Fetcher is not open: use `async with Fetcher(settings) as fetcher`")
        request = self._build_request(url, etag, last_modified, guarded=found_in_content)
        async with self._limiter.slot(request.url.host):
            try:
                async with asyncio.timeout(self._settings.total_timeout):
                    return await self._follow(request, etag, last_modified, found_in_content)
            except TimeoutError as exc:
                raise failures.total_timeout_error(self._settings.total_timeout) from exc
            except httpx.HTTPError as exc:
                raise failures.transport_error(exc, self._timeouts) from exc
            except AddressBlocked as exc:
                raise failures.address_blocked(exc.host, exc.address) from exc

    async def _follow(
        self, request: httpx.Request, etag: str | None, last_modified: str | None, found_in_content: bool
    ) -> FetchResult:
        """Send `request`, following redirects ourselves to detect loops and permanent moves; a hop to
        another host than the first is guarded."""
        seen = {str(request.url)}
        statuses: list[int] = []
        origin = request.url.host
        for _ in range(self._max_redirects + 1):
            guarded = found_in_content or request.url.host != origin
            try:
                response = await self._client_for(request.url.host, guarded).send(request, stream=True)
            except httpx.InvalidURL as exc:  # httpx prepares the redirect of any 3xx with a Location
                raise failures.bad_redirect("an unsupported or invalid URL") from exc
            try:
                target = _redirect_target(response)
                if target is None:
                    return await self._finish(response, statuses, etag, last_modified)
            finally:
                await response.aclose()
            if str(target) in seen:
                raise failures.redirect_loop(str(request.url))
            seen.add(str(target))
            statuses.append(response.status_code)
            client = self._client_for(target.host, found_in_content or target.host != origin)
            request = client.build_request("GET", target, headers=_conditional(request))
        raise failures.too_many_redirects(self._max_redirects)

    async def _finish(
        self, response: httpx.Response, statuses: list[int], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        """Turn the final response into a result, or raise the error its status means."""
        status = response.status_code
        headers = response.headers
        moved = str(response.url) if statuses and all(s in _PERMANENT for s in statuses) else None
        result = FetchResult(
            url=str(response.url),
            status=status,
            body=None,
            not_modified=status == 304,
            etag=headers.get("etag") or etag,
            last_modified=headers.get("last-modified") or last_modified,
            content_type=headers.get("content-type"),
            permanent_redirect=moved,
            retry_after=failures.parse_retry_after(headers.get("retry-after")),
            cache_max_age=_max_age(headers.get("cache-control")),
            headers={k.lower(): v for k, v in headers.items()},
        )
        if result.not_modified:
            return result
        if not 200 <= status < 300:
            raise failures.http_status_error(status, response.reason_phrase, headers.get("retry-after"))
        body = await read_capped(response, self._settings.max_body_bytes)
        if not body.strip():
            raise failures.empty_body(status)
        return replace(result, body=body)

    def _build_request(
        self, url: str, etag: str | None, last_modified: str | None, *, guarded: bool
    ) -> httpx.Request:
        """A GET request with the conditional headers (and the client's headers and timeouts), or
        FetchError for a URL that cannot be requested."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise failures.bad_url(url, str(exc)) from exc
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise failures.bad_url(url, "only http:// and https:// URLs with a host can be fetched")
        try:
            return self._client_for(parsed.host, guarded).build_request("GET", parsed, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise failures.bad_url(url, str(exc)) from exc


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    """Where a redirect leads (relative locations resolved), None for any other response; FetchError for
    a location that is no http(s) URL we can request (`javascript:`, `mailto:`, a port past 65535)."""
    if not response.has_redirect_location:
        return None
    try:
        target = response.url.join(response.headers["location"].strip())
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise failures.bad_redirect(f"an invalid URL ({exc})") from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise failures.bad_redirect(f"an unsupported URL ({target.scheme or 'no'} scheme)")
    if target.port is not None and not 1 <= target.port <= 65535:
        raise failures.bad_redirect(f"an invalid URL (port {target.port})")
    return target


def _conditional(request: httpx.Request) -> dict[str, str]:
    """The validators of `request`, kept along a redirect chain (the client adds its own headers)."""
    return {
        name: request.headers[name]
        for name in ("if-none-match", "if-modified-since")
        if name in request.headers
    }


def _max_age(cache_control: str | None) -> timedelta | None:
    """`max-age` of a Cache-Control header, when the server gives one."""
    match = _MAX_AGE.search(cache_control or "")
    return timedelta(seconds=int(match.group(1))) if match else None
