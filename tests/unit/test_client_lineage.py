"""Walking a lineage graph parsed from Atlas's lineage answer."""

from __future__ import annotations

import pytest

from atlas_ml.client import LineageGraph

pytestmark = pytest.mark.unit


def header(guid: str, type_name: str) -> dict:
    return {"guid": guid, "typeName": type_name, "attributes": {"qualifiedName": f"q-{guid}"}}


@pytest.fixture
def graph() -> LineageGraph:
    # raw -> clean -> features -> train -> model ; raw2 -> clean
    nodes = {
        "raw": "hdfs_path",
        "raw2": "hdfs_path",
        "clean": "atlasml_transform",
        "features": "atlasml_dataset_version",
        "train": "atlasml_training_run",
        "model": "atlasml_model_version",
    }
    edges = [
        ("raw", "clean"),
        ("raw2", "clean"),
        ("clean", "features"),
        ("features", "train"),
        ("train", "model"),
    ]
    return LineageGraph.from_response(
        {
            "baseEntityGuid": "features",
            "guidEntityMap": {g: header(g, t) for g, t in nodes.items()},
            "relations": [
                {"fromEntityId": a, "toEntityId": b, "relationshipId": f"r{i}"}
                for i, (a, b) in enumerate([*edges, ("raw", "clean")])
            ],
        }
    )


def test_upstream_and_downstream(graph):
    assert graph.upstream("model") == ["train", "features", "clean", "raw", "raw2"]
    assert graph.downstream("raw") == ["clean", "features", "train", "model"]
    assert graph.upstream("raw") == []


def test_duplicate_relations_collapse_to_one_edge(graph):
    assert graph.parents("clean") == ["raw", "raw2"]


def test_paths_and_find(graph):
    assert graph.paths("raw2", "model") == [["raw2", "clean", "features", "train", "model"]]
    assert graph.find("hdfs_path") == ["raw", "raw2"]
    assert graph.guid_of("q-train") == "train"
