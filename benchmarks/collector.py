"""The OpenLineage collector: how fast ``atlas-ml collect`` accepts events (validated against
the official models, durably in the spool), from openlineage-python clients sending one
event per request and from batches, and how fast they then reach Atlas, side by side with
``atlas-ml ingest`` of the same events from a file.

Accept phases (each against a fresh ``atlas-ml collect --no-push``, ``--rounds`` times,
medians; every phase prints events/s, the p50/p99 latency from sending an event to its
acknowledgement, and the CPU per event of the collector and of the clients, from ``/proc``
and ``process_time``, which a busy machine distorts far less than events/s):

- ``sync``: ``--clients`` processes, each an ``OpenLineageClient`` with ``HttpTransport``
  (keep-alive session, one ``emit`` after another): Airflow's and most integrations' way;
- ``async``: ``--async-clients`` processes, each an ``AsyncHttpTransport`` (the client's
  high-throughput transport: ``emit`` queues, a worker thread keeps up to
  ``--async-concurrency`` requests in flight) emitting every event, then waiting for all;
  latency is from ``emit`` to the transport's success;
- ``batch``: ``--clients`` processes posting ``--batch`` events at a time to
  ``/api/v1/lineage/batch``, each serialised by openlineage-python's ``Serde`` as its
  transports do (no OpenLineage client sends batches: openlineage-python 1.54 and the Java
  client 1.53 post one event per request; a relay or a replay of the file transport would);
- ``replay``: the collector alone: the exact bodies the client's ``HttpTransport`` sends,
  serialised beforehand, replayed by one lean asyncio process over ``--connections``
  keep-alive connections at ``--rate`` events/s (open loop: latency is measured from each
  event's scheduled time, so a stall is not hidden), then as fast as it can (closed loop).

Then ``atlas-ml ingest --no-push`` of the same number of events from a ``.jsonl`` file (the
same validation and spool, without HTTP).

End to end (``--e2e-rounds``, skipped with ``--skip-e2e``): ``atlas-ml collect`` delivering to
Atlas takes ``--e2e-events`` events from the sync clients; the clock stops when the spool has
nothing pending and the last run is in Atlas. Then ``atlas-ml ingest`` of the same events
(fresh names, same shapes) from a file; alternating which goes first; medians and ratio
(target: collect >= 0.9x ingest).

Each event is a START or COMPLETE of a run with two inputs, one output with a schema and a
column lineage facet, a parent run facet and a job SQL facet (2.3 KB of JSON).

    .venv/bin/python benchmarks/collector.py --url http://127.0.0.1:21000 \\
        [--events 3000 --clients 8 --rounds 3 --phases sync,async,batch,replay,ingest]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
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

PHASES = ("sync", "async", "batch", "replay", "ingest")


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


# -- the client processes -----------------------------------------------------------------------


class Share:
    """What one client process reports: when it emitted, each latency, its CPU seconds."""

    def __init__(self, began: float, ended: float, latencies: list[float], cpu: float) -> None:
        self.began, self.ended, self.latencies, self.cpu = began, ended, latencies, cpu


def _sync_share(url: str, token: str, count: int, tag: str) -> Share:
    """``HttpTransport``: emit one event after another (each client's first emit, which opens
    its connection, is not timed)."""
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

    config = HttpConfig(url=url, auth=ApiKeyTokenProvider({"apiKey": token}), timeout=30.0)
    client = OpenLineageClient(transport=HttpTransport(config))
    events = make_events(count, tag)
    client.emit(events[0])
    latencies = []
    cpu = time.process_time()
    began = time.time()
    for event in events[1:]:
        start = time.perf_counter()
        client.emit(event)
        latencies.append(time.perf_counter() - start)
    return Share(began, time.time(), latencies, time.process_time() - cpu)


def _async_share(url: str, token: str, count: int, tag: str, concurrency: int) -> Share:
    """``AsyncHttpTransport``: emit every event (each returns at once), then wait until the
    transport has delivered all; latency from ``emit`` to the transport's success."""
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.async_http import AsyncHttpConfig, AsyncHttpTransport
    from openlineage.client.transport.http import ApiKeyTokenProvider

    sent: dict[str, float] = {}
    done: dict[str, float] = {}

    class Timed(AsyncHttpTransport):  # type: ignore[misc]
        def emit(self, event: Any) -> None:
            sent[f"{event.run.runId}-{event.eventType.value}"] = time.perf_counter()
            super().emit(event)

        def _mark_success(self, request: Any) -> Any:
            done[request.event_id] = time.perf_counter()
            return super()._mark_success(request)

    config = AsyncHttpConfig(
        url=url,
        auth=ApiKeyTokenProvider({"apiKey": token}),
        timeout=30.0,
        max_concurrent_requests=concurrency,
    )
    transport = Timed(config)
    client = OpenLineageClient(transport=transport)
    events = make_events(count, tag)
    cpu = time.process_time()
    began = time.time()
    for event in events:
        client.emit(event)
    if not transport.wait_for_completion(timeout=600):
        raise SystemExit(f"async client {tag}: events still pending after 600 s")
    ended = time.time()
    used = time.process_time() - cpu
    transport.close(timeout=10)
    if transport.get_stats()["failed"]:
        raise SystemExit(f"async client {tag}: {transport.get_stats()}")
    return Share(began, ended, [done[key] - sent[key] for key in sent], used)


