"""Who owns a Spark job travels from its conf through the listener's events to Atlas."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from atlas_ml.events.facets import SPARK, facet
from atlas_ml.mapping import map_event
from atlas_ml.spark.conf import listener_conf

pytestmark = pytest.mark.unit


def test_team_owner_and_code_become_spark_atlasml_keys_and_unset_ones_are_left_out() -> None:
    conf = listener_conf(Path("/x/listener.jar"), team="risk", owner="a.lee", code_revision="abc")

    assert conf["spark.atlasml.team"] == "risk"
    assert conf["spark.atlasml.owner"] == "a.lee"
    assert conf["spark.atlasml.code.revision"] == "abc"
    assert "spark.atlasml.code.reference" not in conf


def test_the_spark_application_and_process_carry_the_jobs_provenance() -> None:
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-01T10:00:00.000Z",
        "producer": "test",
        "run": {
            "runId": str(uuid.uuid4()),
            "facets": {
                SPARK: facet(
                    SPARK,
                    applicationId="app-1",
                    rootExecutionId=3,
                    team="risk",
                    codeRevision="abc",
                )
            },
        },
        "job": {"namespace": "spark", "name": "etl.write.out"},
        "inputs": [],
        "outputs": [{"namespace": "file", "name": "/d/out"}],
    }
    changes = map_event(event, "prod")

    owners = {e["typeName"]: e["attributes"].get("owner") for e in changes.entities}
    assert owners["spark_application"] == owners["spark_process"] == "risk"
    assert {(r.type_name, r.name) for r in changes.business_metadata} == {
        ("spark_application", "atlasml_provenance"),
        ("spark_process", "atlasml_provenance"),
    }
    assert all(
        r.attributes == {"team": "risk", "codeRevision": "abc"} for r in changes.business_metadata
    )
