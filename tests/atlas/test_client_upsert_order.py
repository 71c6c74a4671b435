"""Concurrent bulk upserts against the real Atlas keep name references resolvable."""

from __future__ import annotations

import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.server.endpoint import AtlasEndpoint

pytestmark = pytest.mark.atlas


def by_name(name: str) -> dict:
    return {"typeName": "DataSet", "uniqueAttributes": {"qualifiedName": name}}


def named_chain(prefix: str, links: int) -> list[dict]:
    """d0, d1, p0, d2, p1, d3, p2, ...: process i reads d<i> and writes d<i+1> by name.

    No placeholders: with one entity per batch, every process refers to a dataset created by
    the batch right before it, which Atlas resolves only once that batch is stored.
    """

    def dataset(i: int) -> dict:
        name = f"{prefix}.d{i}"
        return {"typeName": "DataSet", "attributes": {"qualifiedName": name, "name": name}}

    entities = [dataset(0)]
    for i in range(links):
        entities.append(dataset(i + 1))
        entities.append(
            {
                "typeName": "Process",
                "attributes": {
                    "qualifiedName": f"{prefix}.p{i}",
                    "name": f"p{i}",
                    "inputs": [by_name(f"{prefix}.d{i}")],
                    "outputs": [by_name(f"{prefix}.d{i + 1}")],
                },
            }
        )
    return entities


def test_name_references_across_concurrent_batches_resolve(atlas_server: AtlasEndpoint, unique):
    config = AtlasConfig(
        url=atlas_server.url,
        username=atlas_server.username,
        password=atlas_server.password,
        batch_size=1,
        upsert_workers=4,
    )
    with AtlasClient(config) as client:
        entities = named_chain(unique, 8)
        result = client.entities.upsert(entities)
        assert result.batches == len(entities) == 17
        assert len(result.guids) == 17
        process = client.entities.get(result.guids[f"{unique}.p7"])["entity"]
    inputs = [i["guid"] for i in process["attributes"]["inputs"]]
    outputs = [o["guid"] for o in process["attributes"]["outputs"]]
    assert inputs == [result.guids[f"{unique}.d7"]]
    assert outputs == [result.guids[f"{unique}.d8"]]
