"""XXH64 on numpy arrays, bit-identical to Spark's ``xxhash64`` built-in.

Spark hashes a ``bigint`` with ``XXH64.hashLong`` and a string with ``hashUnsafeBytes`` over its
UTF-8 bytes; both are plain XXH64 (little-endian). Re-implementing them with vectorised uint64
arithmetic lets the pandas fingerprint and the Spark fingerprint (which uses the JVM built-in,
no Python workers) produce the same numbers. All arithmetic is modulo 2**64 by design.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]

P1 = np.uint64(0x9E3779B185EBCA87)
P2 = np.uint64(0xC2B2AE3D27D4EB4F)
P3 = np.uint64(0x165667B19E3779F9)
P4 = np.uint64(0x85EBCA77C2B2AE63)
P5 = np.uint64(0x27D4EB2F165667C5)
SPARK_SEED = 42
_MASK = (1 << 64) - 1
_SHIFT = {r: np.uint64(r) for r in range(65)}


def _rotl(x: U64, r: int) -> U64:
    """Rotate left in place (``x`` is consumed)."""
    t = x << _SHIFT[r]
    x >>= _SHIFT[64 - r]
    x |= t
    return x


def _fmix(h: U64) -> U64:
    h ^= h >> _SHIFT[33]
    h *= P2
    h ^= h >> _SHIFT[29]
    h *= P3
    h ^= h >> _SHIFT[32]
    return h


def hash_long(values: U64, seed: int | U64) -> U64:
    """XXH64 of each 8-byte little-endian word (Spark ``XXH64.hashLong``); returns a new array."""
    k = values * P2
    k = _rotl(k, 31)
    k *= P1
    if isinstance(seed, np.ndarray):
        k ^= seed + (P5 + np.uint64(8))
    else:
        k ^= np.uint64((seed + int(P5) + 8) & _MASK)
    k = _rotl(k, 27)
    k *= P1
    k += P4
    return _fmix(k)


def hash_bytes(data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], seed: int) -> U64:
    """XXH64 of each byte string ``data[offsets[i]:offsets[i + 1]]`` (Spark ``hashUnsafeBytes``).

    ``data`` must be followed by at least 8 readable padding bytes (see ``padded``): words are
    gathered from an overlapping strided view, which never reads past ``len(data)``.
    Strings are processed together: one pass per 32-byte stripe index for long strings, then
    at most three 8-byte, one 4-byte and three 1-byte steps selected with masks.
    """
    starts = offsets[:-1]
    lengths = offsets[1:] - starts
    n = len(starts)
    span = len(data) - 7
    words = np.ndarray(shape=(span,), dtype="<u8", buffer=data, strides=(1,))
    ints = np.ndarray(shape=(span,), dtype="<u4", buffer=data, strides=(1,))
    useed = seed & _MASK
    h = np.full(n, (useed + int(P5)) & _MASK, dtype=np.uint64)
    stripes = lengths >> 5
    long_idx = np.flatnonzero(stripes)
    if len(long_idx):
        h[long_idx] = _hash_stripes(words, starts[long_idx], stripes[long_idx], useed)
    h += lengths.astype(np.uint64)
    pos = starts + (stripes << 5)
    rest = lengths & 31
    for step in range(3):
        mask = rest >= 8 * (step + 1)
        if not mask.any():
            break
        k = words[pos] * P2
        k = _rotl(k, 31)
        k *= P1
        k ^= h
        k = _rotl(k, 27)
        k *= P1
        k += P4
        h = np.where(mask, k, h)
        pos = pos + (mask.astype(np.int64) << 3)
    mask = (rest & 4) != 0
    if mask.any():
        k = ints[pos].astype(np.uint64) * P1
        k ^= h
        k = _rotl(k, 23)
        k *= P2
        k += P3
        h = np.where(mask, k, h)
        pos = pos + (mask.astype(np.int64) << 2)
    tail = rest & 3
    for step in range(3):
        mask = tail > step
        if not mask.any():
            break
        k = data[pos].astype(np.uint64) * P5
        k ^= h
        k = _rotl(k, 11)
        k *= P1
        h = np.where(mask, k, h)
        pos = pos + mask
    return _fmix(h)


def _hash_stripes(
    words: U64, starts: npt.NDArray[np.int64], stripes: npt.NDArray[np.int64], seed: int
) -> U64:
    """The 32-byte-stripe phase of XXH64 for strings of 32 bytes or more."""
    lanes = [
        np.full(len(starts), (seed + int(P1) + int(P2)) & _MASK, dtype=np.uint64),
        np.full(len(starts), (seed + int(P2)) & _MASK, dtype=np.uint64),
        np.full(len(starts), seed, dtype=np.uint64),
        np.full(len(starts), (seed - int(P1)) & _MASK, dtype=np.uint64),
    ]
    active = np.arange(len(starts))
    pos = starts.copy()
    done = 0
    while len(active):
        at = pos[active]
        for j, lane in enumerate(lanes):
            x = lane[active] + words[at + 8 * j] * P2
            x = _rotl(x, 31)
            x *= P1
            lane[active] = x
        pos[active] += 32
        done += 1
        active = active[stripes[active] > done]
    v1, v2, v3, v4 = lanes
    h = _rotl(v1.copy(), 1) + _rotl(v2.copy(), 7)
    h += _rotl(v3.copy(), 12)
    h += _rotl(v4.copy(), 18)
    for lane in lanes:
        lane *= P2
        lane = _rotl(lane, 31)
        lane *= P1
        h ^= lane
        h *= P1
        h += P4
    return h


def padded(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """``data`` followed by 8 zero bytes, as ``hash_bytes`` requires."""
    out = np.zeros(len(data) + 8, dtype=np.uint8)
    out[: len(data)] = data
    return out
