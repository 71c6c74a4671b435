"""Ingest throughput: the same lineage graph pushed into a real Atlas by four clients.

(a) atlas-ml's planned bulk upsert, (b) pyapacheatlas ``upload_entities(batch_size=...)``,
(c) the official ``apache-atlas`` client's ``entity.create_entities`` in slices, and
(d) a bare single-connection ``requests`` loop posting the same slices: the server's own
limit. Every run uses fresh qualifiedNames. Needs the ``bench`` extra
(pyapacheatlas, apache-atlas).

    python benchmarks/ingest.py --url http://127.0.0.1:21000 --entities 10000
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

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


def run_atlas_ml(url: str, user: str, password: str, entities: list[Entity], batch: int) -> None:
    from atlas_ml.client import AtlasClient
    from atlas_ml.config import AtlasConfig

    with AtlasClient(AtlasConfig(url=url, username=user, password=password)) as client:
        result = client.entities.upsert(entities, batch_size=batch)
    assert len(result.guids) == len(entities), "atlas-ml: incomplete guid map"


def run_pyapacheatlas(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
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
    client.upload_entities(batch=batch_objects, batch_size=batch)


def run_apache_atlas(
    url: str, user: str, password: str, entities: list[Entity], batch: int
) -> None:
    from apache_atlas.client.base_client import AtlasClient
    from apache_atlas.model.instance import AtlasEntitiesWithExtInfo, AtlasEntity

    client = AtlasClient(url, (user, password))
    for chunk in slices(entities, batch):
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


RUNNERS: dict[str, Callable[[str, str, str, list[Entity], int], None]] = {
    "atlas-ml": run_atlas_ml,
    "pyapacheatlas": run_pyapacheatlas,
    "apache-atlas": run_apache_atlas,
    "requests (server limit)": run_requests,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:21000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200, help="entities per request")
    args = parser.parse_args()

    rates: dict[str, float] = {}
    for name, runner in RUNNERS.items():
        entities = lineage_graph(args.entities)
        started = time.perf_counter()
        try:
            runner(args.url, args.user, args.password, entities, args.batch)
        except Exception as exc:  # a client failing is a result, not a crash of the benchmark
            print(f"{name:<24} FAILED: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        elapsed = time.perf_counter() - started
        rates[name] = len(entities) / elapsed
        print(f"{name:<24} {len(entities):>6} entities in {elapsed:7.1f}s = {rates[name]:7.1f}/s")
    limit = rates.get("requests (server limit)")
    if limit:
        print("\nratio to the plain requests loop (1.00 = the server's own limit):")
        for name, rate in rates.items():
            print(f"  {name:<24} {rate / limit:5.2f}")


if __name__ == "__main__":
    main()
