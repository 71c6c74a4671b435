"""Atlas names for what any OpenLineage producer reports: datasets by OpenLineage's naming
spec (namespace + name), runs by their job and runId.

Datasets are named the way Atlas's own hooks name the same data, so lineage from Airflow,
openlineage-spark or dbt joins what atlas-ml's Spark listener and Atlas's hooks recorded:

- ``file``, ``file://host``, ``hdfs://nn:8020``, ``viewfs://`` ...: ``hdfs_path``
  ``file:/a/b@<cluster>``, ``hdfs://nn:8020/a@<cluster>``;
- ``s3://bucket`` (``s3a``, ``s3n``): ``aws_s3_v2_directory`` ``s3://bucket/key@<cluster>``;
  ``abfs(s)://``, ``gs://``, ``ofs://``: the ADLS Gen2, GCS and Ozone path types;
- ``postgres://h:5432``, ``mysql://``, ``sqlite:``, ...: ``rdbms_table``
  ``<namespace>/<db>.<table>@<cluster>`` (in its ``rdbms_db`` and ``rdbms_instance``);
- ``kafka://broker:9092``: ``kafka_topic`` ``<topic>@<cluster>``, the Kafka hook's name;
- ``hive://metastore:9083``: ``atlasml_openlineage_dataset``, plus a link to the Hive hook's
  ``hive_table`` ``db.table@<cluster>`` when Atlas has it;
- anything else (``bigquery``, ``snowflake://...``, ``inmemory://``):
  ``atlasml_openlineage_dataset`` ``<namespace>/<name>@<cluster>``.

Paths, object stores and JDBC tables follow :func:`atlas_ml.naming.openlineage_dataset`, the
rules atlas-ml's own Spark events use, so both sources name one file the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from atlas_ml.naming.physical import PhysicalDataset, hive_table, openlineage_dataset
from atlas_ml.typedefs.names import (
    DATASET_TYPE,
    OPENLINEAGE_COLUMN_LINEAGE_TYPE,
    OPENLINEAGE_DATASET_TYPE,
    OPENLINEAGE_RUN_TYPE,
)

GENERIC_DATASET_TYPE = OPENLINEAGE_DATASET_TYPE
RUN_TYPE = OPENLINEAGE_RUN_TYPE
COLUMN_LINEAGE_TYPE = OPENLINEAGE_COLUMN_LINEAGE_TYPE


def _scheme(ol_namespace: str) -> str:
    return (urlsplit(ol_namespace).scheme or ol_namespace.split(":", 1)[0]).lower()


def generic_dataset(ol_namespace: str, ol_name: str, namespace: str) -> PhysicalDataset:
    """An ``atlasml_openlineage_dataset``: the OpenLineage identity kept whole in its name."""
    return PhysicalDataset(
        GENERIC_DATASET_TYPE,
        f"{ol_namespace.rstrip('/')}/{ol_name}@{namespace}",
        {"name": ol_name, "olNamespace": ol_namespace, "olName": ol_name},
    )


def openlineage_data(ol_namespace: str, ol_name: str, namespace: str) -> PhysicalDataset:
    """The Atlas entity for the OpenLineage dataset ``ol_namespace`` + ``ol_name`` of any
    producer (see the module's table)."""
    scheme = _scheme(ol_namespace)
    if scheme == "kafka":
        topic = ol_name
        return PhysicalDataset(
            "kafka_topic",
            f"{topic.lower()}@{namespace}",
            {"name": topic, "topic": topic, "uri": f"{ol_namespace.rstrip('/')}/{topic}"},
        )
    if scheme == "hive":
        return generic_dataset(ol_namespace, ol_name, namespace)
    physical = openlineage_dataset(ol_namespace, ol_name, namespace)
    if physical.type_name == DATASET_TYPE:  # no Atlas type for this store
        return generic_dataset(ol_namespace, ol_name, namespace)
    return physical


def s3_bucket(physical: PhysicalDataset, namespace: str) -> PhysicalDataset | None:
    """The ``aws_s3_v2_bucket`` an S3 path entity is contained in (Atlas requires the
    container), named as Atlas's path extractor names it: ``s3a://bucket@<cluster>``."""
    if not physical.type_name.startswith("aws_s3_v2_"):
        return None
    parts = urlsplit(physical.qualified_name.rsplit("@", 1)[0])
    return PhysicalDataset(
        "aws_s3_v2_bucket",
        f"{parts.scheme}://{parts.netloc}@{namespace}",
        {"name": parts.netloc},
    )


def hive_link(ol_namespace: str, ol_name: str, namespace: str) -> PhysicalDataset | None:
    """The Hive hook's ``hive_table`` for a ``hive://`` dataset (``db.table``), else None."""
    if _scheme(ol_namespace) != "hive":
        return None
    database, _, table = ol_name.rpartition(".")
    return hive_table(database or "default", table, namespace)


def run_name(job_namespace: str, job_name: str, run_id: str, namespace: str) -> str:
    """qualifiedName of one run of an OpenLineage job: every event of the run maps to it."""
    return f"{job_namespace}/{job_name}/{run_id}@{namespace}"


def job_name(job_namespace: str, job_name: str, namespace: str) -> str:
    """qualifiedName of the lineage a JobEvent declares for a job (no run)."""
    return f"{job_namespace}/{job_name}@{namespace}"


def column_lineage_name(run: str, dataset: str | None, column: str) -> str:
    """qualifiedName of a column's lineage in a run (``run`` is the run's qualifiedName);
    ``dataset`` tells apart columns of the same name when a run writes several datasets."""
    base = run.rsplit("@", 1)
    prefix = f"{dataset}." if dataset else ""
    return f"{base[0]}:{prefix}{column}@{base[1]}" if len(base) == 2 else f"{run}:{column}"
