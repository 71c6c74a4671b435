"""Turn lineage capture off for a block of Spark work on the current thread.

Spark copies a thread's local properties into every job it starts, and the listener drops the
SQL executions whose jobs carry ``atlasml.capture=off`` (with their root execution, so a
``saveAsTable`` stays one decision). atlas-ml uses it around Spark ML's model save, whose
metadata and data files are the model version, not ETL writes; users can use it for scratch
output that should not appear in Atlas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from atlas_ml.spark.conf import CAPTURE_PROPERTY

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@contextmanager
def paused(spark: SparkSession | None = None) -> Iterator[None]:
    """``with paused(spark): df.write.parquet(scratch)`` writes without recording lineage.

    Works on the calling thread only (PySpark pins Python threads to JVM threads by default),
    nests, and restores the previous value on exit. Without a running SparkContext, or on
    Spark Connect, it does nothing.
    """
    context = _spark_context(spark)
    if context is None:
        yield
        return
    previous = context.getLocalProperty(CAPTURE_PROPERTY)
    context.setLocalProperty(CAPTURE_PROPERTY, "off")
    try:
        yield
    finally:
        context.setLocalProperty(CAPTURE_PROPERTY, previous)


def _spark_context(spark: Any) -> Any:
    try:
        if spark is not None:
            return spark.sparkContext
        from pyspark import SparkContext

        return SparkContext._active_spark_context
    except Exception:  # Spark Connect sessions have no SparkContext
        return None
