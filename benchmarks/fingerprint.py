"""Cost of the data fingerprints against the plain passes they are compared with.

Run: ``.venv/bin/python benchmarks/fingerprint.py [--size-gb 2] [--files 300] [--rows 5000000]
[--skip-spark]``. Generates its data under a temporary directory and removes it afterwards.

- File manifest vs ``sha256sum`` over the same files, one worker and all cores. The page cache
  is warmed first (every file read once), so both sides measure hashing, not the disk.
- Logical hash of a DataFrame vs the plain pass: pandas ``hash_pandas_object(df).sum()``;
  Spark ``df.count()`` on the pandas frame's own rows (``spark.createDataFrame``, the same
  in-memory 5M-row DataFrame the pandas figure uses), on a cached DataFrame (materialised before
  timing), on the parquet files directly and on the same rows as CSV (the examples' format),
  with both Spark paths
  (atlas-ml's JVM class, used when the session has the jar, and the SQL built-ins used
  otherwise), plus a pass that reads every value.

- Manifest of a remote table, read through Hadoop's FileSystem: on the driver (its threads,
  through py4j) vs on the executors (one Spark job, ``io.atlasml.spark.FileDigests``), on the same
  files as ``file:`` URIs: large files (GiB/s) and many small files (files/s), with the
  per-executor-core figures a cluster's sizing can start from.

Targets: manifest >= 0.9x sha256sum throughput on one core and >= 1.7x speed-up on two;
logical hash <= 2x the plain pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"nproc={os.cpu_count()}, CPU: {model}"
    )


def make_files(root: Path, size_gb: float, files: int) -> list[Path]:
    rng = np.random.default_rng(0)
    per_file = int(size_gb * (1 << 30)) // files
    paths = []
    for i in range(files):
        path = root / f"part-{i:05d}.parquet"
        path.write_bytes(rng.integers(0, 256, per_file, dtype=np.uint8).tobytes())
        paths.append(path)
    (root / "_SUCCESS").write_bytes(b"")
    return paths


def bench_manifest(size_gb: float, files: int) -> None:
    from atlas_ml.fingerprints.manifest import build_manifest

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-") as tmp:
        root = Path(tmp)
        paths = make_files(root, size_gb, files)
        total = sum(p.stat().st_size for p in paths)
        for p in paths:  # warm the page cache: both sides then read from memory
            with open(p, "rb") as handle:
                while handle.read(8 << 20):
                    pass
        names = [str(p) for p in paths]
        sha_one = timed(
            lambda: subprocess.run(["sha256sum", *names], check=True, capture_output=True), 2
        )
        sha_all = timed(
            lambda: subprocess.run(
                f"ls {root}/part-* | xargs -P {cores} -n {max(1, files // cores // 4)} sha256sum",
                shell=True,
                check=True,
                capture_output=True,
            ),
            2,
        )
        ours_one = timed(lambda: build_manifest(root, workers=1, cache=False), 2)
        ours_all = timed(lambda: build_manifest(root, workers=cores, cache=False), 2)
        gib = total / (1 << 30)
        print(f"\nFile manifest: {files} files, {gib:.2f} GiB, page cache warm")
        print(f"  sha256sum, 1 process      {gib / sha_one:6.2f} GiB/s")
        print(f"  sha256sum, xargs -P {cores}     {gib / sha_all:6.2f} GiB/s")
        print(
            f"  manifest, 1 worker        {gib / ours_one:6.2f} GiB/s  "
            f"({sha_one / ours_one:.2f}x sha256sum; target >= 0.9x)"
        )
        print(
            f"  manifest, {cores} workers       {gib / ours_all:6.2f} GiB/s  "
            f"({ours_one / ours_all:.2f}x speed-up over 1 worker; target >= 1.7x on 2 cores)"
        )


def bench_pandas(rows: int) -> None:
    import pandas as pd

    from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas

    df = sample_pandas(rows)
    plain = timed(lambda: pd.util.hash_pandas_object(df).sum())
    ours = timed(lambda: fingerprint_pandas(df))
    print(f"\npandas, {rows:,} rows x {df.shape[1]} columns ({', '.join(map(str, df.dtypes))})")
    print(f"  hash_pandas_object(df).sum()  {plain:6.2f} s")
    print(f"  fingerprint_pandas(df)        {ours:6.2f} s  ({ours / plain:.2f}x; target <= 2x)")


def sample_pandas(rows: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = np.random.default_rng(1)
    words = np.array(
        ["alpha", "beta gamma", "Braund, Mr. Owen Harris", "NEAR BAY", "<1H OCEAN", "日本"],
        dtype=object,
    )
    x = rng.normal(size=rows)
    x[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "bucket": rng.integers(0, 100, rows),
            "x": x,
            "y": rng.normal(size=rows),
            "name": pd.Series(words[rng.integers(0, len(words), rows)], dtype="str"),
            "ts": pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 10**9, rows), unit="s"),
        }
    )


def bench_spark(rows: int) -> None:
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from atlas_ml.fingerprints.logical_spark import fingerprint_spark
    from atlas_ml.spark.jar import listener_jar

    spark = (
        SparkSession.builder.master(f"local[{os.cpu_count()}]")
        .config("spark.jars", str(listener_jar()))  # atlas-ml's JVM fingerprint class
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-spark-") as tmp:
        words = F.array(
            *[
                F.lit(w)
                for w in [
                    "alpha",
                    "beta gamma",
                    "Braund, Mr. Owen Harris",
                    "NEAR BAY",
                    "<1H OCEAN",
                    "日本",
                ]
            ]
        )
        generated = spark.range(rows).select(
            F.col("id"),
            (F.rand(1) * 100).cast("bigint").alias("bucket"),
            F.when(F.rand(2) < 0.05, None).otherwise(F.randn(3)).alias("x"),
            F.randn(4).alias("y"),
            F.element_at(words, (F.rand(5) * 6).cast("int") + 1).alias("name"),
            F.timestamp_seconds(F.lit(1704067200) + (F.rand(6) * 1e9).cast("bigint")).alias("ts"),
        )
        generated.write.parquet(f"{tmp}/data")
        parquet = spark.read.parquet(f"{tmp}/data")
        spark.read.parquet(f"{tmp}/data").write.option("header", True).csv(f"{tmp}/csv")
        csv = spark.read.option("header", True).schema(parquet.schema).csv(f"{tmp}/csv")
        in_memory = spark.createDataFrame(sample_pandas(rows))
        results = {}
        sources = (
            ("pandas", in_memory),
            ("cached", parquet.cache()),
            ("parquet", None),
            ("csv", csv),
        )
        for label, df in sources:
            if label == "parquet":
                df = parquet.unpersist()
            elif label == "cached":
                df.count()  # materialise the cache before timing
            results[label] = {
                "count": timed(df.count),
                "every value": timed(lambda d=df: d.agg(*map(F.count, d.columns)).collect()),
                "jvm": timed(lambda d=df: fingerprint_spark(d, "jvm")),
                "sql": timed(lambda d=df: fingerprint_spark(d, "sql")),
            }
    spark.stop()
    print(f"\nSpark local[{os.cpu_count()}], {rows:,} rows x 6 columns")
    print(
        "  source   df.count()  every value*   fingerprint jvm      (vs count, vs every value)"
        "   fingerprint sql (built-ins)"
    )
    for label, r in results.items():
        print(
            f"  {label:8s} {r['count']:8.2f} s {r['every value']:10.2f} s {r['jvm']:12.2f} s"
            f"  ({r['jvm'] / r['count']:4.1f}x, {r['jvm'] / r['every value']:4.2f}x)"
            f"   {r['sql']:12.2f} s  ({r['sql'] / r['count']:4.1f}x, "
            f"{r['sql'] / r['every value']:4.2f}x)"
        )
    print(
        "  * every value: df.agg(count(c) for each column), a pass that reads every value.\n"
        "  pandas: spark.createDataFrame of the pandas benchmark's frame; count() reads its rows.\n"
        "  cached, parquet, csv: df.count() reads no values; it counts cached batches, Parquet\n"
        "  footers, or CSV lines without parsing a field.\n"
        "  Target <= 2x df.count(); the fingerprint used by default is the jvm one."
    )


def bench_cluster_manifest(size_gb: float, files: int, small_files: int) -> None:
    from pyspark.sql import SparkSession

    from atlas_ml.fingerprints.hadoop import build_hadoop_manifest
    from atlas_ml.spark.jar import listener_jar

    cores = os.cpu_count() or 1
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.jars", str(listener_jar()))  # io.atlasml.spark.FileDigests
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    print(f"Remote manifest through Hadoop FileSystem (file: URIs), local[{cores}]")
    print("  data                      driver (4 threads)     executors            ratio  per core")
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-cluster-") as tmp:
        big = Path(tmp) / "big"
        big.mkdir()
        make_files(big, size_gb, files)
        small = Path(tmp) / "small"
        small.mkdir()
        rng = np.random.default_rng(1)
        for i in range(small_files):
            (small / f"part-{i:05d}").write_bytes(
                rng.integers(0, 256, 64 << 10, np.uint8).tobytes()
            )
        for label, root, count in (
            (f"{files} x {size_gb / files * 1024:.0f} MiB", big, files),
            (f"{small_files} x 64 KiB", small, small_files),
        ):
            uri = root.as_uri()
            total = sum(p.stat().st_size for p in root.iterdir())
            subprocess.run(["cat", *map(str, root.iterdir())], stdout=subprocess.DEVNULL)

            def driver(uri: str = uri) -> object:
                return build_hadoop_manifest(uri, spark, cache=False, on_executors=False)

            def executors(uri: str = uri) -> object:
                return build_hadoop_manifest(uri, spark, cache=False, on_executors=True)

            assert driver() == executors()  # same root hash either way
            on_driver, on_executors = timed(driver), timed(executors)
            mib = total / (1 << 20)
            print(
                f"  {label:24}  {mib / on_driver:6.0f} MiB/s {count / on_driver:6.0f} f/s"
                f"   {mib / on_executors:6.0f} MiB/s {count / on_executors:6.0f} f/s"
                f"   {on_driver / on_executors:4.2f}x"
                f"  {mib / on_executors / cores:.0f} MiB/s, {count / on_executors / cores:.0f} f/s"
            )
    spark.stop()
    print(
        "  per core: executors' throughput / cores; a cluster of N executor cores reads about\n"
        "  N times that while its storage keeps up (HDFS: ~100-200 MiB/s per disk)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", type=float, default=2.0)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--small-files", type=int, default=10_000)
    parser.add_argument(
        "--only-cluster", action="store_true", help="only the driver vs executors manifest"
    )
    args = parser.parse_args()
    if args.only_cluster:
        print(machine())
        bench_cluster_manifest(args.size_gb, args.files, args.small_files)
        return
    print(machine())
    if shutil.which("sha256sum") is None:
        raise SystemExit("sha256sum is not on PATH (coreutils); the manifest comparison needs it")
    bench_manifest(args.size_gb, args.files)
    bench_pandas(args.rows)
    if not args.skip_spark:
        bench_spark(args.rows)
        bench_cluster_manifest(args.size_gb, args.files, args.small_files)


if __name__ == "__main__":
    main()
