"""Atlas entities for physical data: paths, object stores, Hive tables, JDBC tables.

Paths follow ``AtlasPathExtractorUtil``: ``hdfs_path`` for HDFS and local files (Hadoop's
``file:/abs/path`` form), ``aws_s3_v2_directory`` for ``s3``/``s3a``, ``adls_gen2_directory``
for ``abfs(s)``, ``gcp_storage_virtual_directory`` for ``gs``, ``ozone_key`` for ``ofs``/``o3fs``;
qualifiedName ``<path>@<namespace>``, the path's case kept unless
``atlas.hook.hive.hdfs_path.convert_to_lowercase`` says otherwise (see :mod:`.case`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from atlas_ml.naming.case import case_rule
from atlas_ml.naming.relational import relational_names
from atlas_ml.typedefs.names import (
    ADLS_GEN2_DIRECTORY_TYPE,
    AWS_S3_V2_DIRECTORY_TYPE,
    DATASET_TYPE,
    GCP_STORAGE_VIRTUAL_DIRECTORY_TYPE,
    HDFS_PATH_TYPE,
    HIVE_TABLE_TYPE,
    OZONE_KEY_TYPE,
    RDBMS_TABLE_TYPE,
)

_CLOUD_TYPES = {
    "s3": AWS_S3_V2_DIRECTORY_TYPE,
    "s3a": AWS_S3_V2_DIRECTORY_TYPE,
    "s3n": AWS_S3_V2_DIRECTORY_TYPE,
    "abfs": ADLS_GEN2_DIRECTORY_TYPE,
    "abfss": ADLS_GEN2_DIRECTORY_TYPE,
    "gs": GCP_STORAGE_VIRTUAL_DIRECTORY_TYPE,
    "ofs": OZONE_KEY_TYPE,
    "o3fs": OZONE_KEY_TYPE,
}

_OBJECT_STORE_NAMESPACES = {"s3": "s3", "s3a": "s3", "s3n": "s3", "gs": "gs"}
"""Object-store schemes -> the scheme of their OpenLineage namespace."""

_HADOOP_SCHEMES = ("hdfs", "viewfs", "webhdfs", "swebhdfs", "har")
"""Hadoop file systems whose paths Atlas's path extractor records as ``hdfs_path``."""

_PARTITION_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=[^/]*")
"""A Hive-style partition folder, ``key=value``, as Spark and Hive lay out partitioned data."""


@dataclass(frozen=True)
class PhysicalDataset:
    """An Atlas entity for data at rest: its type, unique name and attributes to write."""

    type_name: str
    qualified_name: str
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def is_path(self) -> bool:
        """A folder or file of a file system or object store (not a table, not a topic)."""
        return self.type_name == HDFS_PATH_TYPE or self.type_name in _CLOUD_TYPES.values()

    def reference(self) -> dict[str, Any]:
        """How other entities point at it without knowing its guid."""
        return {
            "typeName": self.type_name,
            "uniqueAttributes": {"qualifiedName": self.qualified_name},
        }

    def entity(self) -> dict[str, Any]:
        attributes = {"qualifiedName": self.qualified_name, **self.attributes}
        return {"typeName": self.type_name, "attributes": attributes}


def normalise_location(location: str | os.PathLike[str]) -> str:
    """A location as Hadoop's ``Path.toString`` prints it.

    Local paths become absolute ``file:/a/b`` (symlinks resolved, no trailing slash);
    ``file:///a`` becomes ``file:/a``; URIs with a scheme keep it.
    """
    text = os.fspath(location)
    parts = urlsplit(text)
    if parts.scheme in ("", "file") or (len(parts.scheme) == 1 and os.name == "nt"):
        local = parts.path if parts.scheme == "file" else text
        absolute = os.path.realpath(os.path.expanduser(local))
        return "file:" + absolute.replace(os.sep, "/")
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else parts.path
    return f"{parts.scheme}://{parts.netloc}{path}"


def partition_root(path: str) -> str | None:
    """The table folder above trailing partition folders (``/d/sales/year=2024/month=1`` ->
    ``/d/sales``), or None when ``path`` does not end in one.

    Spark and Hive write a partitioned table as ``key=value`` folders under the table's
    folder, so a job that reads one partition folder reads part of that table.
    """
    segments = path.rstrip("/").split("/")
    end = len(segments)
    while end > 1 and _PARTITION_SEGMENT.fullmatch(segments[end - 1]):
        end -= 1
    root = "/".join(segments[:end])
    if end == len(segments) or not root.strip("/") or root.endswith(":"):
        return None
    return root


def location_label(location: str) -> str:
    """The display name of a file or folder location: its last path segment."""
    return location.rstrip("/").rsplit("/", 1)[-1]


