"""Reading a response body within limits: a byte cap, and a guard against decompression bombs.

We decompress ourselves (gzip and deflate only, which is all we advertise) so that no single chunk can
expand past the cap in memory: zlib is asked for at most the bytes we still accept. A body that is gzip
bytes itself, whatever the headers say, is decompressed within the same cap (`unwrap_gzip`).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

from monitor.errors import FetchError
from monitor.fetching import failures

ACCEPT_ENCODING = "gzip, deflate"
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_GZIP_LAYERS = 3


class _Inflater:
    """Incremental gzip/zlib/raw-deflate decoder that never returns more than it is asked for."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode `data`, returning at most `room` + 1 bytes (one more tells that the cap is exceeded)."""
        try:
            out = self._decoder.decompress(data, room + 1)
        except zlib.error:
            if not self._first:
                raise
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._decoder.decompress(data, room + 1)
        self._first = False
        return out

    def has_more(self) -> bool:
        """Whether input is still waiting to be decoded (the last call stopped at the cap)."""
        return bool(self._decoder.unconsumed_tail)


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, or FetchError when it passes `limit` bytes (raw or after decompression)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise failures.body_too_large(limit)
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        body = await _read_plain(response.aiter_raw(), limit)
    elif encoding in ("gzip", "x-gzip", "deflate"):
        body = await _read_compressed(response.aiter_raw(), limit)
    else:
        raise FetchError(f"unsupported content encoding {encoding!r}")
    return unwrap_gzip(body, limit)


def unwrap_gzip(body: bytes, limit: int) -> bytes:
    """A body that is gzip bytes itself (a `.xml.gz` served without Content-Encoding, or compressed twice),
    decompressed within the same cap as the transfer: the parser would otherwise decompress it past the
    cap. Bytes that only look like gzip are left to the parser to name."""
    for _ in range(_MAX_GZIP_LAYERS):
        if body[:2] != _GZIP_MAGIC:
            return body
        inflater = _Inflater()
        try:
            inflated = inflater.feed(body, limit)
        except zlib.error:
            return body
        if len(inflated) > limit or inflater.has_more():
            raise failures.decompression_bomb(len(body), limit)
        body = inflated
    raise FetchError(f"the body is gzip-compressed more than {_MAX_GZIP_LAYERS} times over")


async def _read_plain(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Collect raw bytes up to `limit`."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise failures.body_too_large(limit)
    return bytes(body)


async def _read_compressed(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Decompress while reading; a body expanding past `limit` is a bomb, a large raw body is too large."""
    inflater = _Inflater()
    body = bytearray()
    compressed = 0
    try:
        async for chunk in chunks:
            compressed += len(chunk)
            if compressed > limit:
                raise failures.body_too_large(limit)
            body += inflater.feed(chunk, limit - len(body))
            if len(body) > limit or inflater.has_more():
                raise failures.decompression_bomb(compressed, limit)
    except zlib.error as exc:
        raise FetchError("the server sent a body that cannot be decompressed") from exc
    return bytes(body)
