"""A real local HTTP server for tests: serve registered paths with bytes, status and headers.

    server.serve("/feed.xml", body, etag='"v1"')      # → "http://127.0.0.1:<port>/feed.xml"
    server.serve("/flaky", body, fail_times=2)         # 503 twice, then 200
    server.requests_for("/feed.xml")[0].headers["user-agent"]

Conditional GET is honoured (If-None-Match / If-Modified-Since → 304). Use it through the `feed_server`
fixture (import it into a conftest: `from tests.support.feed_server import feed_server`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Responder = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class LoggedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float = 0.0
    """When it arrived (time.monotonic)."""


@dataclass
class Route:
    """What one path answers. `respond` takes over the socket for hostile behaviour."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    fail_times: int = 0
    fail_status: int = 503
    respond: Responder | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stalls

    def do_GET(self) -> None:
        self.server.record(self)
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay and self.server.stopping.wait(route.delay):
            return
        if route.respond is not None:
            route.respond(self)
            return
        if self.server.take_failure(route):
            self._send(route.fail_status, b"try later", {"Content-Type": "text/plain"})
            return
        if self._not_modified(route):
            self._send(304, b"", self._validators(route))
            return
        self._send(route.status, route.body, {**self._validators(route), **route.headers})

    def _not_modified(self, route: Route) -> bool:
        sent_etag = self.headers.get("If-None-Match")
        if route.etag is not None and sent_etag is not None:
            return sent_etag == route.etag
        sent_date = self.headers.get("If-Modified-Since")
        return route.last_modified is not None and sent_date == route.last_modified

    @staticmethod
    def _validators(route: Route) -> dict[str, str]:
        found = {"ETag": route.etag, "Last-Modified": route.last_modified}
        return {name: value for name, value in found.items() if value is not None}

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304 and "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet; the request log is on the server."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.log: list[LoggedRequest] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-response is expected here (timeouts, caps): stay quiet."""

    def record(self, handler: BaseHTTPRequestHandler) -> None:
        entry = LoggedRequest(
            handler.command,
            handler.path,
            {k.lower(): v for k, v in handler.headers.items()},
            time.monotonic(),
        )
        with self.lock:
            self.log.append(entry)

    def take_failure(self, route: Route) -> bool:
        with self.lock:
            if route.fail_times <= 0:
                return False
            route.fail_times -= 1
            return True


class FeedServer:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0) in a background thread."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def stopping(self) -> threading.Event:
        """Set when the server stops: hostile responders end their loops on it."""
        return self._server.stopping

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def serve(self, path: str, body: bytes = b"", **options: object) -> str:
        """Register `path` (options are the fields of `Route`) and return its URL."""
        self._server.routes[path] = Route(body=body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def route(self, path: str) -> Route:
        """The route registered at `path`, to change it between fetches."""
        return self._server.routes[path]

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request received so far, in order."""
        with self._server.lock:
            return list(self._server.log)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """The requests received for `path`."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running FeedServer, stopped after the test."""
    with FeedServer() as server:
        yield server