def _batch_share(url: str, token: str, count: int, tag: str, size: int) -> Share:
    """Batches of ``size`` events, each serialised by the client's ``Serde``, one POST each."""
    from openlineage.client.serde import Serde

    session = requests.Session()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    events = make_events(count, tag)
    warm = session.post(f"{url}/api/v1/lineage", data=Serde.to_json(events[0]), headers=headers)
    warm.raise_for_status()
    latencies = []
    cpu = time.process_time()
    began = time.time()
    rest = events[1:]
    for start in range(0, len(rest), size):
        chunk = rest[start : start + size]
        sent = time.perf_counter()
        body = "[" + ",".join(Serde.to_json(event) for event in chunk) + "]"
        answer = session.post(f"{url}/api/v1/lineage/batch", data=body, headers=headers)
        if answer.status_code != 202:
            raise SystemExit(f"batch refused: {answer.status_code} {answer.text[:300]}")
        latency = time.perf_counter() - sent
        latencies += [latency] * len(chunk)
    return Share(began, time.time(), latencies, time.process_time() - cpu)


def _replay_share(
    port: int, token: str, bodies: list[bytes], connections: int, rate: float | None
) -> Share:
    """Send pre-serialised bodies over keep-alive connections: paced at ``rate`` events/s
    (latency from each event's scheduled time) or, with None, as fast as answers come."""
    return asyncio.run(_replay(port, token, bodies, connections, rate))


async def _replay(
    port: int, token: str, bodies: list[bytes], connections: int, rate: float | None
) -> Share:
    head = (
        "POST /api/v1/lineage HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
    )
    requests_ = [f"{head}Content-Length: {len(b)}\r\n\r\n".encode() + b for b in bodies]
    latencies: list[float] = []
    next_index = 0
    cpu = time.process_time()
    began = time.time()
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < len(requests_):
                index = next_index
                next_index += 1
                due = start + index / rate if rate else time.perf_counter()
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(requests_[index])
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                if b" 202 " not in status:
                    raise SystemExit(f"replay refused: {status!r}")
                latencies.append(time.perf_counter() - due)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return Share(began, time.time(), latencies, time.process_time() - cpu)


def _warm(_: int) -> None:
    # import time is not the collector's
    import openlineage.client.transport.async_http  # noqa: F401


# -- the collector ---------------------------------------------------------------------------


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


def _pending(spool: Path) -> int:
    return sum(1 for p in spool.glob("*.json") if not p.name.startswith("."))


