"""A tiny Spark ML training set and pipeline for the ML capture tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_training_parquet(spark: Any, target: Path) -> Path:
    rows = [(float(i), float(i % 3), i % 2) for i in range(12)]
    spark.createDataFrame(rows, ["amount", "visits", "label"]).write.parquet(str(target))
    return target


def pipeline(features: tuple[str, ...] = ("amount", "visits")) -> Any:
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    return Pipeline(
        stages=[
            VectorAssembler(inputCols=list(features), outputCol="features"),
            LogisticRegression(maxIter=3, regParam=0.1),
        ]
    )
