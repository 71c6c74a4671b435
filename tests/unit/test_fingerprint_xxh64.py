"""The vectorised XXH64 must equal the reference XXH64 (and so Spark's xxhash64)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from atlas_ml.fingerprints.xxh64 import hash_bytes, hash_long, padded
from atlas_ml.fingerprints.xxh64_reference import xxh64, xxh64_long

pytestmark = pytest.mark.unit


def test_reference_matches_published_xxh64_vectors() -> None:
    assert xxh64(b"", 0) == 0xEF46DB3751D8E999
    assert xxh64(b"abc", 0) == 0x44BC2CF5AD770999


def test_reference_matches_values_spark_returned_for_xxhash64() -> None:
    # select xxhash64('abc'), xxhash64(5L) on Spark 4.0
    assert xxh64(b"abc", 42) == 1423657621850124518
    assert xxh64_long(5, 42) == 6251837290343458373


def test_vectorised_bytes_hash_equals_reference_for_every_length_path() -> None:
    rng = random.Random(7)
    values = [bytes(rng.randrange(256) for _ in range(n)) for n in range(0, 140)]
    values += ["é日本 ünïcödé".encode() * k for k in range(1, 6)]
    data = padded(np.frombuffer(b"".join(values), dtype=np.uint8))
    offsets = np.cumsum([0] + [len(v) for v in values]).astype(np.int64)
    got = hash_bytes(data, offsets, 12345)
    assert [int(x) for x in got] == [xxh64(v, 12345) for v in values]


def test_vectorised_long_hash_equals_reference_with_scalar_and_array_seeds() -> None:
    values = np.array([0, 1, (1 << 64) - 1, 1 << 63, 0x7FF8000000000000], dtype=np.uint64)
    seeds = np.array([42, 7, 0, (1 << 64) - 5, 99], dtype=np.uint64)
    assert [int(x) for x in hash_long(values, 42)] == [xxh64_long(int(v), 42) for v in values]
    expected = [xxh64_long(int(v), int(s)) for v, s in zip(values, seeds, strict=True)]
    assert [int(x) for x in hash_long(values, seeds)] == expected
