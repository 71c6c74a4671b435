"""Spark tests run against ONE session that has atlas-ml's lineage listener registered.

Only one SparkContext can live in a process, so this ``spark`` fixture replaces the plain one
from tests/conftest.py for everything under tests/spark: fingerprint tests get a normal working
session, listener tests get the events in ``lineage_spool``. If a plain session is already
active (a test outside tests/spark ran first), it is stopped before this one starts.

Tests marked ``spark35`` (Spark-written Delta and Iceberg tables) run only on the Spark 3.5
line and are deselected, not skipped, on any other: see ``pytest_collection_modifyitems``.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.spark.conf import listener_conf

SPARK35_ONLY = "spark35"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ``spark35`` tests unless the installed PySpark is 3.5.

    They write tables with delta-spark and iceberg-spark-runtime from Maven Central, which have
    no release that runs on Spark 4.3 (checked 2026-12): io.delta:delta-spark_2.13:4.4.0 fails
    reading a table with NoSuchMethodError LogicalRDD.<init> (4.4.1 is not on Maven Central;
    PyPI's delta-spark 4.4.1 pins pyspark<=4.2.0), and iceberg-spark-runtime exists only for
    Spark 4.0/4.1 (-4.1_2.13:1.12.0 fails with IncompatibleClassChangeError: SparkView ...).
    make test runs them in its Spark 3.5 pass (spark_hooks/test-spark35.sh).
    """
    try:
        spark_line = ".".join(version("pyspark").split(".")[:2])
    except PackageNotFoundError:
        spark_line = None
    if spark_line == "3.5":
        return
    deselected = [item for item in items if item.get_closest_marker(SPARK35_ONLY)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(SPARK35_ONLY)]


@pytest.fixture(scope="session")
def lineage_spool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lineage-spool")


@pytest.fixture(scope="session")
def spark(lineage_spool: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A local[2] SparkSession with Hive support and the lineage listener spooling into
    ``lineage_spool``."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    # the listener is registered only when a SparkContext starts: stop one that is running
    running = SparkContext._active_spark_context
    if running is not None:
        running.stop()
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("atlas-ml-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .config(  # the embedded Derby of the JDBC tests would write derby.log into the cwd
            "spark.driver.extraJavaOptions",
            f"-Dderby.stream.error.file={tmp_path_factory.mktemp('derby')}/derby.log",
        )
        .config(  # Hive support (pyspark ships it) for the Hive insert tests: local metastore
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={tmp_path_factory.mktemp('hive')}/metastore_db;create=true",
        )
        .enableHiveSupport()
    )
    for key, value in listener_conf(spool=lineage_spool).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()
