"""Ingest throughput: the same lineage graph pushed into a real Atlas by several clients.

Clients, with the same entities and fresh qualifiedNames on every run:

(a) atlas-ml ``entities.upsert`` with its configured defaults (planned batches, a few
    independent batches in flight at once), and again with ``upsert_workers=1``;
(b) pyapacheatlas ``AtlasClient.upload_entities``, twice: as its README and samples call it
    (``upload_entities(batch=entities)``: its default ``batch_size=None`` sends everything in
    one request) and tuned to atlas-ml's batch size with ``batch_size=...`` (its own planner
    keeps dependent entities together);
(c) the official ``apache-atlas`` client, twice: as its README shows (one
    ``entity.create_entities`` call with every entity; it has no batching) and called per
    slice of atlas-ml's batch size;
(d) a bare single-connection ``requests`` loop posting the same slices one after another:
    the server's own limit for *sequential* bulk posts. A client that keeps several
    requests in flight can beat it; the table says so when it does;
(e) atlas-ml's Kafka transport: the same slices published as Atlas hook notifications
    (``ENTITY_CREATE_V2``) on ``ATLAS_HOOK`` (``--kafka``, the local server's embedded broker
    by default), timed from the first publish until every entity is visible in Atlas.

The verdict against (b)/(c) is printed both ways: against the clients as documented, and
against the same clients given atlas-ml's batch size by hand.

Runs are repeated ``--repeat`` times with the client order rotated every round, after one
small warm-up push per client; the table shows medians. Needs the ``bench`` extra
(pyapacheatlas, apache-atlas).

    python benchmarks/ingest.py --url http://127.0.0.1:21000 --entities 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from atlas_ml.config import AtlasConfig

Entity = dict[str, Any]
CHAIN = 5  # raw -> process -> mid -> process -> out


def lineage_graph(count: int) -> list[Entity]:
    """``count`` entities (rounded down to whole chains) with placeholder-guid links."""
    run = uuid.uuid4().hex[:10]
    entities: list[Entity] = []
    guid = 0

    def nxt() -> str:
        nonlocal guid
        guid += 1
        return f"-{guid}"

    def ds(g: str, name: str) -> Entity:
        q = f"bench{run}.{name}"
        return {"typeName": "DataSet", "guid": g, "attributes": {"qualifiedName": q, "name": q}}

    def proc(g: str, name: str, src: str, dst: str) -> Entity:
        q = f"bench{run}.{name}"
        return {
            "typeName": "Process",
            "guid": g,
            "attributes": {
                "qualifiedName": q,
                "name": q,
                "inputs": [{"typeName": "DataSet", "guid": src}],
                "outputs": [{"typeName": "DataSet", "guid": dst}],
            },
        }

    for i in range(count // CHAIN):
        raw, p1, mid, p2, out = (nxt() for _ in range(CHAIN))
        entities += [
            ds(raw, f"raw{i}"),
            proc(p1, f"clean{i}", raw, mid),
            ds(mid, f"mid{i}"),
            proc(p2, f"feat{i}", mid, out),
            ds(out, f"out{i}"),
        ]
    return entities


def slices(entities: list[Entity], size: int) -> list[list[Entity]]:
    size -= size % CHAIN  # whole chains per request, so placeholders resolve
    return [entities[i : i + size] for i in range(0, len(entities), size)]


def run_atlas_ml(
    url: str, user: str, password: str, entities: list[Entity], batch: int, workers: int = 0
) -> None:
    from atlas_ml.client import AtlasClient

    settings: dict[str, Any] = {"upsert_workers": workers} if workers else {}
    config = AtlasConfig(url=url, username=user, password=password, batch_size=batch, **settings)
    with AtlasClient(config) as client:
        result = client.entities.upsert(entities)
    assert len(result.guids) == len(entities), "atlas-ml: incomplete guid map"


def run_atlas_ml_sequential(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    run_atlas_ml(url, user, password, entities, batch, workers=1)


def run_pyapacheatlas(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    client, objects = _pyapacheatlas(url, user, password, entities)
    client.upload_entities(batch=objects, batch_size=batch)


def run_pyapacheatlas_documented(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    client, objects = _pyapacheatlas(url, user, password, entities)
    client.upload_entities(batch=objects)


def _pyapacheatlas(
    url: str, user: str, password: str, entities: list[Entity]
) -> tuple[Any, list[Any]]:
    """A pyapacheatlas client and ``entities`` as its AtlasEntity/AtlasProcess objects."""
    from pyapacheatlas.auth import BasicAuthentication
    from pyapacheatlas.core import AtlasClient, AtlasEntity, AtlasProcess

    client = AtlasClient(url + "/api/atlas/v2", BasicAuthentication(user, password))
    objects: dict[str, Any] = {
        e["guid"]: AtlasEntity(
            e["attributes"]["name"], "DataSet", e["attributes"]["qualifiedName"], guid=e["guid"]
        )
        for e in entities
        if e["typeName"] == "DataSet"
    }
    batch_objects = []
    for e in entities:
        a = e["attributes"]
        if e["typeName"] == "Process":
            objects[e["guid"]] = AtlasProcess(
                a["name"],
                "Process",
                a["qualifiedName"],
                inputs=[objects[r["guid"]] for r in a["inputs"]],
                outputs=[objects[r["guid"]] for r in a["outputs"]],
                guid=e["guid"],
            )
        batch_objects.append(objects[e["guid"]])
    return client, batch_objects


def run_apache_atlas(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    _apache_atlas(url, user, password, slices(entities, batch))


def run_apache_atlas_documented(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    _apache_atlas(url, user, password, [entities])


def _apache_atlas(url: str, user: str, password: str, requests_: list[list[Entity]]) -> None:
    from apache_atlas.client.base_client import AtlasClient
    from apache_atlas.model.instance import AtlasEntitiesWithExtInfo, AtlasEntity

    client = AtlasClient(url, (user, password))
    for chunk in requests_:
        info = AtlasEntitiesWithExtInfo()
        info.entities = [AtlasEntity(e) for e in chunk]
        client.entity.create_entities(info)


def run_requests(url: str, user: str, password: str, entities: list[Entity], batch: int) -> None:
    with requests.Session() as session:
        session.auth = (user, password)
        for chunk in slices(entities, batch):
            response = session.post(
                url + "/api/atlas/v2/entity/bulk",
                json={"entities": chunk, "referredEntities": {}},
                timeout=(5, 600),
            )
            response.raise_for_status()


ATLAS_ML = "atlas-ml"
PEERS_DOCUMENTED = ("pyapacheatlas, as documented", "apache-atlas, as documented")


def run_atlas_ml_kafka(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    """Publish slices of ``batch`` entities as hook notifications; return once all are in
    Atlas (the transport's own wait, on the last slice after publishing them all)."""
    from dataclasses import replace

    from atlas_ml.client import AtlasClient
    from atlas_ml.delivery.kafka import KAFKA_FRAMING_BYTES, publish, wait_until_visible
    from atlas_ml.delivery.notifications import entity_create, notification_messages

    config = AtlasConfig(url=url, username=user, password=password)
    config = replace(config, transport="kafka", kafka_bootstrap_servers=KAFKA_BOOTSTRAP[0])
    with AtlasClient(config) as client:
        limit = config.notification_max_bytes - KAFKA_FRAMING_BYTES
        for part in slices(entities, batch):
            messages = notification_messages(entity_create(part, user), 0, limit)
            publish(client, messages)
        result = wait_until_visible(client, entities, timeout=600)
    assert len(result.guids) == len(entities), "atlas-ml kafka: not every entity arrived"


KAFKA_BOOTSTRAP = ["127.0.0.1:29027"]
PEERS_TUNED = ("pyapacheatlas, batch_size", "apache-atlas, per slice")
LIMIT = "requests loop (d)"
RUNNERS: dict[str, Callable[[str, str, str, list[Entity], int], None]] = {
    ATLAS_ML: run_atlas_ml,
    "atlas-ml, 1 worker": run_atlas_ml_sequential,
    PEERS_DOCUMENTED[0]: run_pyapacheatlas_documented,
    PEERS_DOCUMENTED[1]: run_apache_atlas_documented,
    PEERS_TUNED[0]: run_pyapacheatlas,
    PEERS_TUNED[1]: run_apache_atlas,
    LIMIT: run_requests,
    "atlas-ml, kafka (e)": run_atlas_ml_kafka,
}
TARGET_VS_PEERS = 1.5
TARGET_VS_LIMIT = 0.9


def push(name: str, args: argparse.Namespace, count: int) -> float | None:
    """Entities/s of one push of ``count`` fresh entities, or None if the client failed."""
    entities = lineage_graph(count)
    started = time.perf_counter()
    try:
        RUNNERS[name](args.url, args.user, args.password, entities, args.batch)
    except Exception as exc:  # a client failing is a result, not a crash of the benchmark
        print(f"  {name:<30} FAILED: {type(exc).__name__}: {str(exc)[:200]}")
        return None
    elapsed = time.perf_counter() - started
    rate = len(entities) / elapsed
    print(f"  {name:<30} {len(entities):>6} entities in {elapsed:7.1f}s = {rate:7.1f}/s")
    return rate


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:5.2f}x (target >= {target}x: {'PASS' if ratio >= target else 'MISS'})"