def _count(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*.json")) if folder.is_dir() else 0


def _summary(shares: list[Share], server_cpu: float) -> dict[str, float]:
    latencies = sorted(value for share in shares for value in share.latencies)
    wall = max(s.ended for s in shares) - min(s.began for s in shares)
    count = len(latencies)
    return {
        "rate": count / wall,
        "p50": latencies[count // 2] * 1000,
        "p99": latencies[max(0, int(count * 0.99) - 1)] * 1000,
        "server_cpu": server_cpu / count * 1000,
        "client_cpu": sum(s.cpu for s in shares) / count * 1000,
    }


def accept_round(work: Path, phase: str, args: argparse.Namespace) -> dict[str, float]:
    """One round of one accept phase against a fresh collector."""
    collector = Collector(work, None, {})
    tag = uuid.uuid4().hex[:8]
    try:
        if phase == "replay":
            from openlineage.client.serde import Serde

            bodies = [Serde.to_json(e).encode() for e in make_events(args.events, tag)]
            with concurrent.futures.ProcessPoolExecutor(1) as pool:
                before = collector.cpu_seconds()
                paced = pool.submit(
                    _replay_share,
                    collector.port,
                    collector.token,
                    bodies,
                    args.connections,
                    args.rate,
                ).result()
                paced_summary = _summary([paced], collector.cpu_seconds() - before)
                bodies = [Serde.to_json(e).encode() for e in make_events(args.events, tag + "b")]
                before = collector.cpu_seconds()
                flat_out = pool.submit(
                    _replay_share, collector.port, collector.token, bodies, args.connections, None
                ).result()
                summary = _summary([flat_out], collector.cpu_seconds() - before)
            summary.update({f"paced_{k}": v for k, v in paced_summary.items()})
            expected = 2 * len(bodies)
        else:
            clients = args.async_clients if phase == "async" else args.clients
            share = args.events // clients
            with concurrent.futures.ProcessPoolExecutor(clients) as pool:
                list(pool.map(_warm, range(clients)))  # imports are not the collector's time
                before = collector.cpu_seconds()
                if phase == "sync":
                    jobs = [
                        pool.submit(
                            _sync_share, collector.url, collector.token, share, f"{tag}-{i}"
                        )
                        for i in range(clients)
                    ]
                elif phase == "async":
                    jobs = [
                        pool.submit(
                            _async_share,
                            collector.url,
                            collector.token,
                            share,
                            f"{tag}-{i}",
                            args.async_concurrency,
                        )
                        for i in range(clients)
                    ]
                else:
                    jobs = [
                        pool.submit(
                            _batch_share,
                            collector.url,
                            collector.token,
                            share,
                            f"{tag}-{i}",
                            args.batch,
                        )
                        for i in range(clients)
                    ]
                shares = [job.result() for job in jobs]
                summary = _summary(shares, collector.cpu_seconds() - before)
            expected = share * clients
    finally:
        collector.stop()
    stored = _pending(collector.spool)
    if stored != expected:
        raise SystemExit(f"{phase}: {expected} events emitted but {stored} stored")
    return summary


def ingest_round(work: Path, events: int) -> dict[str, float]:
    """``atlas-ml ingest --no-push`` of ``events`` events from a file: events/s, and CPU."""
    from openlineage.client.serde import Serde

    source = work / "events.jsonl"
    lines = [Serde.to_json(e) for e in make_events(events, uuid.uuid4().hex[:8])]
    source.write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "atlas_ml.cli.main", "ingest", str(source), "--no-push"]
    command += ["--spool", str(work / "spool")]
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stdout}{done.stderr}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return {"rate": len(lines) / wall, "server_cpu": cpu / len(lines) * 1000}


# -- end to end --------------------------------------------------------------------------------


def _visible(url: str, auth: tuple[str, str], qualified_name: str) -> bool:
    answer = requests.get(
        f"{url}/api/atlas/v2/entity/uniqueAttribute/type/atlasml_openlineage_run",
        params={"attr:qualifiedName": qualified_name, "minExtInfo": "true"},
        auth=auth,
        timeout=30,
    )
    return answer.ok and answer.json()["entity"]["attributes"].get("state") == "COMPLETE"


def _run_ids(spool: Path, job: str) -> list[str]:
    found = []
    for path in (spool / "delivered").glob("*-COMPLETE*.json"):
        event = json.loads(path.read_text())
        if f"{event['job']['namespace']}/{event['job']['name']}" == job:
            found.append(event["run"]["runId"])
    return found


def end_to_end(work: Path, url: str, auth: tuple[str, str], events: int, clients: int) -> float:
    atlas_env = {"ATLAS_USER": auth[0], "ATLAS_PASSWORD": auth[1]}
    collector = Collector(work, url, atlas_env)
    tag = uuid.uuid4().hex[:8]
    share = events // clients
    try:
        start = time.perf_counter()
        with concurrent.futures.ProcessPoolExecutor(clients) as pool:
            jobs = [
                pool.submit(_sync_share, collector.url, collector.token, share, f"{tag}-{i}")
                for i in range(clients)
            ]
            for job in jobs:
                job.result()
        emitted = share * clients
        deadline = time.monotonic() + 3600
        while _pending(collector.spool) or _count(collector.spool / "delivered") < emitted:
            if list((collector.spool / "rejected").glob("*.json")):
                raise SystemExit(f"Atlas refused events: see {collector.spool / 'rejected'}")
            if time.monotonic() > deadline:
                raise SystemExit("the events did not reach Atlas within an hour")
            time.sleep(0.2)
        last = f"bench-{tag}-{clients - 1}/nightly.task{share // 2 - 1}"
        if not any(
            _visible(url, auth, f"{last}/{run}@primary") for run in _run_ids(collector.spool, last)
        ):
            raise SystemExit(f"the last run of {last} is not in Atlas")
        wall = time.perf_counter() - start
    finally:
        collector.stop()
    return emitted / wall


