"""Near-duplicate sketches: one-permutation MinHash over word shingles, and LSH band keys.

Why our own and not datasketch: datasketch's MinHash applies 128 hash permutations to every shingle with
numpy (a new dependency with scipy), and its LSH keeps its own mutable index. One-permutation hashing
(Li, Owen & Zhang 2012) needs one 64-bit hash per shingle and a min per bin: about 20 µs for a short article
in pure Python, deterministic across processes (blake2b, not `hash()`), and the signature is a short list
of integers that the database stores as JSON.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

BINS = 64
ROWS_PER_BAND = 2
SHINGLE_WORDS = 3
MAX_WORDS = 3_000
"""Only the first words of a long article are sketched: linear time, and the opening is what copies share."""

_WORD = re.compile(r"\w+")
_BIN_BITS = 58  # the hash's top 6 bits choose the bin (64 bins), the rest is the value kept
Signature = tuple[int, ...]
"""The minimum hash value per bin; -1 for an empty bin."""


def words(text: str) -> list[str]:
    """The folded words of a text, capped (hostile text may be huge)."""
    return _WORD.findall(text.casefold())[:MAX_WORDS]


def minhash(tokens: Sequence[str]) -> Signature:
    """The one-permutation MinHash of the word shingles of `tokens` (a short text: its words, one shingle)."""
    mins = [-1] * BINS
    size = SHINGLE_WORDS if len(tokens) >= SHINGLE_WORDS else max(len(tokens), 1)
    mask = (1 << _BIN_BITS) - 1
    for start in range(len(tokens) - size + 1):
        shingle = " ".join(tokens[start : start + size]).encode("utf-8", "surrogatepass")
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        slot, rest = value >> _BIN_BITS, value & mask
        if mins[slot] < 0 or rest < mins[slot]:
            mins[slot] = rest
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
    keys = []
    for band in range(0, BINS, ROWS_PER_BAND):
        first, second = signature[band], signature[band + 1]
        if first >= 0 and second >= 0:
            keys.append((band, first, second))
    return keys
