"""Fingerprints of dataset versions: native version pointers, file manifests, logical hashes.

- ``detect_pointer``: what Delta/Iceberg/DVC/lakeFS (or the file system) calls this version.
- ``build_manifest`` / ``diff_manifests``: the exact sha256 of every data file, and what changed.
- ``fingerprint_pandas`` / ``fingerprint_spark``: an order-independent content hash, identical
  across both engines, with per-column sums that show where drift came in (``compare``).
- ``describe_path`` / ``describe_frame``: a :class:`DatasetRecord` (one dataset version with
  all of the above), which capture records and ``verify`` recomputes.
- ``artifact_digest``: the digest a model version is named by (:class:`ModelArtifact`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlas_ml.fingerprints.artifacts import ModelArtifact, artifact_digest
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_frame, describe_path
from atlas_ml.fingerprints.logical import (
    FingerprintComparison,
    FingerprintError,
    LogicalFingerprint,
    compare,
)
from atlas_ml.fingerprints.manifest import (
    FileManifest,
    ManifestDiff,
    ManifestEntry,
    ManifestError,
    UnsupportedSchemeError,
    build_manifest,
    diff_manifests,
)
from atlas_ml.fingerprints.pointers import PointerError, VersionPointer, detect_pointer

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame as SparkDataFrame

    from atlas_ml.fingerprints.logical_spark import Method

__all__ = [
    "DatasetRecord",
    "FileManifest",
    "FingerprintComparison",
    "FingerprintError",
    "LogicalFingerprint",
    "ManifestDiff",
    "ManifestEntry",
    "ManifestError",
    "ModelArtifact",
    "PointerError",
    "UnsupportedSchemeError",
    "VersionPointer",
    "artifact_digest",
    "build_manifest",
    "compare",
    "describe_frame",
    "describe_path",
    "detect_pointer",
    "diff_manifests",
    "fingerprint_pandas",
    "fingerprint_spark",
]


def fingerprint_pandas(df: pd.DataFrame, chunk_rows: int | None = None) -> LogicalFingerprint:
    """Lazy re-export: importing the package must not import numpy/pyarrow."""
    from atlas_ml.fingerprints.logical_pandas import CHUNK_ROWS
    from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas as run

    return run(df, chunk_rows or CHUNK_ROWS)


def fingerprint_spark(df: SparkDataFrame, method: Method = "auto") -> LogicalFingerprint:
    """Lazy re-export: importing the package must not import pyspark."""
    from atlas_ml.fingerprints.logical_spark import fingerprint_spark as run

    return run(df, method)
