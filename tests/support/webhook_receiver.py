"""A real local HTTP server that records the JSON alerts Apprise POSTs to `json://127.0.0.1:PORT/path` URLs.

    with WebhookReceiver() as receiver:          # or the `webhook_receiver` pytest fixture
        url = receiver.apprise_url("/alerts")    # give this to a channel
        receiver.fail_next(2)                    # the next two requests get HTTP 500
        receiver.hold(30)                        # answer requests only after 30 s (or `release()`)
        ...
        (alert,) = receiver.wait_for(1)          # the accepted requests, waiting up to 10 s
        alert.json["title"], alert.json["message"]

To use the fixture in another test package: `from tests.support.webhook_receiver import webhook_receiver`
in that package's conftest.py (re-exported under the same name).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest

MAX_BODY_BYTES = 10_000_000


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = 0.0
    """When it arrived (time.monotonic)."""

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None if it is not JSON)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class _State:
    """What the handler threads share with the test, guarded by one condition."""

    condition: threading.Condition = field(default_factory=threading.Condition)
    requests: list[ReceivedRequest] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    hold_seconds: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1 (a free port, or `port` to come back where a stopped one was)
    answering 200 unless told to fail."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = _State()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self._state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="webhook-receiver", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    def apprise_url(self, path: str = "/hook") -> str:
        """An Apprise URL that POSTs JSON alerts to `path` on this receiver."""
        return f"json://127.0.0.1:{self.port}{path}"

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with `status` instead of 200."""
        with self._state.condition:
            self._state.failures.extend([status] * count)

    def hold(self, seconds: float) -> None:
        """Record each request at once but answer it only after `seconds` (or at `release()`): a sender
        stays mid-send meanwhile."""
        self._state.released.clear()
        self._state.hold_seconds = seconds

    def release(self) -> None:
        """Answer held requests now, and the next ones at once."""
        self._state.hold_seconds = 0.0
        self._state.released.set()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Wait until `count` requests arrived, answered or not; AssertionError after `timeout` s."""
        with self._state.condition:
            done = self._state.condition.wait_for(lambda: len(self._state.requests) >= count, timeout)
        if not done:
            raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
        return self.requests

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, failed ones included."""
        with self._state.condition:
            return list(self._state.requests)

    @property
    def accepted(self) -> list[ReceivedRequest]:
        """The requests answered with 200 so far."""
        return [request for request in self.requests if request.status == 200]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Wait until `count` requests were accepted and return them; AssertionError after `timeout` s."""
        with self._state.condition:
            done = self._state.condition.wait_for(
                lambda: sum(r.status == 200 for r in self._state.requests) >= count, timeout
            )
        if not done:
            raise AssertionError(f"expected {count} accepted requests, got {len(self.accepted)}")
        return self.accepted

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _handler_for(state: _State) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `state`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._record()

        def do_PUT(self) -> None:
            self._record()

        def do_GET(self) -> None:
            self._record()

        def _record(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY_BYTES)
            body = self.rfile.read(length) if length else b""
            with state.condition:
                status = state.failures.pop(0) if state.failures else 200
                headers = {key.lower(): value for key, value in self.headers.items()}
                state.requests.append(
                    ReceivedRequest(self.command, self.path, headers, body, status, time.monotonic())
                )
                state.condition.notify_all()
            if state.hold_seconds:
                state.released.wait(state.hold_seconds)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A running WebhookReceiver, stopped after the test."""
    with WebhookReceiver() as receiver:
        yield receiver
