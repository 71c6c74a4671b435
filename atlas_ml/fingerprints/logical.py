"""The logical content fingerprint: encoding rules shared by the pandas and Spark engines.

A dataset version's logical fingerprint must survive compaction, re-partitioning, row order
and file-format changes, and must come out the same whether pandas or Spark computed it.
The construction (algorithm ``atlas-logical-v1``):

1. Every column maps to one *logical type* (``LOGICAL_TYPES``) whatever engine or physical
   width it came from, and every cell to a canonical value of that type:

   ========================  ==========================================================
   logical type              canonical value that is hashed (XXH64, Spark-compatible)
   ========================  ==========================================================
   ``int64``                 the integer as a signed 64-bit word (all int widths but
                             uint64, which is ``decimal`` as Spark reads it)
   ``float64``               IEEE-754 double bits; ``-0.0`` -> ``0.0``, every NaN ->
                             ``0x7ff8000000000000`` (float32 widened first)
   ``bool``                  ``0`` / ``1`` as a 64-bit word
   ``string`` / ``binary``   the UTF-8 bytes / the raw bytes
   ``decimal``               the plain decimal string with trailing fractional zeros
                             removed (``1.50`` and ``1.5`` are equal; every precision and
                             scale, since pandas infers them from the values)
   ``timestamp_utc``         microseconds since the Unix epoch, UTC (instants)
   ``timestamp_ntz``         microseconds of the wall-clock time read as UTC
   ``date``                  days since 1970-01-01
   ``null``                  a column of nothing but nulls (not a pandas ``object``
                             column: that holds text, so it is ``string`` as in Spark)
   ========================  ==========================================================

2. Cell hash ``h = XXH64(canonical, seed_t)`` with a per-type seed ``seed_t``; a null cell
   hashes to a per-type constant ``NULL_HASH[t]`` -- so null differs from ``""``, from NaN
   and from 0. In Spark the same value is ``xxhash64(lit(TYPE_SEED[t]), canonical)``.
3. Row hash (128 bits) = two XXH64 chains over the row's cell hashes in schema order,
   ``hi = xxhash64(lit(ROW_SEED_HI), h_1, ..., h_k)`` and ``lo`` likewise with ``ROW_SEED_LO``.
4. Content hash = ``(row count, sum of row hashes mod 2**128)``: order-independent, and a
   duplicated row counts twice (a XOR would cancel it). Column ``c``'s hash is
   ``sum of h_c mod 2**64``, which moves only when that column's multiset of values moves.

Cell hashes are 64-bit, so the row hash, though 128 bits wide, separates two rows that differ
in one cell with probability ``1 - 2**-64``. This is a drift detector, not tamper evidence: the
signed file manifest is the cryptographic record.

Pandas specifics: numpy-backed float columns cannot tell NaN from "missing", and pandas itself
treats NaN there as missing (``isna``), so NaN in such a column is a null; use ``Float64`` or
an Arrow dtype to keep NaN distinct. Integer columns with missing values become float64 when
pandas infers dtypes; read them as ``Int64`` to match a Spark integer column.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.errors import FingerprintError
from atlas_ml.fingerprints.xxh64_reference import xxh64 as hash_bytes_scalar
from atlas_ml.fingerprints.xxh64_reference import xxh64_long as hash_long_scalar

SPARK_SEED = 42

ALGORITHM = "atlas-logical-v1"

LOGICAL_TYPES = (
    "null",
    "bool",
    "int64",
    "float64",
    "string",
    "binary",
    "decimal",
    "timestamp_utc",
    "timestamp_ntz",
    "date",
)

CANONICAL_NAN_BITS = 0x7FF8000000000000
ROW_SEED_HI = 0x61746C61732D6869  # "atlas-hi"
ROW_SEED_LO = 0x61746C61732D6C6F  # "atlas-lo"
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1


def as_signed64(word: int) -> int:
    """A 64-bit hash (read as unsigned) as the signed ``bigint``/``long`` with the same bits,
    which is how Spark and the JVM hold it."""
    word &= MASK64
    return word - (1 << 64) if word >> 63 else word


def _kind(logical_type: str) -> str:
    """``decimal(10,2)`` (as fingerprints recorded before decimals lost their precision and
    scale name it) -> ``decimal``: the cell encoding never depended on them."""
    return logical_type.split("(", 1)[0]


def _type_seed(kind: str) -> int:
    return hash_bytes_scalar(f"atlas-ml/{ALGORITHM}/type/{kind}".encode(), 0)


TYPE_SEED = {kind: _type_seed(kind) for kind in LOGICAL_TYPES}
"""The literal prepended to ``xxhash64`` in Spark, per logical type kind."""

CELL_SEED = {kind: hash_long_scalar(seed, SPARK_SEED) for kind, seed in TYPE_SEED.items()}
"""The effective XXH64 seed of a cell once Spark has hashed the type literal."""

NULL_HASH = {
    kind: hash_bytes_scalar(f"atlas-ml/{ALGORITHM}/null/{kind}".encode(), 0)
    for kind in LOGICAL_TYPES
}
"""The hash of a null cell per type: a constant outside every value's hash chain."""

