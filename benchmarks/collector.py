"""The OpenLineage collector: how fast ``atlas-ml collect`` accepts events from concurrent
openlineage-python clients, and how fast they then reach Atlas, side by side with
``atlas-ml ingest`` of the same events from a file.

Phases, in one run:

1. **accept**: ``atlas-ml collect --no-push`` (validation against the official schema and the
   durable spool write, nothing else) takes ``--events`` events from ``--clients``
   processes, each an ``OpenLineageClient`` with ``HttpTransport`` (its own keep-alive
   session, one ``emit`` after another). Prints events/s over the wall time and the p50/p99
   of the client's ``emit`` latency. Repeated ``--rounds`` times; medians.
2. **end to end**: ``atlas-ml collect`` delivering to Atlas takes ``--e2e-events`` events from
   the same clients; the clock stops when the spool has nothing pending and the last run is
   in Atlas. Then ``atlas-ml ingest`` of the same events (fresh names, same shapes) from a
   ``.jsonl`` file. ``--e2e-rounds`` rounds, alternating which goes first; prints the
   medians and their ratio (target: collect >= 0.9x ingest).

Each event is a START or COMPLETE of a run with two inputs, one output with a schema and a
column lineage facet, a parent run facet and a job SQL facet (about 2.5 KB of JSON).

    .venv/bin/python benchmarks/collector.py --url http://127.0.0.1:21000 \\
        [--events 6000 --clients 8 --rounds 3 --e2e-events 200 --e2e-rounds 3]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_events(count: int, tag: str) -> list[Any]:
    """``count`` openlineage-python RunEvents: START and COMPLETE of count/2 runs."""
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        Run,
        RunEvent,
        RunState,
    )
    from openlineage.client.facet_v2 import (
        column_lineage_dataset,
        parent_run,
        schema_dataset,
        sql_job,
    )

    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=str(uuid.uuid4())),
        job=parent_run.Job(namespace=f"bench-{tag}", name="nightly"),
    )
    events: list[Any] = []
    for index in range(count // 2):
        job = Job(
            namespace=f"bench-{tag}",
            name=f"nightly.task{index}",
            facets={"sql": sql_job.SQLJobFacet(query=f"INSERT INTO t{index} SELECT * FROM s")},
        )
        run = Run(runId=str(uuid.uuid4()), facets={"parent": parent})
        inputs = [
            InputDataset(namespace="postgres://db:5432", name=f"shop.public.s{index}"),
            InputDataset(namespace="file", name=f"/bench/{tag}/raw/{index}.csv"),
        ]
        fields = [
            schema_dataset.SchemaDatasetFacetFields(name=f"c{i}", type="int") for i in range(8)
        ]
        lineage = column_lineage_dataset.ColumnLineageDatasetFacet(
            fields={
                f"c{i}": column_lineage_dataset.Fields(
                    inputFields=[
                        column_lineage_dataset.InputField(
                            namespace="postgres://db:5432",
                            name=f"shop.public.s{index}",
                            field=f"c{i}",
                        )
                    ]
                )
                for i in range(2)
            }
        )
        output = OutputDataset(
            namespace="hdfs://nn:8020",
            name=f"/bench/{tag}/out/{index}",
            facets={
                "schema": schema_dataset.SchemaDatasetFacet(fields=fields),
                "columnLineage": lineage,
            },
        )
        for state in (RunState.START, RunState.COMPLETE):
            events.append(
                RunEvent(
                    eventType=state,
                    eventTime=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                    run=run,
                    job=job,
                    inputs=inputs,
                    outputs=[output],
                )
            )
    return events


def _emit_share(
    url: str, token: str, count: int, tag: str, seed: int
) -> tuple[float, float, list[float], float]:
    """One client process: build its events, then emit them one after another; returns the
    wall-clock start and end of the emitting, each emit's latency and the CPU it used."""
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

    config = HttpConfig(url=url, auth=ApiKeyTokenProvider({"apiKey": token}), timeout=30.0)
    client = OpenLineageClient(transport=HttpTransport(config))
    events = make_events(count, f"{tag}-{seed}")
    client.emit(events[0])  # connect before the clock starts
    latencies = []
    cpu = time.process_time()
    began = time.time()
    for event in events[1:]:
        start = time.perf_counter()
        client.emit(event)
        latencies.append(time.perf_counter() - start)
    return began, time.time(), latencies, time.process_time() - cpu


