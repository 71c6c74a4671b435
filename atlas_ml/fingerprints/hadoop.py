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
from dataclasses import dataclass
from typing import Any

from atlas_ml.fingerprints.cache import DigestCache
from atlas_ml.fingerprints.manifest import (
    FileManifest,
    ManifestEntry,
    ManifestError,
    is_skipped,
    open_default_cache,
    root_hash,
)

DEFAULT_WORKERS = 4


class ManifestTooLargeError(ManifestError):
    """The data is larger than the caller agreed to read for its manifest."""


@dataclass(frozen=True)
class _RemoteFile:
    relative: str
    path: Any  # org.apache.hadoop.fs.Path
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        return str(self.path.toString())


def build_hadoop_manifest(
    location: str,
    spark: Any = None,
    *,
    workers: int | None = None,
    max_bytes: int | None = None,
    cache: DigestCache | bool | None = True,
) -> FileManifest:
    """Hash every data file under ``location`` (a Hadoop URI or path) with the driver's JVM.

    ``spark`` defaults to the active SparkSession. ``workers`` files are read at once (each
    a JVM thread; the file system, not the CPU, is usually the limit). ``max_bytes`` refuses
    (``ManifestTooLargeError``, after listing only) data larger than that. Digests are cached
    like local ones, keyed on (URI, size, modification time), so unchanged files are not
    read again; ``cache`` works as in :func:`~atlas_ml.fingerprints.manifest.build_manifest`.
    """
    jvm, hadoop_conf = _driver(spark)
    path = jvm.org.apache.hadoop.fs.Path(location)
    try:
        fs = path.getFileSystem(hadoop_conf)
        root = fs.makeQualified(path)
        status = fs.getFileStatus(root)
        files = _data_files(fs, root, status)
    except Exception as exc:  # py4j wraps FileNotFoundException, unknown schemes, auth errors
        raise ManifestError(f"{location}: cannot read it through Hadoop ({_reason(exc)})") from exc
    total = sum(f.size for f in files)
    if max_bytes is not None and total > max_bytes:
        raise ManifestTooLargeError(
            f"{location}: {total:,} bytes in {len(files)} files is more than the "
            f"{max_bytes:,} bytes allowed for a manifest here"
        )
    digests = open_default_cache() if cache is True else (cache or None)
    try:
        known = {
            f.key: hit
            for f in files
            if digests is not None and (hit := digests.get(f.key, f.size, f.mtime_ns))
        }
        todo = [f for f in files if f.key not in known]
        try:
            with ThreadPoolExecutor(max_workers=workers or DEFAULT_WORKERS) as pool:
                hashed = pool.map(lambda remote: _sha256(jvm, fs, remote), todo)
                fresh = dict(zip((f.key for f in todo), hashed, strict=True))
        except Exception as exc:  # a file vanished or became unreadable while being read
            raise ManifestError(f"{location}: reading its files failed ({_reason(exc)})") from exc
        if digests is not None:
            digests.put_many([(f.key, f.size, f.mtime_ns, 0, fresh[f.key]) for f in todo])
    finally:
        if cache is True and digests is not None:
            digests.close()
    entries = tuple(
        sorted(ManifestEntry(f.relative, f.size, known.get(f.key) or fresh[f.key]) for f in files)
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


def _data_files(fs: Any, root: Any, status: Any) -> list[_RemoteFile]:
    """Every data file under ``root`` (hidden and bookkeeping names skipped)."""
    if status.isFile():
        return [_remote_file(str(root.getName()), root, status)]
    prefix = str(root.toUri().getPath()).rstrip("/") + "/"
    found = []
    listing = fs.listFiles(root, True)
    while listing.hasNext():
        entry = listing.next()
        relative = str(entry.getPath().toUri().getPath()).removeprefix(prefix)
        if not any(is_skipped(part) for part in relative.split("/")):
            found.append(_remote_file(relative, entry.getPath(), entry))
    return found


def _remote_file(relative: str, path: Any, status: Any) -> _RemoteFile:
    return _RemoteFile(
        relative, path, int(status.getLen()), int(status.getModificationTime()) * 1_000_000
    )


def _sha256(jvm: Any, fs: Any, remote: _RemoteFile) -> str:
    digest = jvm.java.security.MessageDigest.getInstance("SHA-256")
    stream = jvm.java.security.DigestInputStream(fs.open(remote.path), digest)
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