ROW_SEED_HI_EFFECTIVE = hash_long_scalar(ROW_SEED_HI, SPARK_SEED)
ROW_SEED_LO_EFFECTIVE = hash_long_scalar(ROW_SEED_LO, SPARK_SEED)


def cell_seed(logical_type: str) -> int:
    return CELL_SEED[_kind(logical_type)]


def null_hash(logical_type: str) -> int:
    return NULL_HASH[_kind(logical_type)]


def schema_fingerprint(columns: list[tuple[str, str]]) -> str:
    """sha256 over the canonical JSON of ``[[name, logical type], ...]`` in schema order."""
    canonical = json.dumps([[name, kind] for name, kind in columns], separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_unique_names(names: list[str]) -> None:
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise FingerprintError(
            f"duplicate column names {duplicates}: per-column hashes are keyed by name; "
            "rename or drop the duplicates before fingerprinting"
        )


@dataclass(frozen=True)
class LogicalFingerprint:
    """What verify stores and compares for a dataset version's content."""

    content_hash: str
    row_count: int
    columns: dict[str, str]
    schema: list[tuple[str, str]]
    schema_fingerprint: str
    algorithm: str = ALGORITHM
    engine: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "content_hash": self.content_hash,
            "row_count": self.row_count,
            "columns": dict(self.columns),
            "schema": [[name, kind] for name, kind in self.schema],
            "schema_fingerprint": self.schema_fingerprint,
            "engine": self.engine,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogicalFingerprint:
        try:
            return cls(
                content_hash=str(data["content_hash"]),
                row_count=int(data["row_count"]),
                columns={str(k): str(v) for k, v in data["columns"].items()},
                schema=[(str(name), str(kind)) for name, kind in data["schema"]],
                schema_fingerprint=str(data["schema_fingerprint"]),
                algorithm=str(data["algorithm"]),
                engine=str(data.get("engine", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FingerprintError(
                f"not a logical fingerprint record ({exc!r}); expected the output of "
                "LogicalFingerprint.to_dict()"
            ) from exc


@dataclass
class HashSums:
    """Running multiset sums; engines add partial sums, then ``finish`` builds the result."""

    names: list[str]
    types: list[str]
    row_count: int = 0
    row_sum: int = 0
    column_sums: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.column_sums:
            self.column_sums = [0] * len(self.names)

    def finish(self, engine: str) -> LogicalFingerprint:
        schema = list(zip(self.names, self.types, strict=True))
        return LogicalFingerprint(
            content_hash=f"{self.row_sum & MASK128:032x}",
            row_count=self.row_count,
            columns={
                name: f"{total & MASK64:016x}"
                for name, total in zip(self.names, self.column_sums, strict=True)
            },
            schema=schema,
            schema_fingerprint=schema_fingerprint(schema),
            engine=engine,
        )


@dataclass(frozen=True)
class FingerprintComparison:
    """Where two logical fingerprints of (supposedly) the same data disagree."""

    content_equal: bool
    row_count_delta: int
    changed_columns: list[str]
    added_columns: list[str]
    removed_columns: list[str]
    type_changes: dict[str, tuple[str, str]]
    schema_equal: bool
    algorithm_mismatch: bool

    @property
    def identical(self) -> bool:
        return self.content_equal and self.schema_equal and not self.algorithm_mismatch

    def to_dict(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "content_equal": self.content_equal,
            "row_count_delta": self.row_count_delta,
            "changed_columns": self.changed_columns,
            "added_columns": self.added_columns,
            "removed_columns": self.removed_columns,
            "type_changes": {k: list(v) for k, v in self.type_changes.items()},
            "schema_equal": self.schema_equal,
            "algorithm_mismatch": self.algorithm_mismatch,
        }


def compare(recorded: LogicalFingerprint, current: LogicalFingerprint) -> FingerprintComparison:
    """Say which columns' sums moved, how the row count moved and how the schema changed.

    A column appears in ``changed_columns`` when it exists on both sides and its hash differs
    (its multiset of values changed, or its type did).
    """
    old_types = dict(recorded.schema)
    new_types = dict(current.schema)
    return FingerprintComparison(
        content_equal=recorded.content_hash == current.content_hash
        and recorded.row_count == current.row_count,
        row_count_delta=current.row_count - recorded.row_count,
        changed_columns=[
            name
            for name in recorded.columns
            if name in current.columns and recorded.columns[name] != current.columns[name]
        ],
        added_columns=[name for name in current.columns if name not in recorded.columns],
        removed_columns=[name for name in recorded.columns if name not in current.columns],
        type_changes={
            name: (old_types[name], new_types[name])
            for name in old_types
            if name in new_types and old_types[name] != new_types[name]
        },
        schema_equal=recorded.schema_fingerprint == current.schema_fingerprint,
        algorithm_mismatch=recorded.algorithm != current.algorithm,
    )
