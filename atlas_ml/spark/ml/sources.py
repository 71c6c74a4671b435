"""The data a Spark ML fit trained on, as dataset versions.

A DataFrame given to ``fit`` is described twice: each file source it reads (the root paths of
its file relations, as written in ``spark.read``) gets a dataset version with the manifest of
its files (local files directly, HDFS/S3/... through the driver's Hadoop client up to
``remote_manifest_limit()`` bytes), named by its physical path so that it joins the
``hdfs_path`` the JVM listener recorded as some ``spark_process``'s output; and the frame
itself gets its logical fingerprint (Spark ML vectors and nested columns as JSON text). When
the frame *is* one source read as is, the logical fingerprint describes that source and goes on
its version; otherwise (filters, joins, in-memory data) the frame is its own in-memory dataset
version, since its content is not what any source holds, made from the sources by a step.

A Delta table read by path is a file relation too (Delta's is an anonymous subclass of
``HadoopFsRelation`` over the table root); an Iceberg table is a DataSource V2 relation whose
table names its ``location``. Either root is then fingerprinted as the table version it holds
(``fingerprints.tables``), which ``verify`` reads back by time travel.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from atlas_ml.fingerprints import LogicalFingerprint, ManifestError, fingerprint_spark
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_path
from atlas_ml.fingerprints.hadoop import build_hadoop_manifest, is_local_location
from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.naming import location_label

log = logging.getLogger("atlas_ml.spark")

REMOTE_MANIFEST_LIMIT_ENV = "ATLAS_ML_REMOTE_MANIFEST_MAX_BYTES"
DEFAULT_REMOTE_MANIFEST_LIMIT = 10 << 30
"""Training data on HDFS/S3 is read once more to hash it; beyond this it is not (10 GiB)."""

_FILE_RELATION = "HadoopFsRelation"
_V2_RELATION = "DataSourceV2Relation"
_RELATION_NODES = {"LogicalRelation", "LogicalRelationWithTable", _V2_RELATION}
_V2_LOCATION = "location"  # TableCatalog.PROP_LOCATION: where a file-based V2 table lives


@dataclass(frozen=True)
class FrameSources:
    """Root paths a DataFrame reads, and whether it is exactly one of them read as is."""

    roots: tuple[str, ...]
    direct: bool


def frame_sources(df: Any) -> FrameSources:
    """The file sources of ``df`` from its analyzed plan (no Spark job is started).

    Falls back to the parent directories of ``df.inputFiles()`` when the plan cannot be read
    through py4j (Spark Connect, unexpected plan classes).
    """
    jdf = getattr(df, "_jdf", None)
    if jdf is not None:
        try:
            return _plan_sources(jdf.queryExecution().analyzed())
        except Exception as exc:  # py4j errors, changed Spark internals
            log.debug("reading the plan of the training DataFrame failed: %s", exc)
    try:
        files = df.inputFiles()
    except Exception as exc:
        log.debug("inputFiles() of the training DataFrame failed: %s", exc)
        return FrameSources((), False)
    parents = sorted({str(file).rsplit("/", 1)[0] for file in files})
    return FrameSources(tuple(parents), False)


def _plan_sources(plan: Any) -> FrameSources:
    roots: list[str] = []
    leaves = plan.collectLeaves()
    for index in range(leaves.size()):
        leaf = leaves.apply(index)
        node = leaf.getClass().getSimpleName()
        if node not in _RELATION_NODES:
            continue
        for root in _relation_roots(leaf, node):
            if root not in roots:
                roots.append(root)
    direct = plan.getClass().getSimpleName() in _RELATION_NODES and len(roots) == 1
    return FrameSources(tuple(roots), direct)


def _relation_roots(leaf: Any, node: str) -> list[str]:
    """Root paths of one relation leaf: a file relation's, a V2 table's location, else none."""
    if node == _V2_RELATION:
        location = leaf.table().properties().get(_V2_LOCATION)
        return [str(location)] if location else []
    relation = leaf.relation()
    if not _is_a(relation, _FILE_RELATION):
        return []
    paths = relation.location().rootPaths()
    return [paths.apply(index).toString() for index in range(paths.size())]


def _is_a(obj: Any, simple_name: str) -> bool:
    """Whether ``obj``'s JVM class or a superclass is ``simple_name`` (Delta's relation is an
    anonymous subclass, whose own simple name is empty)."""
    cls = obj.getClass()
    while cls is not None:
        if cls.getSimpleName() == simple_name:
            return True
        cls = cls.getSuperclass()
    return False


def remote_manifest_limit() -> int:
    """Most bytes of a non-local source to hash inside ``fit``; set it with
    ``$ATLAS_ML_REMOTE_MANIFEST_MAX_BYTES`` (0 turns remote manifests off)."""
    value = os.environ.get(REMOTE_MANIFEST_LIMIT_ENV, "")
    try:
        return int(value) if value else DEFAULT_REMOTE_MANIFEST_LIMIT
    except ValueError:
        log.warning(
            "%s=%r is not a number of bytes; using the default", REMOTE_MANIFEST_LIMIT_ENV, value
        )
        return DEFAULT_REMOTE_MANIFEST_LIMIT


def _source_version(root: str) -> DatasetRecord | None:
    """The dataset version of one file source with its manifest, or None if it cannot be had."""
    if is_local_location(root):
        local = local_path(root)
        return describe_path(local, logical=False) if local.exists() else None
    try:  # HDFS, S3A, ...: through the driver's Hadoop client, digests cached
        manifest = build_hadoop_manifest(root, max_bytes=remote_manifest_limit())
    except ManifestError as exc:
        log.info("no manifest of training source %s: %s", root, exc)
        return None
    return DatasetRecord(name=location_label(root), location=manifest.root, manifest=manifest)


def _logical(df: Any) -> LogicalFingerprint | None:
    try:
        return fingerprint_spark(_flat(df))
    except Exception as exc:  # a column type even _flat cannot encode, a failing plan
        log.warning("no logical fingerprint of the training data: %s", exc)
        return None


def _flat(df: Any) -> Any:
    """``df`` with Spark ML vectors, arrays, maps and structs as their JSON text.

    The logical fingerprint encodes flat values only, and a frame given to ``fit`` usually
    carries a ``features`` vector that the estimator needs, so it cannot be dropped.
    """
    from pyspark.ml.linalg import VectorUDT
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    nested = (T.ArrayType, T.MapType, T.StructType)
    columns = []
    for index, field in enumerate(df.schema.fields):
        column = df[df.columns[index]]
        if isinstance(field.dataType, VectorUDT):
            # Imported only here: on Spark 3.5 this module needs pandas.
            from pyspark.ml.functions import vector_to_array

            column = F.to_json(vector_to_array(column))
        elif isinstance(field.dataType, nested):
            column = F.to_json(column)
        columns.append(column.alias(field.name))
    return df.select(*columns)


def training_data(df: Any, name: str) -> list[DatasetRecord]:
    """Dataset versions of what ``df`` was built from, and of ``df`` itself when derived
    (that one last, with no location)."""
    sources = frame_sources(df)
    logical = _logical(df)
    records: list[DatasetRecord] = []
    for root in sources.roots:
        record = _source_version(root)
        if record is None and sources.direct and logical is not None:
            record = DatasetRecord(name=location_label(root), location=root)
        if record is None:
            log.info("source %s could not be fingerprinted: recorded without a version", root)
            continue
        if sources.direct:
            record.logical = logical
        record.role = "train" if sources.direct else "source"
        records.append(record)
    if logical is not None and not (sources.direct and records):
        records.append(
            DatasetRecord(
                name=f"{name}/training-data", location=None, logical=logical, role="train"
            )
        )
    return records