def report(rates: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(runs) for name, runs in rates.items() if runs}
    limit = medians.get(LIMIT)
    print(f"\n{'client':<30} {'median/s':>9} {'vs (d)':>7}  runs/s")
    for name, median in medians.items():
        vs_limit = f"{median / limit:7.2f}" if limit else f"{'-':>7}"
        runs = ", ".join(f"{rate:.1f}" for rate in rates[name])
        print(f"{name:<30} {median:9.1f} {vs_limit}  {runs}")
    ours = medians.get(ATLAS_ML)
    if ours is None:
        print("\natlas-ml failed: no verdict")
        return
    print()
    for label, peers in (("as documented", PEERS_DOCUMENTED), ("tuned", PEERS_TUNED)):
        best = max((medians[name] for name in peers if name in medians), default=None)
        if best:
            print(f"atlas-ml vs best of (b)/(c), {label}: {verdict(ours / best, TARGET_VS_PEERS)}")
    if limit:
        print(f"atlas-ml vs requests loop (d): {verdict(ours / limit, TARGET_VS_LIMIT)}")
        if ours > limit:
            print(
                "  note: (d) sends one request at a time and atlas-ml keeps up to "
                f"{AtlasConfig().upsert_workers} in flight: a lead over (d) comes from "
                "concurrency, not from a faster single request"
            )
    kafka = medians.get("atlas-ml, kafka (e)")
    if kafka and ours:
        print(f"atlas-ml kafka (e) vs atlas-ml REST: {kafka / ours:5.2f}x (publish to visible)")
    sequential = medians.get("atlas-ml, 1 worker")
    if sequential and limit:
        print(
            f"atlas-ml with 1 worker vs (d): {sequential / limit:5.2f}x "
            "(the same requests one at a time: client overhead plus noise)"
        )


