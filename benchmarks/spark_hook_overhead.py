"""Overhead of lineage listeners on Spark jobs: none vs atlas-ml vs openlineage-spark.

Each variant runs in a fresh subprocess with its own SparkSession (one SparkContext per JVM):
a burst of 100 small Parquet writes, then one job over 1M rows. Run:

    .venv/bin/python benchmarks/spark_hook_overhead.py [--writes 100] [--rows 1000000] [--rounds 3]

Variants run round-robin for ``--rounds`` rounds and the median is reported, so that machine
noise and warm-up (page cache, JIT of the first JVM) do not favour one variant.

openlineage-spark is resolved from Maven Central with ``mvn dependency:copy`` into the
atlas-ml cache (``<cache>/maven``); it writes to a file transport.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from atlas_ml.paths import cache_dir
from atlas_ml.spark.conf import listener_conf
from atlas_ml.spark.jar import spark_line

OPENLINEAGE_VERSION = "1.53.0"

_WORKLOAD = """
import json, sys, time
from pyspark.sql import SparkSession
conf, out, writes, rows = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
builder = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
           .config("spark.sql.shuffle.partitions", "4"))
for key, value in conf.items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
spark.range(10).write.mode("overwrite").parquet(out + "/warmup")
t0 = time.perf_counter()
for i in range(writes):
    spark.range(100).selectExpr("id", "id * 2 AS twice").write.parquet(f"{out}/burst{i}")
t1 = time.perf_counter()
big = spark.range(rows).selectExpr("id", "id % 100 AS k", "rand() AS v")
big.groupBy("k").agg({"v": "avg"}).write.parquet(out + "/big")
t2 = time.perf_counter()
spark.stop()
print(json.dumps({"burst": t1 - t0, "big": t2 - t1}))
"""


def openlineage_jar(scala_binary: str) -> Path:
    """openlineage-spark from Maven Central, copied into the atlas-ml cache."""
    target = cache_dir() / "maven"
    artifact = f"io.openlineage:openlineage-spark_{scala_binary}:{OPENLINEAGE_VERSION}"
    jar = target / f"openlineage-spark_{scala_binary}-{OPENLINEAGE_VERSION}.jar"
    if not jar.exists():
        subprocess.run(
            [
                "mvn",
                "-q",
                "dependency:copy",
                f"-Dartifact={artifact}",
                f"-DoutputDirectory={target}",
            ],
            check=True,
        )
    return jar


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def run_variant(conf: dict[str, str], work: Path, writes: int, rows: int) -> dict[str, float]:
    work.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-c", _WORKLOAD, json.dumps(conf), str(work), str(writes), str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"variant failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    line = spark_line()
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-") as tmp:
        root = Path(tmp)
        variants = {
            "no listener": {},
            "atlas-ml": listener_conf(spool=root / "atlas-spool"),
            "openlineage-spark": {
                "spark.jars": str(openlineage_jar(line.scala_binary)),
                "spark.extraListeners": "io.openlineage.spark.agent.OpenLineageSparkListener",
                "spark.openlineage.transport.type": "file",
                "spark.openlineage.transport.location": str(root / "openlineage.jsonl"),
                "spark.openlineage.namespace": "bench",
            },
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for round_no in range(args.rounds):
            for name, conf in variants.items():
                work = root / f"{name.replace(' ', '-')}-{round_no}"
                runs[name].append(run_variant(conf, work, args.writes, args.rows))
        events = {
            "no listener": 0,
            "atlas-ml": len(list((root / "atlas-spool").glob("*.json"))),
            "openlineage-spark": _lines(root / "openlineage.jsonl"),
        }
    results = {
        name: {k: statistics.median(r[k] for r in rs) for k in ("burst", "big")}
        for name, rs in runs.items()
    }
    base = results["no listener"]
    print(
        f"Spark {line.spark_version} (Scala {line.scala_binary}), {platform.platform()}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    print(
        f"{'variant':<20}{'burst of ' + str(args.writes):>16}{'ratio':>8}"
        f"{str(args.rows) + ' rows':>16}{'ratio':>8}{'events':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<20}{r['burst']:>15.2f}s{r['burst'] / base['burst']:>8.3f}"
            f"{r['big']:>15.2f}s{r['big'] / base['big']:>8.3f}{events[name]:>8}"
        )
    print(f"median of {args.rounds} rounds; events: lineage events written over all rounds")


if __name__ == "__main__":
    main()
