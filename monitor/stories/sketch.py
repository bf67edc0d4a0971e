"""Near-duplicate sketches: one-permutation MinHash over word shingles, and LSH band keys.

Why our own and not datasketch: datasketch's MinHash applies 128 hash permutations to every shingle (with
scipy besides numpy), and its LSH keeps its own mutable index. One-permutation hashing
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
_BIN_BITS = 58  # the hash's top 6 bits choose the bin (64 bins), the rest is the value kept
_BANDS = range(0, BINS, ROWS_PER_BAND)
Signature = tuple[int, ...]
"""The minimum hash value per bin; -1 for an empty bin."""


def words(text: str) -> list[str]:
    """The folded words of a text, capped (hostile text may be huge)."""
    return _WORD.findall(text.casefold())[:MAX_WORDS]


def minhash(tokens: Sequence[str]) -> Signature:
    """The one-permutation MinHash of the word shingles of `tokens` (a short text: its words, one shingle).

    The shingles' mixing and the minimum per bin run in numpy (its uint64 arithmetic wraps as the masks
    of the integer formulas do, so the values are the same): a fifth of an article's features in Python."""
    import numpy as np  # here: the reading commands import this module and never sketch

    codes = [zlib.crc32(token.encode("utf-8", "surrogatepass")) for token in tokens] or [0]
    codes += [0] * (SHINGLE_WORDS - len(codes))
    word = np.array(codes, dtype=np.uint64)
    value = (word[:-2] * np.uint64(_M1) + word[1:-1] * np.uint64(_M2) + word[2:]) * np.uint64(_M3)
    value ^= value >> np.uint64(29)
    value *= np.uint64(_M1)
    value.sort()  # by bin, then by the value kept: the first of each bin is its least
    bins = (value >> np.uint64(_BIN_BITS)).astype(np.intp)
    first = np.flatnonzero(np.diff(bins, prepend=-1))
    mins = np.full(BINS, -1, dtype=np.int64)
    mins[bins[first]] = (value[first] & np.uint64((1 << _BIN_BITS) - 1)).astype(np.int64)
    return tuple(mins.tolist())


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
