"""push_bulk's merge of many events' changes: every entity once, references re-pointed,
and levels in which each entity refers only to entities of earlier levels, by name."""

from __future__ import annotations

import json

import pytest

from atlas_ml.delivery.bulk import by_depth, merge_changes
from atlas_ml.events import parse_event
from atlas_ml.mapping import AtlasChanges, map_event

pytestmark = pytest.mark.unit


def training_event(run_id: str, model_sha: str, data: str) -> AtlasChanges:
    version = {
        "_producer": "p",
        "_schemaURL": "s",
        "manifestRootHash": "ab" * 32,
        "contentHash": "cd" * 16,
        "uri": f"file:{data}",
    }
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2025-01-01T00:00:00Z",
        "producer": "p",
        "schemaURL": "s",
        "run": {
            "runId": run_id,
            "facets": {
                "atlasml_trainingRun": {
                    "_producer": "p",
                    "_schemaURL": "s",
                    "pipeline": "churn",
                    "team": "risk",
                }
            },
        },
        "job": {"namespace": "atlas-ml", "name": "churn"},
        "inputs": [
            {"namespace": "file", "name": data, "facets": {"atlasml_datasetVersion": version}}
        ],
        "outputs": [
            {
                "namespace": "atlas-ml",
                "name": "churn",
                "facets": {
                    "atlasml_modelVersion": {
                        "_producer": "p",
                        "_schemaURL": "s",
                        "model": "churn",
                        "artifactSha256": model_sha,
                    }
                },
            }
        ],
    }
    return map_event(parse_event(json.dumps(event)), "test")


def test_an_entity_many_events_name_is_sent_once_and_every_reference_points_at_it() -> None:
    first = training_event("00000000-0000-0000-0000-000000000001", "11" * 32, "/data/f.csv")
    second = training_event("00000000-0000-0000-0000-000000000002", "22" * 32, "/data/f.csv")
    merged = merge_changes([first, second])
    keys = [(e["typeName"], e["attributes"]["qualifiedName"]) for e in merged.entities]
    assert len(keys) == len(set(keys))
    by_type = {}
    for entity in merged.entities:
        by_type.setdefault(entity["typeName"], []).append(entity)
    assert len(by_type["atlasml_training_run"]) == 2
    assert len(by_type["atlasml_dataset_version"]) == 1
    assert len(by_type["atlasml_model"]) == 1
    version_guid = by_type["atlasml_dataset_version"][0]["guid"]
    for run in by_type["atlasml_training_run"]:
        assert [r["guid"] for r in run["attributes"]["inputs"]] == [version_guid]


def test_levels_refer_only_to_earlier_levels_and_by_qualified_name() -> None:
    merged = merge_changes(
        [
            training_event("00000000-0000-0000-0000-000000000001", "11" * 32, "/data/f.csv"),
            training_event("00000000-0000-0000-0000-000000000002", "22" * 32, "/data/g.csv"),
        ]
    )
    levels = by_depth(merged.entities)
    sent: set[str] = set()
    for level in levels:
        references = json.dumps(
            [[e.get("attributes"), e.get("relationshipAttributes")] for e in level]
        )
        assert '"guid": "-' not in references  # no placeholder crosses a request
        for entity in level:
            for name in _referenced(entity):
                assert name in sent, f"{name} referenced before it was sent"
        sent.update(e["attributes"]["qualifiedName"] for e in level)
    assert sum(len(level) for level in levels) == len(merged.entities)
    assert {e["typeName"] for e in levels[-1]} == {"atlasml_training_run", "atlasml_transform"}


def _referenced(entity: dict) -> list[str]:
    found = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            unique = value.get("uniqueAttributes")
            if isinstance(unique, dict) and "qualifiedName" in unique:
                found.append(unique["qualifiedName"])
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(entity.get("attributes"))
    walk(entity.get("relationshipAttributes"))
    return found