def ingest_e2e(work: Path, url: str, auth: tuple[str, str], events: int, clients: int) -> float:
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
    command = [sys.executable, "-m", "atlas_ml.cli.main", "ingest", str(source)]
    command += ["--spool", str(work / "spool"), "--url", url]
    done = subprocess.run(
        command,
        env={**os.environ, "ATLAS_USER": auth[0], "ATLAS_PASSWORD": auth[1]},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stdout}{done.stderr}")
    return len(lines) / wall


# -- report ------------------------------------------------------------------------------------


def _load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def _median(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}


def _print_phase(title: str, rounds: list[dict[str, float]], prefix: str = "") -> None:
    m = _median(rounds)
    cores = os.cpu_count() or 1
    both = m[f"{prefix}server_cpu"] + m[f"{prefix}client_cpu"]
    print(
        f"{title}: {m[prefix + 'rate']:.0f} events/s, latency p50 {m[prefix + 'p50']:.1f} ms, "
        f"p99 {m[prefix + 'p99']:.1f} ms"
    )
    print(
        "  rounds: "
        + ", ".join(f"{r[prefix + 'rate']:.0f}/s p99 {r[prefix + 'p99']:.1f} ms" for r in rounds)
    )
    print(
        f"  CPU per event: collector {m[prefix + 'server_cpu']:.3f} ms, clients "
        f"{m[prefix + 'client_cpu']:.3f} ms; {cores} idle cores shared by both: at most "
        f"{cores * 1000 / both:.0f}/s; the collector on one core of its own: "
        f"{1000 / m[prefix + 'server_cpu']:.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ATLAS_URL", "http://127.0.0.1:21000"))
    parser.add_argument("--user", default=os.environ.get("ATLAS_USER", "admin"))
    parser.add_argument("--password", default=os.environ.get("ATLAS_PASSWORD", "admin"))
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--async-clients", type=int, default=2)
    parser.add_argument("--async-concurrency", type=int, default=16)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="accept phases to run ('' for none)"
    )
    parser.add_argument("--e2e-events", type=int, default=200)
    parser.add_argument("--e2e-rounds", type=int, default=3)
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases {sorted(unknown)}; choose from {', '.join(PHASES)}")
    auth = (args.user, args.password)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  {platform.platform()}  nproc={os.cpu_count()}  "
        f"Python {platform.python_version()}  load before: {_load()}"
    )
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-collect-") as tmp:
        root = Path(tmp)
        results: dict[str, list[dict[str, float]]] = {phase: [] for phase in phases}
        for index in range(args.rounds):  # phases interleaved: the load drifts
            for phase in phases:
                work = root / f"{phase}{index}"
                work.mkdir()
                if phase == "ingest":
                    results[phase].append(ingest_round(work, args.events))
                else:
                    results[phase].append(accept_round(work, phase, args))
        titles = {
            "sync": f"sync   ({args.clients} HttpTransport clients, one emit after another)",
            "async": (
                f"async  ({args.async_clients} AsyncHttpTransport clients, "
                f"{args.async_concurrency} requests in flight each)"
            ),
            "batch": f"batch  ({args.clients} clients, {args.batch} Serde events per POST)",
        }
        if phases:
            print(f"accept, {args.events} events per round, median of {args.rounds} rounds:")
        for phase in phases:
            rounds = results[phase]
            if phase in titles:
                _print_phase(titles[phase], rounds)
            elif phase == "replay":
                _print_phase(
                    f"replay ({args.connections} connections, paced at {args.rate:.0f}/s)",
                    rounds,
                    "paced_",
                )
                _print_phase(f"replay ({args.connections} connections, flat out)", rounds)
            else:
                m = _median(rounds)
                print(
                    f"ingest --no-push (the same events from a .jsonl file): {m['rate']:.0f} "
                    f"events/s, CPU {m['server_cpu']:.3f} ms per event (process start included)"
                )
                print("  rounds: " + ", ".join(f"{r['rate']:.0f}/s" for r in rounds))
        if not args.skip_e2e:
            collect_rates, ingest_rates = [], []
            for index in range(args.e2e_rounds):
                # alternate which goes first: Atlas's speed drifts with the machine's load
                order = ("collect", "ingest") if index % 2 == 0 else ("ingest", "collect")
                for kind in order:
                    work = root / f"e2e-{kind}{index}"
                    work.mkdir()
                    if kind == "collect":
                        collect_rates.append(
                            end_to_end(work, args.url, auth, args.e2e_events, args.clients)
                        )
                    else:
                        ingest_rates.append(
                            ingest_e2e(work, args.url, auth, args.e2e_events, args.clients)
                        )
            collect_rate = statistics.median(collect_rates)
            ingest_rate = statistics.median(ingest_rates)
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
    print(f"load after: {_load()}")


if __name__ == "__main__":
    main()
