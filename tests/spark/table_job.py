"""A Spark job on a Delta or Iceberg table, run in a process of its own by
test_spark_written_tables.py.

Its SparkSession loads the table format's Spark runtime from Maven Central
(``spark.jars.packages``, resolved by Spark's own Ivy into the cache folder given on the
command line, so only the first run downloads), which the session the other Spark tests share
does not have: a SparkContext's packages are fixed when it starts, and only one SparkContext
can live in a process. A separate process is also what a real job is: it trains with
``atlas_ml.spark.attach`` (listener + Spark ML capture) and delivers to Atlas when it exits.

usage: python table_job.py delta|iceberg TABLE IVY_DIR MODEL PIPELINE STEP...
steps, run in order in one session:
  write      version 0: the first 200 rows of examples/data/housing.csv
  train      attach, fit a Pipeline (VectorAssembler + LinearRegression) on the table read by
             its path, save it to MODEL
  append     one more row (Delta version 1, a second Iceberg snapshot)
  overwrite  Delta: 50 rows replace the table (version 0's files become removed ones)
  vacuum     Delta: VACUUM RETAIN 0 HOURS (the retention duration check turned off)
  expire     Iceberg: expire_snapshots of everything older than now but the current snapshot
An Iceberg TABLE is ``WAREHOUSE/NAMESPACE/NAME`` in a Hadoop catalog named ``local``.
"""

from __future__ import annotations

import csv
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HOUSING = Path(__file__).resolve().parents[2] / "examples" / "data" / "housing.csv"
COLUMNS = ("median_income", "housing_median_age", "median_house_value")
FEATURES = list(COLUMNS[:2])
LABEL = COLUMNS[2]

# The Spark 3.5 / Scala 2.12 runtimes on Maven Central (test-spark35.sh runs these tests; on
# Spark 4.x neither runtime works today, see tests/spark/conftest.py).
PACKAGES = {
    "delta": "io.delta:delta-spark_2.12:3.3.3",
    "iceberg": "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.12.0",
}
EXTENSIONS = {
    "delta": "io.delta.sql.DeltaSparkSessionExtension",
    "iceberg": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
}


def housing_rows(start: int, stop: int) -> list[tuple[float, ...]]:
    with HOUSING.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[start:stop]
    return [tuple(float(row[column]) for column in COLUMNS) for row in rows]


def session(table_format: str, table: Path, ivy: str) -> Any:
    from pyspark.sql import SparkSession

    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "1",
        "spark.sql.session.timeZone": "UTC",
        "spark.jars.packages": PACKAGES[table_format],
        "spark.jars.ivy": ivy,
        "spark.sql.extensions": EXTENSIONS[table_format],
    }
    if table_format == "delta":
        conf |= {
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            "spark.databricks.delta.retentionDurationCheck.enabled": "false",  # RETAIN 0 HOURS
            # one task per log replay and per VACUUM listing (defaults: 50 and 10000 tasks,
            # minutes on 2 cores)
            "spark.databricks.delta.snapshotPartitions": "1",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism": "1",
        }
    else:
        conf |= {
            "spark.sql.catalog.local": "org.apache.iceberg.spark.SparkCatalog",
            "spark.sql.catalog.local.type": "hadoop",
            "spark.sql.catalog.local.warehouse": str(table.parents[1]),
        }
    builder = SparkSession.builder.master("local[1]").appName(f"{table_format}-table-job")
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class Job:
    def __init__(self, table_format: str, table: Path, spark: Any) -> None:
        self.format = table_format
        self.table = table
        self.spark = spark
        self.identifier = f"local.{table.parent.name}.{table.name}"

    def rows(self, start: int, stop: int) -> Any:
        schema = ", ".join(f"{column} double" for column in COLUMNS)
        return self.spark.createDataFrame(housing_rows(start, stop), schema)

    def write(self) -> None:
        if self.format == "delta":
            self.rows(0, 200).write.format("delta").save(str(self.table))
        else:
            self.rows(0, 200).writeTo(self.identifier).using("iceberg").create()

    def append(self) -> None:
        if self.format == "delta":
            self.rows(200, 201).write.format("delta").mode("append").save(str(self.table))
        else:
            self.rows(200, 201).writeTo(self.identifier).append()

    def overwrite(self) -> None:
        self.rows(300, 350).write.format("delta").mode("overwrite").save(str(self.table))

    def vacuum(self) -> None:
        self.spark.sql(f"VACUUM delta.`{self.table}` RETAIN 0 HOURS").collect()

    def expire(self) -> None:
        later = (datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
        namespace_table = f"{self.table.parent.name}.{self.table.name}"
        self.spark.sql(
            f"CALL local.system.expire_snapshots(table => '{namespace_table}', "
            f"older_than => TIMESTAMP '{later}', retain_last => 1)"
        ).collect()

    def train(self, model: str, pipeline_name: str) -> None:
        from pyspark.ml import Pipeline
        from pyspark.ml.feature import VectorAssembler
        from pyspark.ml.regression import LinearRegression

        from atlas_ml.spark import attach

        attach(self.spark, pipeline=pipeline_name)  # spool: $ATLAS_ML_SPOOL; delivery at exit
        stages = [
            VectorAssembler(inputCols=FEATURES, outputCol="features"),
            LinearRegression(labelCol=LABEL, maxIter=5),
        ]
        data = self.spark.read.format(self.format).load(str(self.table))
        Pipeline(stages=stages).fit(data).save(model)


def main(argv: list[str]) -> None:
    table_format, table, ivy, model, pipeline_name, *steps = argv
    started = time.monotonic()
    spark = session(table_format, Path(table), ivy)
    print(f"SESSION {time.monotonic() - started:.1f}s", flush=True)
    job = Job(table_format, Path(table), spark)
    for step in steps:
        began = time.monotonic()
        if step == "train":
            job.train(model, pipeline_name)
        else:
            getattr(job, step)()
        print(f"STEP DONE {step} {time.monotonic() - began:.1f}s", flush=True)
    spark.stop()  # attach's exit handler then delivers the spool to Atlas


if __name__ == "__main__":
    main(sys.argv[1:])