class Collector:
    """``atlas-ml collect`` in a subprocess (the command as users run it)."""

    def __init__(self, work: Path, url: str | None, atlas: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = uuid.uuid4().hex
        self.spool = work / "spool"
        token_file = work / "token"
        token_file.write_text(self.token)
        command = [sys.executable, "-m", "atlas_ml.cli.main", "collect", "--port", str(self.port)]
        command += ["--token-file", str(token_file), "--spool", str(self.spool)]
        command += ["--url", url] if url else ["--no-push"]
        self.log = (work / "collector.log").open("wb")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **atlas}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"the collector did not start; see {self.log.name}")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        """CPU time the collector process has used (user + system, from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)
        self.log.close()


def _emit_all(
    collector: Collector, events: int, clients: int, tag: str
) -> tuple[float, list[float], float]:
    """Wall time from the first client's first timed emit to the last one's end, every
    emit's latency (each client's first emit, which opens its connection, is not timed) and
    the clients' CPU seconds."""
    share = events // clients
    with concurrent.futures.ProcessPoolExecutor(clients) as pool:
        list(pool.map(_warm, range(clients)))  # imports are not the collector's time
        futures = [
            pool.submit(_emit_share, collector.url, collector.token, share, tag, seed)
            for seed in range(clients)
        ]
        results = [future.result() for future in futures]
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    return wall, [value for r in results for value in r[2]], sum(r[3] for r in results)


def _warm(_: int) -> None:
    import openlineage.client  # noqa: F401  (import time is not the collector's)


