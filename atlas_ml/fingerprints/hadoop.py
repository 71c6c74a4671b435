"""File manifests of data on any Hadoop file system (HDFS, S3A, ABFS, GCS, viewfs, ...).

A Spark job saves models and writes datasets to URIs that this process cannot open, but its
driver JVM can: this module lists and reads them through the session's Hadoop ``FileSystem``
(same credentials and configuration as the job). The manifest is the one
:func:`atlas_ml.fingerprints.manifest.build_manifest` builds for the same bytes (same skipped
names, entries and root hash), so a model saved to HDFS and the same directory copied locally
get the same model version. The bytes are digested inside the JVM (a ``DigestInputStream``
drained by commons-io's ``IOUtils.consume``, one call per file), so no data crosses py4j.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from atlas_ml.fingerprints.manifest import (
    FileManifest,
    ManifestEntry,
    ManifestError,
    is_skipped,
    root_hash,
)

DEFAULT_WORKERS = 4


def build_hadoop_manifest(
    location: str, spark: Any = None, *, workers: int | None = None
) -> FileManifest:
    """Hash every data file under ``location`` (a Hadoop URI or path) with the driver's JVM.

    ``spark`` defaults to the active SparkSession. ``workers`` files are read at once (each
    a JVM thread; the file system, not the CPU, is usually the limit).
    """
    jvm, hadoop_conf = _driver(spark)
    path = jvm.org.apache.hadoop.fs.Path(location)
    try:
        fs = path.getFileSystem(hadoop_conf)
        root = fs.makeQualified(path)
        status = fs.getFileStatus(root)
    except Exception as exc:  # py4j wraps FileNotFoundException, unknown schemes, auth errors
        raise ManifestError(f"{location}: cannot read it through Hadoop ({_reason(exc)})") from exc
    files = _data_files(fs, root, status)
    with ThreadPoolExecutor(max_workers=workers or DEFAULT_WORKERS) as pool:
        digests = list(pool.map(lambda item: _sha256(jvm, fs, item[1]), files))
    entries = tuple(
        sorted(
            ManifestEntry(rel, size, digest)
            for (rel, _, size), digest in zip(files, digests, strict=True)
        )
    )
    return FileManifest(root=str(root.toString()), entries=entries, root_hash=root_hash(entries))


def _driver(spark: Any) -> tuple[Any, Any]:
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession()
    context = getattr(spark, "sparkContext", None)
    if context is None or getattr(context, "_jsc", None) is None:
        raise ManifestError(
            "manifests of non-local URIs are read through a running SparkSession's Hadoop "
            "client (classic Spark, not Spark Connect); start one, or copy the data locally"
        )
    return context._jvm, context._jsc.hadoopConfiguration()


def _data_files(fs: Any, root: Any, status: Any) -> list[tuple[str, Any, int]]:
    """(relative POSIX path, Hadoop path, size) of every data file, hidden names skipped."""
    if status.isFile():
        return [(str(root.getName()), root, int(status.getLen()))]
    prefix = str(root.toUri().getPath()).rstrip("/") + "/"
    found = []
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        entry = listing.next()
        file_path = entry.getPath()
        relative = str(file_path.toUri().getPath()).removeprefix(prefix)
        if not any(is_skipped(part) for part in relative.split("/")):
            found.append((relative, file_path, int(entry.getLen())))
    return found


def _sha256(jvm: Any, fs: Any, file_path: Any) -> str:
    digest = jvm.java.security.MessageDigest.getInstance("SHA-256")
    stream = jvm.java.security.DigestInputStream(fs.open(file_path), digest)
    try:
        jvm.org.apache.commons.io.IOUtils.consume(stream)  # Spark ships commons-io; Java 8 safe
    finally:
        stream.close()
    return bytes(digest.digest()).hex()


def _reason(exc: BaseException) -> str:
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def is_local_location(location: str | os.PathLike[str]) -> bool:
    """True for plain paths and ``file:`` URIs: what :func:`build_manifest` reads itself."""
    text = os.fspath(location)
    scheme, sep, _ = text.partition(":")
    return not sep or scheme == "file" or len(scheme) == 1 or "/" in scheme