def openlineage_location(location: str | os.PathLike[str]) -> tuple[str, str]:
    """OpenLineage's (namespace, name) of a file location, by OpenLineage's naming spec.

    ``file`` + absolute path; an object store's ``s3://bucket`` or ``gs://bucket`` + key
    without the leading slash (``s3a``/``s3n`` data is ``s3`` data: the connector differs, the
    bucket is the same); ``scheme://authority`` + path otherwise (``hdfs://nn:8020`` +
    ``/data/x``; ADLS keeps its ``container@account``). Credentials in the URI are dropped.
    The JVM listener names data the same way (``DatasetRef.fromUri``), so a file a Spark job
    wrote and a training run read is one dataset: ``tests/data/naming/object_stores.json``
    holds the cases both are checked against.
    """
    normal = normalise_location(location)
    parts = urlsplit(normal)
    if parts.scheme == "file":
        return "file", normal.removeprefix("file:")
    host = parts.netloc.rpartition("@")[2]
    store = _OBJECT_STORE_NAMESPACES.get(parts.scheme)
    if store is not None:
        return f"{store}://{host}", re.sub("/{2,}", "/", parts.path).lstrip("/")
    if parts.scheme.startswith(("abfs", "wasb")):
        host = parts.netloc  # abfss://container@account...: the "user" is the container
    return f"{parts.scheme}://{host}", parts.path or "/"


def physical_dataset(
    location: str | os.PathLike[str], namespace: str, lower_case: bool = False
) -> PhysicalDataset:
    """The Atlas entity Atlas's own hooks would create for ``location``; ``lower_case`` is
    ``atlas.hook.hive.hdfs_path.convert_to_lowercase`` (see :func:`.case.case_rule`)."""
    path = normalise_location(location)
    type_name = _CLOUD_TYPES.get(urlsplit(path).scheme, HDFS_PATH_TYPE)
    path = case_rule(type_name, lower_case).apply(path)
    parts = urlsplit(path)
    qualified_name = f"{path}@{namespace}"
    name = parts.path or "/"
    if type_name == HDFS_PATH_TYPE:
        attributes: dict[str, Any] = {"path": path, "name": name, "clusterName": namespace}
    elif type_name == AWS_S3_V2_DIRECTORY_TYPE:
        attributes = {"name": name, "objectPrefix": name if name.endswith("/") else name + "/"}
    elif type_name == GCP_STORAGE_VIRTUAL_DIRECTORY_TYPE:
        attributes = {"name": name, "objectPrefix": name}
    else:
        attributes = {"name": name}
    return PhysicalDataset(type_name, qualified_name, attributes)


def version_location(ol_namespace: str, ol_name: str, namespace: str) -> str:
    """Where a dataset version's data lives, as its qualifiedName starts: the physical
    entity's name with the path's case kept.

    HDFS, S3 and POSIX paths are case sensitive: ``Data.csv`` and ``data.csv`` are two files,
    so two dataset versions, even where ``hdfs_path`` names are lower-cased (under the one
    path entity Atlas's hooks then make for both).
    """
    physical = openlineage_dataset(ol_namespace, ol_name, namespace, lower_case=False)
    return physical.qualified_name.removesuffix(f"@{namespace}")


def hive_table(database: str, table: str, namespace: str) -> PhysicalDataset:
    """A Hive table as the Hive hook names it; atlas-ml only references it, never creates it."""
    qualified_name = f"{database}.{table}@{namespace}".lower()
    return PhysicalDataset(HIVE_TABLE_TYPE, qualified_name, {"name": table.lower()})


def openlineage_dataset(
    ol_namespace: str, ol_name: str, namespace: str, lower_case: bool = False
) -> PhysicalDataset:
    """The Atlas entity for an OpenLineage dataset (``namespace`` + ``name`` naming spec)."""
    scheme = urlsplit(ol_namespace).scheme or ol_namespace
    if scheme == "file":
        return physical_dataset(ol_name, namespace, lower_case)
    if scheme in (*_HADOOP_SCHEMES, *_CLOUD_TYPES):
        name = ol_name if ol_name.startswith("/") else "/" + ol_name
        return physical_dataset(ol_namespace.rstrip("/") + name, namespace, lower_case)
    if scheme == "hive" and "." in ol_name:
        database, table = ol_name.split(".", 1)
        return hive_table(database, table, namespace)
    relational = relational_names(ol_namespace, ol_name, namespace)
    if relational is not None:
        return PhysicalDataset(RDBMS_TABLE_TYPE, relational.table, {"name": relational.table_name})
    # Anything else (Kafka topics, unknown stores, ...) is recorded as a generic DataSet whose
    # name keeps the OpenLineage identity, so no lineage is lost.
    qualified_name = f"{ol_namespace}/{ol_name}@{namespace}"
    return PhysicalDataset(DATASET_TYPE, qualified_name, {"name": ol_name})