def describe_setup(args: argparse.Namespace) -> str:
    """Machine, server and settings, so a printed table can be compared with another."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        version = requests.get(
            args.url + "/api/atlas/admin/version", auth=(args.user, args.password), timeout=10
        ).json()["Version"]
    except (requests.RequestException, ValueError, KeyError):
        version = "?"
    return (
        f"{dt.date.today()}  {platform.platform()}  nproc={os.cpu_count()}  {cpu}\n"
        f"Atlas {version} at {args.url}; {args.entities} entities per push, "
        f"{args.batch} per request, atlas-ml upsert_workers={AtlasConfig().upsert_workers}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:21000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument(
        "--batch",
        type=int,
        default=AtlasConfig().batch_size,
        help="entities per request, for every client (default: atlas-ml's default)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the table shows medians")
    parser.add_argument("--warmup", type=int, default=500, help="entities per warm-up push")
    parser.add_argument("--only", nargs="*", choices=list(RUNNERS), help="run only these clients")
    parser.add_argument("--kafka", default=KAFKA_BOOTSTRAP[0], help="Atlas's Kafka broker, for (e)")
    args = parser.parse_args()
    KAFKA_BOOTSTRAP[0] = args.kafka
    names = args.only or list(RUNNERS)
    print(describe_setup(args))

    if args.warmup:
        print(f"warm-up ({args.warmup} entities per client):")
        for name in names:
            push(name, args, args.warmup)
    rates: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(args.repeat):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        print(f"round {round_ + 1}/{args.repeat}:")
        for name in order:
            rate = push(name, args, args.entities)
            if rate is not None:
                rates[name].append(rate)
    report(rates)


if __name__ == "__main__":
    main()
