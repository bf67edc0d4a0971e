"""Misbehaving servers for tests, mounted on a `FeedServer`: slow drip, endless body, gzip bomb, resets.

urls = serve_hostile(feed_server)      # name → URL, one path per misbehaviour
urls["slow_drip"], urls["gzip_bomb"], urls["redirect_loop"], ...
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler

from tests.support.feed_server import FeedServer, Responder

GOOD_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good</title>'
    b"<item><title>Rason rail terminal</title><link>https://example.org/a</link></item>"
    b"</channel></rss>"
)
BOMB_SIZE = 50_000_000


def slow_drip(stopping: threading.Event, interval: float = 0.05) -> Responder:
    """Headers at once, then one byte of a promised megabyte every `interval` seconds."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        _write_until_stopped(handler, b"<", stopping, interval)

    return respond


def endless_body(stopping: threading.Event) -> Responder:
    """A body with no length that never ends, as fast as the client reads."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        _write_until_stopped(handler, b"<item>x</item>" * 4096, stopping, 0.0)

    return respond


def _write_until_stopped(
    handler: BaseHTTPRequestHandler, chunk: bytes, stopping: threading.Event, interval: float
) -> None:
    """Write `chunk` repeatedly until the client leaves or the server stops."""
    handler.close_connection = True
    try:
        while not stopping.wait(interval):
            handler.wfile.write(chunk)
            handler.wfile.flush()
    except OSError:
        return


def connection_reset(handler: BaseHTTPRequestHandler) -> None:
    """Read the request, then abort the TCP connection (RST) without a response."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def gzip_bomb(size: int = BOMB_SIZE) -> bytes:
    """`size` zero bytes, gzip-compressed (a thousandth of the size on the wire)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


HTML_WITH_ALTERNATES = b"""<!DOCTYPE html><html><head><title>Le Monde</title>
<link rel="alternate" type="application/rss+xml" title="A la une" href="/rss/une.xml">
<link rel="alternate" type="application/atom+xml" href="https://feeds.example.org/atom">
</head><body><p>Not a feed.</p></body></html>"""

INVALID_XML = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & bad</title>'
    b"<item><title>Khasan crossing</title><link>https://example.org/k</link></item>"
    b"<item><title>Tumangang <b>bridge</title><link>https://example.org/t</link></item>"
    b"</channel>"
)

CP1251_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Новости</title><item>'
    "<title>Производство беспилотников в Елабуге</title><link>https://example.ru/1</link>"
    "<description>Завод в Алабуге выпускает дроны «Герань» для армии.</description>"
    "</item></channel></rss>"
).encode("cp1251")


def serve_hostile(server: FeedServer) -> dict[str, str]:
    """Mount every misbehaviour on `server`; return the URL of each by name."""
    stopping = server.stopping
    xml = {"Content-Type": "application/rss+xml"}
    routes: dict[str, tuple[str, dict[str, object]]] = {
        "good": ("/good.xml", {"body": GOOD_FEED}),
        "slow_drip": ("/slow-drip", {"respond": slow_drip(stopping)}),
        "endless": ("/endless", {"respond": endless_body(stopping)}),
        "gzip_bomb": ("/bomb", {"body": gzip_bomb(), "headers": {**xml, "Content-Encoding": "gzip"}}),
        "redirect_loop": ("/loop-a", {"status": 302, "headers": {"Location": "/loop-b"}}),
        "loop_b": ("/loop-b", {"status": 302, "headers": {"Location": "/loop-a"}}),
        "too_many_requests": ("/busy", {"status": 429, "headers": {"Retry-After": "120"}}),
        "unavailable": (
            "/down",
            {"status": 503, "headers": {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}},
        ),
        "gone": ("/gone", {"status": 410}),
        "not_found_explicit": ("/missing", {"status": 404}),
        "server_error": ("/broken", {"status": 500}),
        "moved": ("/old-feed", {"status": 301, "headers": {"Location": "/good.xml"}}),
        "invalid_xml": ("/invalid.xml", {"body": INVALID_XML}),
        "html_page": ("/page.html", {"body": HTML_WITH_ALTERNATES, "headers": {"Content-Type": "text/html"}}),
        "wrong_charset": (
            "/cp1251.xml",
            {"body": CP1251_FEED, "headers": {"Content-Type": "application/rss+xml; charset=iso-8859-1"}},
        ),
        "empty": ("/empty", {"body": b""}),
        "reset": ("/reset", {"respond": connection_reset}),
    }
    return {name: server.serve(path, **options) for name, (path, options) in routes.items()}  # type: ignore[arg-type]
