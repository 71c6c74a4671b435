"""File manifests of data on any Hadoop file system (HDFS, S3A, ABFS, GCS, viewfs, ...).

A Spark job saves models and writes datasets to URIs that this process cannot open, but its
driver JVM can: this module lists and reads them through the session's Hadoop ``FileSystem``
(same credentials and configuration as the job). The manifest is the one
:func:`atlas_ml.fingerprints.manifest.build_manifest` builds for the same bytes (same skipped
names, entries and root hash), so a model saved to HDFS and the same directory copied locally
get the same model version. The bytes are digested inside the JVM (a ``DigestInputStream``
drained by commons-io's ``IOUtils.consume``, one call per file), so no data crosses py4j.

Above :func:`executor_threshold` bytes to digest (1 GiB by default,
``$ATLAS_ML_EXECUTOR_MANIFEST_MIN_BYTES``), the files are digested on the executors instead: one
Spark job whose tasks each read a share of the files through the Hadoop ``FileSystem`` with the
driver's configuration (``io.atlasml.spark.FileDigests`` in atlas-ml's Spark jar), so the
cluster's disks and cores do the reading and only digests come back. The listing, the cache and
the manifest stay on the driver, so the root hash is the same either way.
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
EXECUTOR_THRESHOLD_ENV = "ATLAS_ML_EXECUTOR_MANIFEST_MIN_BYTES"
DEFAULT_EXECUTOR_THRESHOLD = 1024**3
EXECUTOR_CLASS = "io.atlasml.spark.FileDigests"
TASKS_PER_CORE = 4
"""Tasks per executor core of the digest job: enough that a slow file does not hold a core's
whole share, few enough that task start-up stays small."""


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
    on_executors: bool | None = None,
) -> FileManifest:
    """Hash every data file under ``location`` (a Hadoop URI or path) with the driver's JVM.

    ``spark`` defaults to the active SparkSession. ``workers`` files are read at once (each
    a JVM thread; the file system, not the CPU, is usually the limit). ``max_bytes`` refuses
    (``ManifestTooLargeError``, after listing only) data larger than that. Digests are cached
    like local ones, keyed on (URI, size, modification time), so unchanged files are not
    read again; ``cache`` works as in :func:`~atlas_ml.fingerprints.manifest.build_manifest`.
    ``on_executors`` digests the files in a Spark job on the executors (``None``: when the bytes
    to read reach :func:`executor_threshold` and the session has atlas-ml's jar).
    """
    spark = _session(spark)
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
        digester = _executor_digests(spark, todo, on_executors)
        try:
            if digester is not None:
                fresh = _digest_on_executors(spark, digester, todo)
            else:
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


def executor_threshold() -> int:
    """Bytes to digest from which a manifest is read on the executors (when it can be)."""
    value = os.environ.get(EXECUTOR_THRESHOLD_ENV, "")
    try:
        return int(value) if value.strip() else DEFAULT_EXECUTOR_THRESHOLD
    except ValueError as exc:
        raise ManifestError(f"{EXECUTOR_THRESHOLD_ENV}={value!r} is not a number of bytes") from exc


def _executor_digests(spark: Any, todo: list[_RemoteFile], wanted: bool | None) -> Any | None:
    """The executors' digest class when the files should be read there, else None."""
    if wanted is False or not todo:
        return None
    if wanted is None and sum(f.size for f in todo) < executor_threshold():
        return None
    try:
        from py4j.java_gateway import JavaClass
    except ImportError:  # pragma: no cover - pyspark always brings py4j
        return None
    target: Any = spark.sparkContext._jvm
    for part in EXECUTOR_CLASS.split("."):
        target = getattr(target, part)
    if isinstance(target, JavaClass) and str(target.VERSION) == "1":
        return target
    if wanted:
        raise ManifestError(
            "digesting on the executors needs atlas-ml's Spark jar on spark.jars "
            "(atlas-ml spark conf); without it the driver reads the files"
        )
    return None


def _digest_on_executors(spark: Any, digester: Any, todo: list[_RemoteFile]) -> dict[str, str]:
    """sha256 of every file in ``todo``, read by one Spark job on the executors.

    Files are shared among the tasks largest first, each to the task with the fewest bytes so
    far, so one huge file does not sit behind many small ones in the same task.
    """
    context = spark.sparkContext
    tasks = max(1, min(len(todo), context.defaultParallelism * TASKS_PER_CORE))
    shares: list[list[_RemoteFile]] = [[] for _ in range(tasks)]
    loads = [0] * tasks
    for remote in sorted(todo, key=lambda f: f.size, reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(remote)
        loads[lightest] += remote.size
    groups = context._gateway.new_array(context._jvm.String, tasks)
    for index, share in enumerate(shares):
        groups[index] = "\n".join(f.key for f in share)
    context.setJobDescription(f"atlas-ml: sha256 of {len(todo)} file(s)")
    try:
        lines = digester.sha256(context._jsc, groups)
    finally:
        context.setJobDescription(None)
    digests: dict[str, str] = {}
    for line in lines:
        digest, _, key = str(line).partition("\t")
        digests[key] = digest
    return {f.key: digests[f.key] for f in todo}


def _session(spark: Any) -> Any:
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession()
    return spark


def _driver(spark: Any) -> tuple[Any, Any]:
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
