"""Fingerprint the data at a recorded location again, exactly as the tracker did.

The tracker's own ``describe_path`` does the work, so a recomputed fingerprint can only
differ from the recorded one because the data did. File digests come from the shared
digest cache, keyed on (path, size, mtime_ns, ctime_ns) as git trusts them;
``rehash=True`` re-reads every byte first and refreshes the cache, for when even that cannot be
trusted (a file system that does not keep times).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from atlas_ml.fingerprints import ManifestError, UnsupportedSchemeError, build_manifest
from atlas_ml.fingerprints.cache import DigestCache
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_path
from atlas_ml.fingerprints.hadoop import build_hadoop_manifest, is_local_location
from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.naming import location_label

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recomputed:
    """The fingerprints of the data now, or why they could not be taken.

    ``record`` is None when no byte could be read (``error`` says why); ``logical_error``
    says why the logical hash is missing although the bytes were read (e.g. a CSV that no
    longer parses).
    """

    record: DatasetRecord | None
    error: str | None = None
    logical_error: str | None = None
    notes: tuple[str, ...] = ()
    """How the data was read, when that is worth saying (a table version by time travel)."""


class _RefreshingCache(DigestCache):
    """A digest cache that never answers from memory but stores what it is told."""

    def get(self, path: str, size: int, mtime_ns: int, ctime_ns: int = 0) -> str | None:
        return None


def recompute(uri: str, *, rehash: bool = False) -> Recomputed:
    """Fingerprint the files at ``uri``: a local path or ``file:`` URI, or any Hadoop URI
    (``hdfs://``, ``s3a://``, ...) when PySpark is installed (see :func:`_recompute_remote`)."""
    if not is_local_location(uri):
        return _recompute_remote(uri, rehash)
    try:
        path = local_path(uri)
    except UnsupportedSchemeError as exc:
        return Recomputed(None, error=str(exc))
    if not path.exists():
        return Recomputed(None, error=f"{uri} no longer exists")
    try:
        if rehash:
            refresh_digests(path)
        return Recomputed(describe_path(path))
    except Exception as exc:
        # Parsing rows failed (pandas, pyarrow, the logical encoder; a reader given a
        # directory where a file was recorded), or reading bytes did: the manifest alone
        # tells which, and what changed if the bytes can still be read.
        reason = f"{type(exc).__name__}: {exc}"
    try:
        return Recomputed(describe_path(path, logical=False), logical_error=reason)
    except (OSError, ManifestError) as exc:
        return Recomputed(None, error=f"{uri} cannot be read: {exc}")


def refresh_digests(path: Path) -> None:
    """Hash every file again and store the digests, so ``describe_path`` reads fresh ones."""
    try:
        cache = _RefreshingCache()
    except (OSError, sqlite3.Error) as exc:
        log.warning("fingerprint cache unavailable (%s); files are hashed without it", exc)
        return
    with cache:
        build_manifest(path, cache=cache)


def _recompute_remote(uri: str, rehash: bool) -> Recomputed:
    """The file manifest of non-local data, read through a Spark driver's Hadoop client.

    Uses the active SparkSession, or starts a local one: its Hadoop configuration comes from
    ``HADOOP_CONF_DIR``/``spark-defaults`` like any Spark job's, so it reaches what the
    training job reached. Only the manifest is recomputed (the logical hash needs the reader
    options the job used); the comparison says so.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return Recomputed(
            None,
            error=f"{uri} is read through Spark's Hadoop client: install the spark extra "
            "(pip install 'atlas-ml[spark]') on a machine configured for that file system",
        )
    try:
        spark = SparkSession.getActiveSession() or (
            SparkSession.builder.appName("atlas-ml verify")
            .master("local[1]")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    except Exception as exc:  # no Java, a broken Spark conf
        return Recomputed(None, error=f"{uri}: could not start Spark to read it ({exc})")
    cache: DigestCache | bool = True
    if rehash:
        try:
            cache = _RefreshingCache()
        except (OSError, sqlite3.Error):
            cache = False
    try:
        manifest = build_hadoop_manifest(uri, spark, cache=cache)
    except ManifestError as exc:
        return Recomputed(None, error=str(exc))
    finally:
        if isinstance(cache, DigestCache):
            cache.close()
    return Recomputed(DatasetRecord(name=location_label(uri), location=uri, manifest=manifest))
