"""Concurrency limits seen from the server: per-host and global caps, and the per-host minimum gap."""

from __future__ import annotations

import asyncio
import itertools
import threading
from http.server import BaseHTTPRequestHandler

from monitor.fetching import Fetcher, FetchResult
from monitor.fetching.limits import HostLimiter
from monitor.settings import FetchSettings
from tests.support.feed_server import FeedServer, Responder
from tests.support.hostile_server import GOOD_FEED


class Gate:
    """A responder that counts requests in flight and holds them until released."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.changed = threading.Condition()
        self.release = threading.Event()

    def responder(self) -> Responder:
        def respond(handler: BaseHTTPRequestHandler) -> None:
            with self.changed:
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
                self.changed.notify_all()
            self.release.wait(timeout=10)
            with self.changed:
                self.in_flight -= 1
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(GOOD_FEED)))
            handler.end_headers()
            handler.wfile.write(GOOD_FEED)

        return respond

    def wait_for(self, count: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.in_flight >= count, timeout=10)


async def _fetch_many(settings: FetchSettings, urls: list[str], gate: Gate, hold: int) -> list[FetchResult]:
    """Start every fetch, release the gate once `hold` requests are held, return the results."""
    async with Fetcher(settings) as fetcher:
        tasks = [asyncio.create_task(fetcher.fetch(url)) for url in urls]
        reached = await asyncio.to_thread(gate.wait_for, hold)
        gate.release.set()
        assert reached, f"only {gate.in_flight} requests arrived"
        return await asyncio.gather(*tasks)


def test_per_host_limit_caps_requests_in_flight(feed_server: FeedServer):
    gate = Gate()
    url = feed_server.serve("/held", respond=gate.responder())
    settings = FetchSettings.model_validate({"max_concurrency": 10, "per_host_concurrency": 2})
    results = asyncio.run(_fetch_many(settings, [url] * 6, gate, hold=2))
    assert [r.body for r in results] == [GOOD_FEED] * 6
    assert gate.peak == 2


def test_global_limit_caps_requests_across_hosts(feed_server: FeedServer):
    gate = Gate()
    url = feed_server.serve("/held", respond=gate.responder())
    other_host = url.replace("127.0.0.1", "localhost")
    settings = FetchSettings.model_validate({"max_concurrency": 3, "per_host_concurrency": 2})
    results = asyncio.run(_fetch_many(settings, [url, other_host] * 4, gate, hold=3))
    assert len(results) == 8
    assert gate.peak == 3


def test_min_host_delay_spaces_out_the_starts_of_requests_to_one_host_only() -> None:
    """Measured where the fetcher starts each request (a server's threads may run late on a busy machine
    and bunch up what was sent spaced out)."""

    async def run() -> dict[str, list[float]]:
        limiter = HostLimiter(total=8, per_host=4, min_delay=0.1)
        loop = asyncio.get_running_loop()
        starts: dict[str, list[float]] = {"paced.example": [], "other.example": []}

        async def request(host: str) -> None:
            async with limiter.slot(host):
                starts[host].append(loop.time())

        await asyncio.gather(*(request("paced.example") for _ in range(3)), request("other.example"))
        return starts

    starts = asyncio.run(run())
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts["paced.example"])]
    assert len(gaps) == 2 and min(gaps) >= 0.09
    assert starts["other.example"][0] < starts["paced.example"][1], "another host does not wait its turn"
