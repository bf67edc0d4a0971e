"""Near-duplicate sketches: one-permutation MinHash over word shingles, and LSH band keys.

Why our own and not datasketch: datasketch's MinHash applies 128 hash permutations to every shingle with
numpy (a new dependency with scipy), and its LSH keeps its own mutable index. One-permutation hashing
(Li, Owen & Zhang 2012) needs one hash per shingle and a min per bin: each word is hashed once (CRC-32, in
C), a shingle's hash mixes its three words' with integer arithmetic; deterministic across processes (not
`hash()`, which is salted), and the signature is a short list of integers that the database stores as JSON.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

BINS = 64
ROWS_PER_BAND = 2
SHINGLE_WORDS = 3
MAX_WORDS = 600
"""Only the first words of a long article are sketched: bounded time, and the opening is what copies share
(a trimmed copy keeps it)."""

_WORD = re.compile(r"\w+")
_M1, _M2, _M3 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9  # odd 64-bit mixers
_MASK64 = (1 << 64) - 1
_BIN_BITS = 58  # the hash's top 6 bits choose the bin (64 bins), the rest is the value kept
_BANDS = range(0, BINS, ROWS_PER_BAND)
Signature = tuple[int, ...]
"""The minimum hash value per bin; -1 for an empty bin."""


def words(text: str) -> list[str]:
    """The folded words of a text, capped (hostile text may be huge)."""
    return _WORD.findall(text.casefold())[:MAX_WORDS]


def minhash(tokens: Sequence[str]) -> Signature:
    """The one-permutation MinHash of the word shingles of `tokens` (a short text: its words, one shingle)."""
    codes = [zlib.crc32(token.encode("utf-8", "surrogatepass")) for token in tokens] or [0]
    codes += [0] * (SHINGLE_WORDS - len(codes))
    mixed = [
        ((((value := ((a * _M1 + b * _M2 + c) * _M3) & _MASK64) ^ (value >> 29)) * _M1) & _MASK64)
        for a, b, c in zip(codes, codes[1:], codes[2:], strict=False)
    ]
    mins = [-1] * BINS
    mask = (1 << _BIN_BITS) - 1
    for value in sorted(mixed, reverse=True):
        mins[value >> _BIN_BITS] = value & mask  # descending: the last value written to a bin is its least
    return tuple(mins)


def similarity(left: Signature, right: Signature) -> float:
    """Estimated Jaccard similarity of the shingle sets: equal bins among the bins filled on either side."""
    filled = equal = 0
    for a, b in zip(left, right, strict=True):
        if a >= 0 or b >= 0:
            filled += 1
            equal += a == b
    return equal / filled if filled else 0.0


def band_keys(signature: Signature) -> list[tuple[int, int, int]]:
    """LSH keys: (band, value, value) for each band of two bins with both filled; two signatures whose
    Jaccard similarity is 0.3 share one with probability 0.95 (32 bands of 2 rows)."""
    return [
        (band, first, second)
        for band, first, second in zip(_BANDS, signature[0::2], signature[1::2], strict=True)
        if first >= 0 and second >= 0
    ]
