"""The pure mapper: events in, Atlas entities out, with the project's naming rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from atlas_ml.events import EventError, parse_event
from atlas_ml.events.facets import (
    CLASSIFICATIONS,
    DATASET_VERSION,
    MODEL_VERSION,
    SPARK,
    TRAINING_RUN,
    TRANSFORM,
    facet,
)
from atlas_ml.mapping import map_event
from atlas_ml.naming import physical_dataset

pytestmark = pytest.mark.unit


def _event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.000Z",
        "producer": "test",
        "run": {"runId": str(uuid.uuid4()), "facets": {}},
        "job": {"namespace": "atlas-ml", "name": "pipe.clean"},
        "inputs": [],
        "outputs": [],
    }
    event.update(overrides)
    return event


def _by_type(entities: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        grouped.setdefault(entity["typeName"], []).append(entity)
    return grouped


def test_local_files_are_named_like_atlas_path_extractor_names_them() -> None:
    entity = physical_dataset("/Data/Raw/Titanic.csv", "prod")
    assert entity.type_name == "hdfs_path"
    assert entity.qualified_name == "file:/data/raw/titanic.csv@prod"
    s3 = physical_dataset("s3a://Bucket/events/2026/", "prod")
    assert (s3.type_name, s3.qualified_name) == (
        "aws_s3_v2_directory",
        "s3a://bucket/events/2026@prod",
    )


def test_file_dataset_version_is_connected_to_its_physical_path_by_an_ingest_transform() -> None:
    version = facet(DATASET_VERSION, manifestRootHash="sha256:" + "ab" * 32, uri="file:/d/x.csv")
    raw = {"namespace": "file", "name": "/d/x.csv", "facets": {DATASET_VERSION: version}}
    changes = map_event(_event(inputs=[raw]), "prod")
    grouped = _by_type(changes.entities)
    path = grouped["hdfs_path"][0]
    dataset_version = grouped["atlasml_dataset_version"][0]
    ingest, step = grouped["atlasml_transform"]
    assert dataset_version["attributes"]["qualifiedName"] == "file:/d/x.csv#abababababababab@prod"
    assert dataset_version["attributes"]["snapshotOf"]["guid"] == path["guid"]
    assert ingest["attributes"]["stepKind"] == "INGEST"
    assert ingest["attributes"]["inputs"] == [{"guid": path["guid"], "typeName": "hdfs_path"}]
    assert step["attributes"]["inputs"][0]["guid"] == dataset_version["guid"]


def test_same_step_over_same_versions_maps_to_the_same_transform_name() -> None:
    version = facet(DATASET_VERSION, contentHash="c" * 32)
    data = {"namespace": "memory", "name": "pipe/clean", "facets": {DATASET_VERSION: version}}
    first = map_event(_event(outputs=[data]), "prod")
    second = map_event(_event(outputs=[data]), "prod")
    assert first.names("atlasml_transform") == second.names("atlasml_transform")
    changed = {**data, "facets": {DATASET_VERSION: facet(DATASET_VERSION, contentHash="d" * 32)}}
    assert map_event(_event(outputs=[changed]), "prod").names("atlasml_transform") != first.names(
        "atlasml_transform"
    )


def test_training_run_with_model_version_and_failed_status() -> None:
    model = {
        "namespace": "file",
        "name": "/m/model.joblib",
        "facets": {MODEL_VERSION: facet(MODEL_VERSION, model="churn", artifactSha256="f" * 64)},
    }
    run_facet = facet(TRAINING_RUN, pipeline="churn", parameters={"depth": 3}, metrics={"auc": 1})
    event = _event(eventType="FAIL", outputs=[model])
    event["run"]["facets"] = {TRAINING_RUN: run_facet}
    grouped = _by_type(map_event(event, "prod").entities)
    run = grouped["atlasml_training_run"][0]["attributes"]
    assert run["status"] == "FAILED"
    assert run["parameters"] == {"depth": "3"}
    assert run["metrics"] == {"auc": 1.0}
    version = grouped["atlasml_model_version"][0]
    assert version["attributes"]["qualifiedName"] == "churn#ffffffffffffffff@prod"
    assert (
        version["relationshipAttributes"]["model"]["relationshipType"] == "atlasml_model_versions"
    )


def test_classifications_of_raw_files_go_on_the_physical_path() -> None:
    facets = {
        DATASET_VERSION: facet(DATASET_VERSION, manifestRootHash="sha256:" + "0" * 64),
        CLASSIFICATIONS: facet(
            CLASSIFICATIONS, classifications=[{"name": "PII", "attributes": {"columns": ["Name"]}}]
        ),
    }
    raw = {"namespace": "file", "name": "/d/people.csv", "facets": facets}
    changes = map_event(_event(inputs=[raw]), "prod")
    (request,) = changes.classifications
    assert (request.type_name, request.qualified_name) == ("hdfs_path", "file:/d/people.csv@prod")
    assert request.classification()["attributes"] == {"columns": ["Name"]}


def test_spark_event_becomes_a_spark_process_under_its_application() -> None:
    event = _event(
        outputs=[{"namespace": "hdfs://nn:8020", "name": "/warehouse/out"}],
        inputs=[{"namespace": "file", "name": "/tmp/in.csv"}],
    )
    event["run"]["facets"] = {SPARK: facet(SPARK, applicationId="app-1", rootExecutionId=7)}
    grouped = _by_type(map_event(event, "prod").entities)
    process = grouped["spark_process"][0]["attributes"]
    assert process["qualifiedName"] == "app-1-7@prod"
    assert process["application"]["guid"] == grouped["spark_application"][0]["guid"]
    outputs = {e["attributes"]["qualifiedName"] for e in grouped["hdfs_path"]}
    assert outputs == {"hdfs://nn:8020/warehouse/out@prod", "file:/tmp/in.csv@prod"}


def test_start_events_map_to_nothing_and_malformed_events_are_named() -> None:
    assert map_event(_event(eventType="START"), "prod").entities == []
    with pytest.raises(EventError, match=r"event.run.runId 'x' is not a UUID"):
        parse_event('{"eventTime": "t", "producer": "p", "run": {"runId": "x"}, "job": {}}')
    with pytest.raises(EventError, match=r"event.inputs\[0\].name is missing"):
        map_event(_event(inputs=[{"namespace": "file"}]), "prod")
    with pytest.raises(EventError, match="limit"):
        parse_event(b"{" + b" " * (9 * 1024 * 1024) + b"}")


def test_transform_facet_reasoning_reaches_the_entity() -> None:
    event = _event()
    event["run"]["facets"] = {
        TRANSFORM: facet(TRANSFORM, pipeline="pipe", stepKind="CLEAN", reasoning="drop nulls")
    }
    (step,) = map_event(event, "prod").entities
    assert step["attributes"]["reasoning"] == "drop nulls"
    assert step["attributes"]["name"] == "pipe.clean"
    assert step["attributes"]["stepKind"] == "CLEAN"
