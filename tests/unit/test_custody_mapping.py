"""A training run's custody facet becomes an attestation linked to the run and its models."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from atlas_ml.events.facets import CUSTODY, MODEL_VERSION, TRAINING_RUN, facet
from atlas_ml.mapping import map_event

pytestmark = pytest.mark.unit

SHA = "a" * 64


def _event(custody: dict[str, Any]) -> dict[str, Any]:
    model = {
        "namespace": "file",
        "name": "/m/model.joblib",
        "facets": {MODEL_VERSION: facet(MODEL_VERSION, model="churn", artifactSha256="f" * 64)},
    }
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.000Z",
        "producer": "test",
        "run": {
            "runId": str(uuid.uuid4()),
            "facets": {TRAINING_RUN: facet(TRAINING_RUN, pipeline="churn"), CUSTODY: custody},
        },
        "job": {"namespace": "atlas-ml", "name": "churn"},
        "inputs": [],
        "outputs": [model],
    }


def test_the_attestation_is_named_by_its_payload_and_linked_to_run_and_model_version() -> None:
    envelope = {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": []}
    custody = facet(
        CUSTODY,
        envelope=envelope,
        payloadSha256=SHA,
        previousSha256="b" * 64,
        sequence=7,
        team="risk",
        keyId="k" * 64,
        signedTime="2026-11-25T10:00:01.000Z",
    )
    changes = map_event(_event(custody), "prod")
    by_guid = {e["guid"]: e for e in changes.entities}
    [attestation] = [e for e in changes.entities if e["typeName"] == "atlasml_attestation"]
    attributes = attestation["attributes"]
    assert attributes["qualifiedName"] == f"attestation#{SHA}@prod"
    assert json.loads(attributes["envelope"]) == envelope
    assert (attributes["sequence"], attributes["team"], attributes["previousSha256"]) == (
        7,
        "risk",
        "b" * 64,
    )
    links = attestation["relationshipAttributes"]
    assert by_guid[links["trainingRun"]["guid"]]["typeName"] == "atlasml_training_run"
    [subject] = links["subjects"]
    assert by_guid[subject["guid"]]["typeName"] == "atlasml_model_version"


def test_a_facet_that_is_no_attestation_is_left_out_and_the_run_still_maps(caplog) -> None:
    changes = map_event(_event(facet(CUSTODY, envelope="x", payloadSha256="nope")), "prod")
    types = {e["typeName"] for e in changes.entities}
    assert "atlasml_attestation" not in types and "atlasml_training_run" in types
    assert "custody facet is not an attestation" in caplog.text
