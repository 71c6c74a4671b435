"""The pure mapping of runs, their steps, evaluations and model versions (issue #13)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from atlas_ml.events.facets import (
    DATASET_VERSION,
    EVALUATION,
    MODEL_VERSION,
    PIPELINE_RUN,
    TRANSFORM,
    facet,
)
from atlas_ml.events.run_events import parent_run_facet
from atlas_ml.mapping import map_event

pytestmark = pytest.mark.unit

RUN_ID = str(uuid.uuid4())


def _event(run_facets: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.000Z",
        "producer": "test",
        "run": {"runId": str(uuid.uuid4()), "facets": run_facets},
        "job": {"namespace": "atlas-ml", "name": "pipe.clean"},
        "inputs": [],
        "outputs": [],
    }
    event.update(overrides)
    return event


def _memory(name: str, content: str) -> dict[str, Any]:
    version = facet(DATASET_VERSION, contentHash=content * 32)
    return {"namespace": "memory", "name": name, "facets": {DATASET_VERSION: version}}


def _step(kind: str = "training", run_id: str = RUN_ID) -> dict[str, Any]:
    return _event(
        {
            TRANSFORM: facet(
                TRANSFORM, pipeline="pipe", team="risk", codeFingerprint="f" * 64, runKind=kind
            ),
            "parent": parent_run_facet(run_id, "pipe"),
        },
        inputs=[_memory("pipe/raw", "a")],
        outputs=[_memory("pipe/clean", "b")],
    )


def _of_type(changes: Any, type_name: str) -> list[dict[str, Any]]:
    return [e for e in changes.entities if e["typeName"] == type_name]


@pytest.mark.parametrize(
    ("kind", "type_name"),
    [("training", "atlasml_training_run"), ("pipeline", "atlasml_pipeline_run")],
)
def test_a_step_refers_to_its_run_which_it_creates_until_the_runs_own_event_completes_it(
    kind: str, type_name: str
) -> None:
    changes = map_event(_step(kind), "prod")

    [run] = _of_type(changes, type_name)
    assert run["attributes"] == {
        "qualifiedName": f"pipe.run.{RUN_ID}@prod",
        "name": f"pipe run {RUN_ID[:8]}",
    }
    [step] = _of_type(changes, "atlasml_transform")
    assert step["relationshipAttributes"]["run"] == {
        "guid": run["guid"],
        "typeName": type_name,
        "relationshipType": "atlasml_transform_run",
    }
    assert (step["attributes"]["team"], step["attributes"]["codeFingerprint"]) == ("risk", "f" * 64)


def test_the_same_step_in_another_run_is_another_transform() -> None:
    first = map_event(_step(), "prod").names("atlasml_transform")
    again = map_event(_step(), "prod").names("atlasml_transform")
    other_run = map_event(_step(run_id=str(uuid.uuid4())), "prod").names("atlasml_transform")
    assert first == again != other_run


def test_an_evaluation_reads_the_model_version_and_the_data_and_links_the_version() -> None:
    model = {
        "namespace": "file",
        "name": "/m/model.joblib",
        "facets": {
            MODEL_VERSION: facet(
                MODEL_VERSION,
                model="churn",
                artifactSha256="e" * 64,
                artifactUri="file:///m/model.joblib",
                team="crm",
                compliance={"riskCategory": "HIGH"},
            )
        },
    }
    run_facets = {EVALUATION: facet(EVALUATION, pipeline="churn", metrics={"auc": 0.9})}
    event = _event(run_facets, inputs=[model, _memory("churn/test", "c")])
    changes = map_event(event, "prod")

    [version] = _of_type(changes, "atlasml_model_version")
    [evaluation] = _of_type(changes, "atlasml_evaluation")
    assert evaluation["relationshipAttributes"]["modelVersion"]["guid"] == version["guid"]
    assert [i["typeName"] for i in evaluation["attributes"]["inputs"]] == [
        "atlasml_model_version",
        "atlasml_dataset_version",
    ]
    assert evaluation["attributes"]["metrics"] == {"auc": 0.9}
    assert version["attributes"]["team"] == "crm"
    assert version["attributes"]["artifactLocations"] == ["file:///m/model.joblib"]
    [model_entity] = _of_type(changes, "atlasml_model")
    assert model_entity["attributes"]["team"] == "crm"
    assert {(r.type_name, r.name) for r in changes.business_metadata} == {
        ("atlasml_model", "atlasml_compliance"),
        ("atlasml_model_version", "atlasml_compliance"),
    }


def test_a_failed_pipeline_run_is_recorded_as_failed() -> None:
    run_facets = {PIPELINE_RUN: facet(PIPELINE_RUN, pipeline="etl", status="FAILED", team="web")}
    changes = map_event(_event(run_facets, eventType="FAIL"), "prod")

    [run] = _of_type(changes, "atlasml_pipeline_run")
    assert (run["attributes"]["status"], run["attributes"]["team"]) == ("FAILED", "web")
