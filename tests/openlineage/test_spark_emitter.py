"""The unmodified openlineage-spark jar (Maven Central; Scala 2.13 for Spark 4, 2.12 for
Spark 3.5 via spark_hooks/test-spark35.sh) with its HTTP transport pointed at ``atlas-ml
collect``: a CSV -> join -> Parquet job's datasets, process and column lineage reach Atlas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from collector_support import (
    NAMESPACE,
    Collector,
    entity,
    openlineage_spark_jar,
    related_names,
    wait_for,
)

from atlas_ml.client import AtlasClient
from atlas_ml.naming.openlineage import openlineage_data
from atlas_ml.spark.jar import spark_line

pytestmark = [pytest.mark.spark, pytest.mark.atlas]

_JOB = """
import json, sys
from pyspark.sql import SparkSession, functions as F
conf, work = json.loads(sys.argv[1]), sys.argv[2]
builder = (SparkSession.builder.master("local[1]").appName("atlasml_ol_csv_join")
           .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2"))
for key, value in conf.items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
orders = spark.read.option("header", True).option("inferSchema", True).csv(work + "/orders.csv")
customers = spark.read.option("header", True).csv(work + "/customers.csv")
enriched = orders.join(customers, "customer_id").select(
    "order_id", "name", (F.col("amount") * 2).alias("double_amount"))
enriched.write.mode("overwrite").parquet(work + "/enriched")
spark.stop()
"""


def _path_name(path: Path) -> str:
    return openlineage_data("file", str(path), NAMESPACE).qualified_name


def test_openlineage_spark_lineage_of_a_csv_join_reaches_atlas(
    collector: Collector, atlas_client: AtlasClient, tmp_path: Path, unique: str
) -> None:
    work = tmp_path / unique
    work.mkdir()
    (work / "orders.csv").write_text("order_id,customer_id,amount\n1,c1,10.5\n2,c2,3.0\n")
    (work / "customers.csv").write_text("customer_id,name\nc1,Ada\nc2,Grace\n")
    line = spark_line()
    conf = {
        "spark.jars": str(openlineage_spark_jar(line.scala_binary)),
        "spark.extraListeners": "io.openlineage.spark.agent.OpenLineageSparkListener",
        "spark.openlineage.namespace": f"spark-{unique}",
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": collector.url,
        "spark.openlineage.transport.auth.type": "api_key",
        "spark.openlineage.transport.auth.apiKey": collector.token,
        "spark.openlineage.transport.compression": "gzip",
    }
    done = subprocess.run(
        [sys.executable, "-c", _JOB, json.dumps(conf), str(work)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "OpenLineage" not in _http_errors(done.stderr), _http_errors(done.stderr)

    output = _path_name(work / "enriched")

    def written() -> dict[str, Any] | None:
        path = entity(atlas_client, "hdfs_path", output)
        writers = related_names(atlas_client, path, "outputFromProcesses") if path else set()
        for name in writers:
            run = entity(atlas_client, "atlasml_openlineage_run", name)
            if run and run["entity"]["attributes"].get("state") == "COMPLETE":
                return run
        return None

    run = wait_for(written, 180, lambda: f"no COMPLETE run wrote {output}: {_pending(collector)}")
    attributes = run["entity"]["attributes"]
    assert attributes["jobNamespace"] == f"spark-{unique}"
    assert attributes["processingEngine"].startswith(f"spark {line.spark_version[:3]}")
    assert related_names(atlas_client, run, "inputs") >= {
        _path_name(work / "orders.csv"),
        _path_name(work / "customers.csv"),
    }
    assert related_names(atlas_client, run, "outputs") == {output}
    # the SQL execution's run is a child of the Spark application's run
    (application,) = related_names(atlas_client, run, "parentRun")
    parent = entity(atlas_client, "atlasml_openlineage_run", application)
    assert parent is not None
    assert parent["entity"]["attributes"]["jobName"] == "atlasml_ol_csv_join"
    columns = {}
    for name in related_names(atlas_client, run, "columnLineages"):
        found = entity(atlas_client, "atlasml_openlineage_column_lineage", name)
        assert found is not None
        columns[found["entity"]["attributes"]["column"]] = found
    assert set(columns) == {"order_id", "name", "double_amount"}
    double = columns["double_amount"]
    assert related_names(atlas_client, double, "inputs") == {_path_name(work / "orders.csv")}
    assert related_names(atlas_client, double, "outputs") == {output}
    assert ".amount [DIRECT/TRANSFORMATION" in double["entity"]["attributes"]["description"]
    assert related_names(atlas_client, columns["name"], "inputs") == {
        _path_name(work / "customers.csv")
    }


def _http_errors(stderr: str) -> str:
    return "\n".join(
        line for line in stderr.splitlines() if "OpenLineage" in line and "ERROR" in line
    )


def _pending(collector: Collector) -> str:
    pending = sorted(p.name for p in collector.spool.glob("*.json"))
    errors = [p.read_text() for p in (collector.spool / "rejected").glob("*.error")]
    return f"pending {pending}; rejected {errors}; log {collector.log.read_text()[-2000:]}"
