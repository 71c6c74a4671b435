"""atlas-ml's facets are typed classes with a committed JSON Schema each, and what the Python
producers write validates against those schemas and OpenLineage's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import jsonschema
import pandas as pd
import pytest
from openlineage_schema import RUN_EVENT_SCHEMA
from sklearn.tree import DecisionTreeClassifier

from atlas_ml.delivery import Spool
from atlas_ml.events import validate_event
from atlas_ml.events.facet_schemas import check_facets, facet_schema, render
from atlas_ml.events.facets import (
    CUSTODY,
    DATASET_VERSION,
    FACET_CLASSES,
    PIPELINE_RUN,
    SCHEMA_BASE,
    SPARK,
    VALIDATION,
    DatasetVersionFacet,
    facet,
)
from atlas_ml.events.run_events import model_version_dataset
from atlas_ml.fingerprints.artifacts import ModelArtifact
from atlas_ml.tracking import pipeline_run, training_run

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "atlas_ml" / "events" / "schemas"


def test_every_facet_class_has_its_schema_committed_as_generated() -> None:
    assert {p.stem for p in SCHEMAS.glob("*.json")} == set(FACET_CLASSES)
    for name, cls in FACET_CLASSES.items():
        committed = (SCHEMAS / f"{name}.json").read_text()
        assert committed == render(facet_schema(cls)), (
            f"{name}.json is out of date: run .venv/bin/python tools/generate_facet_schemas.py"
        )


def test_every_committed_schema_is_a_valid_draft_2020_12_schema() -> None:
    for path in SCHEMAS.glob("*.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_schema_url_of_every_facet_is_its_schema_file_in_the_repository() -> None:
    assert SCHEMA_BASE.endswith("/main/atlas_ml/events/schemas")
    for name, cls in FACET_CLASSES.items():
        url = facet(name)["_schemaURL"]
        assert url == cls.schema_url() == f"{SCHEMA_BASE}/{name}.json"
        assert (REPO / url.split("/main/", 1)[1]).is_file()
        assert json.loads((SCHEMAS / f"{name}.json").read_text())["$id"] == url


def test_a_field_added_to_a_facet_class_is_in_its_schema_and_its_json() -> None:
    @dataclass(kw_only=True)
    class WithSha(DatasetVersionFacet):
        NAME: ClassVar[str] = DATASET_VERSION

        fileSha256: str | None = None
        """sha256 of the file, when the version is one file."""

    schema = facet_schema(WithSha)
    assert schema["properties"]["fileSha256"] == {
        "description": "sha256 of the file, when the version is one file.",
        "type": ["string", "null"],
    }
    assert WithSha(fileSha256="ab" * 32, rowCount=3).to_dict() == {
        "_producer": "https://github.com/atlas-ml/atlas-ml",
        "_schemaURL": f"{SCHEMA_BASE}/atlasml_datasetVersion.json",
        "rowCount": 3,
        "fileSha256": "ab" * 32,
    }


def test_facet_refuses_a_field_its_class_does_not_declare_and_says_where_to_add_it() -> None:
    with pytest.raises(TypeError, match=r"no field rowcount: declare it in DatasetVersionFacet"):
        facet(DATASET_VERSION, rowcount=3)


def test_facet_of_a_name_atlas_ml_does_not_define_is_a_base_facet() -> None:
    symlinks = facet("symlinks", identifiers=[{"namespace": "hive", "name": "db.t"}])
    assert symlinks["_schemaURL"].endswith("OpenLineage.json#/$defs/BaseFacet")
    assert symlinks["identifiers"] == [{"namespace": "hive", "name": "db.t"}]


def test_check_facets_names_each_field_that_breaks_a_schema() -> None:
    event = {
        "run": {"facets": {SPARK: facet(SPARK, applicationId="app", rootExecutionId="seven")}},
        "outputs": [
            {"facets": {DATASET_VERSION: {**facet(DATASET_VERSION), "rowcount": 3}}},
            {"facets": {"symlinks": {"anything": True}}},
        ],
    }
    problems = check_facets(event)
    assert "run.facets.atlasml_spark.rootExecutionId: 'seven' is not of type 'integer'" in problems
    assert any(p.startswith("run.facets.atlasml_spark: 'appName' is a required") for p in problems)
    assert any(
        p.startswith("outputs[0].facets.atlasml_datasetVersion: Additional properties")
        and "'rowcount'" in p
        for p in problems
    )
    assert not any("symlinks" in p for p in problems)


def test_model_version_dataset_keeps_its_json_shape() -> None:
    artifact = ModelArtifact(Path("/m/model.pkl"), "f" * 64, "sklearn", "1.5.0")
    assert model_version_dataset("churn", artifact) == {
        "namespace": "file",
        "name": "/m/model.pkl",
        "facets": {
            "atlasml_modelVersion": {
                "_producer": "https://github.com/atlas-ml/atlas-ml",
                "_schemaURL": f"{SCHEMA_BASE}/atlasml_modelVersion.json",
                "model": "churn",
                "artifactSha256": "f" * 64,
                "artifactUri": "file:///m/model.pkl",
                "framework": "sklearn",
                "frameworkVersion": "1.5.0",
                "artifactLocations": ["file:///m/model.pkl"],
            }
        },
    }


def test_every_event_of_a_training_run_validates_against_openlineage_and_the_facets(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "people.csv"
    pd.DataFrame({"name": ["Ann", "Bo", "Cy"], "age": [31, 47, 22], "y": [0, 1, 0]}).to_csv(
        raw, index=False
    )
    spool = Spool(tmp_path / "spool")
    with training_run("people", team="risk", deliver=False, spool=spool) as run:
        source = run.dataset(raw, origin="survey", licence="CC-BY").classify(
            "PII", columns=["name"]
        )
        frame = pd.read_csv(raw)
        clean = frame.drop(columns=["name"])
        run.step(
            "clean", inputs=[source], outputs={"clean": clean}, reason="no names", kind="CLEAN"
        )
        run.use(clean, role="train")
        run.log_params(max_depth=2)
        model = DecisionTreeClassifier(max_depth=2).fit(clean[["age"]], clean["y"])
        run.log_model(model)
        run.log_metrics(accuracy=1.0, dataset=clean, role="test", model=model)

    events = [json.loads(path.read_text()) for path in spool.pending()]
    assert len(events) == 3  # the step, the run, the evaluation
    facet_names = {
        name
        for event in events
        for container in [event["run"], *event["inputs"], *event["outputs"]]
        for name in container["facets"]
    }
    # every Python-made facet is checked: custody and validation facets in the tests below
    assert set(FACET_CLASSES) - facet_names == {SPARK, CUSTODY, VALIDATION, PIPELINE_RUN}
    checker = jsonschema.Draft202012Validator(
        RUN_EVENT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for event in events:
        validate_event(event)
        checker.validate(event)
        assert check_facets(event) == []
        for container in [*event["inputs"], *event["outputs"]]:
            if "schema" in container["facets"]:
                assert container["facets"]["schema"]["_schemaURL"].startswith(
                    "https://openlineage.io/spec/facets/"
                )


def test_a_signed_run_and_a_validation_write_facets_their_schemas_accept(
    tmp_path: Path, signing: object
) -> None:
    from atlas_ml.quality import record

    spool = Spool(tmp_path / "spool")
    with training_run("signed", team="risk", deliver=False, spool=spool) as run:
        run.log_params(depth=2)
    with pipeline_run("etl", team="risk", deliver=False, spool=spool) as etl:
        etl.log_params(days=2)
    result = {
        "success": False,
        "statistics": {"evaluated_expectations": 1, "unsuccessful_expectations": 1},
        "meta": {"expectation_suite_name": "people", "run_id": {"run_name": "r1"}},
        "results": [
            {
                "success": False,
                "expectation_config": {
                    "type": "expect_column_values_to_not_be_null",
                    "kwargs": {"column": "age"},
                },
                "result": {"unexpected_count": 1, "partial_unexpected_list": [None]},
            }
        ],
    }
    data = tmp_path / "people.csv"
    pd.DataFrame({"age": [1, None]}).to_csv(data, index=False)
    record(result, data, spool=spool, deliver=False)

    events = [json.loads(path.read_text()) for path in spool.pending()]
    names = {name for event in events for name in event["run"]["facets"]}
    assert {CUSTODY, VALIDATION, PIPELINE_RUN} <= names
    for event in events:
        assert check_facets(event) == []
