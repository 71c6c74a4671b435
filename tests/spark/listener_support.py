"""Reading the lineage listener's spool in tests (events arrive asynchronously)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Event = dict[str, Any]


def read_events(spool: Path) -> list[Event]:
    """Every event in the spool, oldest first (file names sort chronologically)."""
    return [json.loads(p.read_text()) for p in sorted(spool.glob("*.json"))]


def drop_table_at(spark: Any, table: str) -> str:
    """Drop ``table`` and return the local path of its location (what the listener names)."""
    location = spark.sql(f"DESCRIBE TABLE EXTENDED {table}").where("col_name = 'Location'")
    path = str(location.collect()[0]["data_type"]).removeprefix("file:")
    spark.sql(f"DROP TABLE {table}")
    return path


def wait_for_events(
    spool: Path, matches: Callable[[Event], bool], count: int = 1, timeout: float = 20.0
) -> list[Event]:
    """Events that ``matches``, once at least ``count`` arrived (delivery is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in read_events(spool) if matches(e)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def writes_to(path: Path | str) -> Callable[[Event], bool]:
    target = str(path)
    return lambda e: any(o["name"] == target for o in e["outputs"])


def customers_and_cities(spark: Any, root: Path) -> tuple[Path, Path]:
    """Two small CSV datasets that join on ``id`` (customers and their cities)."""
    customers, cities = root / "customers_csv", root / "cities_csv"
    spark.createDataFrame(
        [(1, "ann", 10.0), (2, "bob", 20.0), (3, "cy", 1.0)], ["id", "name", "amount"]
    ).write.csv(str(customers), header=True)
    spark.createDataFrame([(1, "oslo"), (2, "rome")], ["id", "city"]).write.csv(
        str(cities), header=True
    )
    return customers, cities


def mount_viewfs(spark: Any, cluster: str, mount: str, target: Path) -> str:
    """A ``viewfs://`` URI served by Hadoop over ``target``: a non-local scheme for tests."""
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    conf.set(f"fs.viewfs.mounttable.{cluster}.link./{mount}", target.as_uri())
    return f"viewfs://{cluster}/{mount}"
