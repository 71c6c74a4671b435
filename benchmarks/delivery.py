"""Delivery throughput: spooled events pushed to a real Atlas with and without the record-fidelity
steps of issue 13, side by side.

``ingest.py`` measures bulk upserts; this measures ``atlas-ml push`` itself, event by event,
which since issue 13 also asks Atlas about what it delivers: which classifications reach a step
and whether to stop them (``delivery/propagation.py``), whether a recorded file's bytes equal
classified data elsewhere (``delivery/copies.py``), and whether a path with upper-case letters
left a classified lower-cased name behind (``delivery/legacy_paths.py``). The baseline is the
same push with those three steps replaced by no-ops.

Each round and variant pushes fresh events (new names, so nothing is an idempotent replay):

- Titanic training runs recorded by the example's preparation (4 events each: clean, encode,
  split steps with PII on Name/Ticket/Cabin stopped at clean, and the run), each on its own
  copy of the CSV with one unique passenger, so every copy is new bytes;
- Spark-listener-shaped events (one write each) whose paths have upper-case letters.

    python benchmarks/delivery.py --url http://127.0.0.1:21000 --runs 5 --spark 100 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.delivery import Spool, push
from atlas_ml.events.run_events import now
from atlas_ml.tracking import training_run

ROOT = Path(__file__).resolve().parents[1]
WITH, WITHOUT = "with fidelity steps", "without (baseline)"


def _titanic() -> Any:
    spec = importlib.util.spec_from_file_location("titanic", ROOT / "examples/titanic/train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_runs(spool: Path, data: Path, runs: int) -> None:
    """``runs`` Titanic preparations, each on a CSV of its own bytes, into ``spool``."""
    titanic = _titanic()
    lines = (ROOT / "examples/data/titanic.csv").read_text().splitlines(keepends=True)
    for _ in range(runs):
        marker = uuid.uuid4().hex[:12]
        csv = data / marker / "titanic.csv"
        csv.parent.mkdir(parents=True)
        csv.write_text("".join([*lines, f'999,0,3,"{marker}, Mr.",male,30,0,0,X,7.25,,S\n']))
        with training_run(f"bench-{marker}", spool=Spool(spool), deliver=False) as run:
            train, _ = titanic.prepare(run, csv)
            run.use(train, role="train")


def write_spark_events(spool: Path, count: int) -> None:
    """``count`` one-write Spark events shaped like the listener's, paths with upper case."""
    store = Spool(spool)
    app = f"app-{uuid.uuid4().hex[:8]}"
    schema = {"fields": [{"name": "id", "type": "int"}, {"name": "Name", "type": "string"}]}
    for i in range(count):
        store.write(
            {
                "eventType": "COMPLETE",
                "eventTime": now(),
                "producer": "https://github.com/atlas-ml/atlas-ml/tree/main/spark_hooks",
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                "run": {
                    "runId": str(uuid.uuid4()),
                    "facets": {
                        "atlasml_spark": {
                            "_producer": "bench",
                            "_schemaURL": "bench",
                            "applicationId": app,
                            "appName": "Bench",
                            "rootExecutionId": i,
                        }
                    },
                },
                "job": {"namespace": "spark", "name": f"bench.write.Out{i}", "facets": {}},
                "inputs": [{"namespace": "file", "name": f"/bench/{app}/Raw/In{i}", "facets": {}}],
                "outputs": [
                    {
                        "namespace": "file",
                        "name": f"/bench/{app}/Clean/Out{i}",
                        "facets": {"schema": {"_producer": "b", "_schemaURL": "b", **schema}},
                    }
                ],
            }
        )


@contextlib.contextmanager
def fidelity_steps(enabled: bool) -> Iterator[None]:
    """The push as it is, or with the issue-13 steps replaced by no-ops (the baseline)."""
    if enabled:
        yield
        return
    with (
        mock.patch("atlas_ml.delivery.atlas.block_propagation", return_value=[]),
        mock.patch("atlas_ml.delivery.atlas.add_inferred_copies", return_value=[]),
        mock.patch("atlas_ml.delivery.legacy_paths.LegacyPaths.note", return_value=None),
        mock.patch("atlas_ml.delivery.legacy_paths.LegacyPaths.warn", return_value=[]),
    ):
        yield


def one_push(client: AtlasClient, args: argparse.Namespace, enabled: bool) -> float:
    """Events/s of one push of fresh events (recording them is not timed)."""
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-") as scratch:
        spool = Path(scratch) / "spool"
        record_runs(spool, Path(scratch) / "data", args.runs)
        write_spark_events(spool, args.spark)
        pending = len(Spool(spool).pending())
        with fidelity_steps(enabled):
            started = time.perf_counter()
            report = push(client, Spool(spool))
            elapsed = time.perf_counter() - started
    if report.remaining or report.rejected:
        raise SystemExit(f"push did not deliver everything: {report}")
    rate = pending / elapsed
    label = WITH if enabled else WITHOUT
    print(f"  {label:<22} {pending:>4} events in {elapsed:6.1f}s = {rate:6.2f}/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:21000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--runs", type=int, default=5, help="Titanic runs per push (4 events)")
    parser.add_argument("--spark", type=int, default=100, help="Spark write events per push")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the table shows medians")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    config = AtlasConfig(url=args.url, username=args.user, password=args.password)
    rates: dict[str, list[float]] = {WITH: [], WITHOUT: []}
    with AtlasClient(config) as client:
        print(f"Atlas at {args.url}: {args.runs} Titanic runs + {args.spark} Spark events a push")
        print("warm-up (not counted):")
        warm = argparse.Namespace(runs=1, spark=5)
        for enabled in (True, False):
            one_push(client, warm, enabled)
        for round_ in range(args.repeat):
            print(f"round {round_ + 1}/{args.repeat}:")
            order = [True, False] if round_ % 2 == 0 else [False, True]
            for enabled in order:
                rates[WITH if enabled else WITHOUT].append(one_push(client, args, enabled))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(f"\n{'variant':<22} {'median/s':>9}  runs/s")
    for name, values in rates.items():
        print(f"{name:<22} {medians[name]:9.2f}  {', '.join(f'{v:.2f}' for v in values)}")
    paired = ", ".join(f"{a / b:.2f}" for a, b in zip(rates[WITH], rates[WITHOUT], strict=True))
    print(f"\nwith / without: {medians[WITH] / medians[WITHOUT]:.2f}x (per round: {paired})")


if __name__ == "__main__":
    main()