def _count(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*.json")) if folder.is_dir() else 0


def _pending(spool: Path) -> int:
    return sum(1 for p in spool.glob("*.json") if not p.name.startswith("."))


def accept_round(work: Path, events: int, clients: int) -> dict[str, float]:
    collector = Collector(work, None, {})
    try:
        server_cpu = collector.cpu_seconds()
        wall, latencies, client_cpu = _emit_all(collector, events, clients, uuid.uuid4().hex[:8])
        server_cpu = collector.cpu_seconds() - server_cpu
    finally:
        collector.stop()
    stored = _pending(collector.spool)
    if stored != len(latencies) + clients:  # each client's first emit is not timed
        raise SystemExit(f"{len(latencies) + clients} events emitted but {stored} stored")
    ordered = sorted(latencies)
    return {
        "rate": len(latencies) / wall,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "server_cpu": server_cpu / len(latencies) * 1000,
        "client_cpu": client_cpu / len(latencies) * 1000,
    }


def _visible(url: str, auth: tuple[str, str], qualified_name: str) -> bool:
    answer = requests.get(
        f"{url}/api/atlas/v2/entity/uniqueAttribute/type/atlasml_openlineage_run",
        params={"attr:qualifiedName": qualified_name, "minExtInfo": "true"},
        auth=auth,
        timeout=30,
    )
    return answer.ok and answer.json()["entity"]["attributes"].get("state") == "COMPLETE"


def end_to_end(work: Path, url: str, auth: tuple[str, str], events: int, clients: int) -> float:
    atlas_env = {"ATLAS_USER": auth[0], "ATLAS_PASSWORD": auth[1]}
    collector = Collector(work, url, atlas_env)
    tag = uuid.uuid4().hex[:8]
    try:
        start = time.perf_counter()
        _, latencies, _ = _emit_all(collector, events, clients, tag)
        emitted = len(latencies) + clients
        deadline = time.monotonic() + 3600
        while _pending(collector.spool) or _count(collector.spool / "delivered") < emitted:
            if list((collector.spool / "rejected").glob("*.json")):
                raise SystemExit(f"Atlas refused events: see {collector.spool / 'rejected'}")
            if time.monotonic() > deadline:
                raise SystemExit("the events did not reach Atlas within an hour")
            time.sleep(0.2)
        last = f"bench-{tag}-{clients - 1}/nightly.task{events // clients // 2 - 1}"
        if not any(
            _visible(url, auth, f"{last}/{run}@primary") for run in _run_ids(collector.spool, last)
        ):
            raise SystemExit(f"the last run of {last} is not in Atlas")
        wall = time.perf_counter() - start
    finally:
        collector.stop()
    return emitted / wall


def _run_ids(spool: Path, job: str) -> list[str]:
    import json

    found = []
    for path in (spool / "delivered").glob("*-COMPLETE*.json"):
        event = json.loads(path.read_text())
        if f"{event['job']['namespace']}/{event['job']['name']}" == job:
            found.append(event["run"]["runId"])
    return found


def ingest(work: Path, url: str, auth: tuple[str, str], events: int, clients: int) -> float:
    from openlineage.client.serde import Serde

    tag = uuid.uuid4().hex[:8]
    lines = [
        Serde.to_json(event)
        for seed in range(clients)
        for event in make_events(events // clients, f"{tag}-{seed}")
    ]
    source = work / "events.jsonl"
    source.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "atlas_ml.cli.main",
            "ingest",
            str(source),
            "--spool",
            str(work / "spool"),
            "--url",
            url,
        ],
        env={**os.environ, "ATLAS_USER": auth[0], "ATLAS_PASSWORD": auth[1]},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stdout}{done.stderr}")
    return len(lines) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ATLAS_URL", "http://127.0.0.1:21000"))
    parser.add_argument("--user", default=os.environ.get("ATLAS_USER", "admin"))
    parser.add_argument("--password", default=os.environ.get("ATLAS_PASSWORD", "admin"))
    parser.add_argument("--events", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--e2e-events", type=int, default=200)
    parser.add_argument("--e2e-rounds", type=int, default=3)
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()
    auth = (args.user, args.password)
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  {platform.platform()}  nproc={os.cpu_count()}  "
        f"Python {platform.python_version()}  load before: {' '.join(load)}"
    )
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-collect-") as tmp:
        root = Path(tmp)
        rounds = []
        for index in range(args.rounds):
            work = root / f"accept{index}"
            work.mkdir()
            rounds.append(accept_round(work, args.events, args.clients))
        accept = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        print(
            f"accept ({args.clients} openlineage-python clients, {args.events} events, "
            f"median of {args.rounds}): {accept['rate']:.0f} events/s, "
            f"emit latency p50 {accept['p50']:.1f} ms, p99 {accept['p99']:.1f} ms"
        )
        print("  rounds: " + ", ".join(f"{r['rate']:.0f}/s p99 {r['p99']:.1f} ms" for r in rounds))
        cores = os.cpu_count() or 1
        per_event = accept["server_cpu"] + accept["client_cpu"]
        print(
            f"  CPU per event: collector {accept['server_cpu']:.2f} ms, clients "
            f"{accept['client_cpu']:.2f} ms; so {cores} idle cores shared by both accept at "
            f"most {cores * 1000 / per_event:.0f}/s, and the collector alone "
            f"{cores * 1000 / accept['server_cpu']:.0f}/s"
        )
        if args.skip_e2e:
            return
        collect_rates, ingest_rates = [], []
        for index in range(args.e2e_rounds):
            # alternate which goes first: Atlas's speed drifts with the machine's load
            order = ("collect", "ingest") if index % 2 == 0 else ("ingest", "collect")
            for kind in order:
                work = root / f"{kind}{index}"
                work.mkdir()
                if kind == "collect":
                    collect_rates.append(
                        end_to_end(work, args.url, auth, args.e2e_events, args.clients)
                    )
                else:
                    ingest_rates.append(ingest(work, args.url, auth, args.e2e_events, args.clients))
        collect_rate, ingest_rate = (
            statistics.median(collect_rates),
            statistics.median(ingest_rates),
        )
        print(
            f"end to end into Atlas ({args.e2e_events} events, median of {args.e2e_rounds}): "
            f"collect {collect_rate:.1f} events/s, ingest {ingest_rate:.1f} events/s, "
            f"ratio {collect_rate / ingest_rate:.2f}"
        )
        print(
            "  rounds: "
            + ", ".join(
                f"collect {c:.1f}/s ingest {i:.1f}/s"
                for c, i in zip(collect_rates, ingest_rates, strict=True)
            )
        )
    with open("/proc/loadavg") as handle:
        print(f"load after: {' '.join(handle.read().split()[:3])}")


if __name__ == "__main__":
    main()
