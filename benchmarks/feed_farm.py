"""A farm of synthetic RSS feeds for benchmarks, served from its own process over many loopback addresses.

Each feed has 50 items (about 70 KB), answers after an added latency (100 ms by default), honours
If-None-Match with 304, and is spread over hosts 127.0.0.2, 127.0.0.3, … so that per-host limits act as
they would on the internet. Run alone: `python benchmarks/feed_farm.py --feeds 1000` prints its URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

WORDS = tuple(
    "government minister report officials region city border train freight rail cargo station factory "
    "production drones drone missiles shells ammunition weapons supply deliveries talks economy market "
    "prices energy winter attack defence forces troops village statement week agency sources analysts "
    "satellite images imagery port ship vessel route bridge capacity".split(" ")
)
SIGNAL_SENTENCES = (
    "Satellite images show freight trains crossing the Tumangang–Khasan rail bridge between North Korea "
    "and Russia, carrying containers believed to hold artillery shells.",
    "The Alabuga plant in Tatarstan has expanded production of Shahed drones, now assembled in Russia "
    "under the name Geran-2.",
    "Des obus nord-coréens sont livrés à la Russie par voie ferroviaire via Rason, selon le renseignement.",
)


@dataclass(frozen=True)
class FarmLayout:
    """Which feeds exist and where: feed i lives on host 127.0.0.(2 + i % hosts)."""

    feeds: int
    hosts: int
    port: int

    def host_of(self, index: int) -> str:
        return f"127.0.0.{2 + index % self.hosts}"

    def url(self, index: int) -> str:
        return f"http://{self.host_of(index)}:{self.port}/feeds/{index}.xml"

    def urls(self) -> list[str]:
        return [self.url(i) for i in range(self.feeds)]


def build_feed(index: int, items: int = 50) -> bytes:
    """A reproducible RSS 2.0 feed of `items` entries of about 1.4 KB of text each."""
    rng = random.Random(index)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    entries = []
    for n in range(items):
        body = " ".join(rng.choice(WORDS) for _ in range(150))
        if rng.random() < 0.02:
            body = rng.choice(SIGNAL_SENTENCES) + " " + body
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        published = format_datetime(start + timedelta(minutes=index * 7 + n * 53))
        link = f"https://news{index}.example/articles/{n}?utm_source=rss"
        entries.append(
            f"<item><title>{escape(title)}</title><link>{link}</link>"
            f"<guid isPermaLink='false'>feed{index}-item{n}</guid><pubDate>{published}</pubDate>"
            f"<description>{escape('<p>' + body + '</p>')}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {index}</title><link>https://news{index}.example/</link>"
        f"<description>Synthetic feed {index}</description>{''.join(entries)}</channel></rss>"
    ).encode()


class FeedFarm:
    """The asyncio HTTP/1.1 server: keep-alive, ETag/304, added latency."""

    def __init__(self, layout: FarmLayout, latency: float) -> None:
        self.layout = layout
        self.latency = latency
        self.bodies = {f"/feeds/{i}.xml": build_feed(i) for i in range(layout.feeds)}
        self.etags = {path: f'"{hashlib.sha1(body).hexdigest()[:16]}"' for path, body in self.bodies.items()}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                lines = request.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
                await asyncio.sleep(self.latency)
                writer.write(self.response(path, headers))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def response(self, path: str, headers: dict[str, str]) -> bytes:
        body = self.bodies.get(path)
        if body is None:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        etag = self.etags[path]
        if headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            f"ETag: {etag}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def serve(self, ready: multiprocessing.synchronize.Event | None = None) -> None:
        hosts = sorted({self.layout.host_of(i) for i in range(self.layout.feeds)})
        server = await asyncio.start_server(self.handle, host=hosts, port=self.layout.port, backlog=4096)
        if ready is not None:
            ready.set()
        async with server:
            await server.serve_forever()


def _serve(layout: FarmLayout, latency: float, ready: multiprocessing.synchronize.Event) -> None:
    asyncio.run(FeedFarm(layout, latency).serve(ready))


def start_farm(feeds: int, *, hosts: int = 50, port: int = 18080, latency: float = 0.1):  # type: ignore[no-untyped-def]
    """Start the farm in its own process; returns (layout, process). Terminate the process when done."""
    layout = FarmLayout(feeds=feeds, hosts=min(hosts, feeds), port=port)
    ready = multiprocessing.get_context("spawn").Event()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(layout, latency, ready), daemon=True
    )
    process.start()
    if not ready.wait(60):
        process.terminate()
        raise RuntimeError("the feed farm did not start within 60 s")
    return layout, process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    layout = FarmLayout(args.feeds, min(args.hosts, args.feeds), args.port)
    print("\n".join(layout.urls()[:5]), "…", flush=True)
    asyncio.run(FeedFarm(layout, args.latency).serve())


if __name__ == "__main__":
    main()
