"""Events of producers other than atlas-ml (Airflow, openlineage-spark, dbt...): the pure
mapping to Atlas runs and datasets, and how a run's events fold into one entity."""

from __future__ import annotations

from typing import Any

import pytest

from atlas_ml.events import EventError, parse_event
from atlas_ml.events.facets import PRODUCER, TRANSFORM, facet
from atlas_ml.mapping import map_event
from atlas_ml.mapping.openlineage import fold_run, is_atlas_ml_event
from atlas_ml.naming.openlineage import openlineage_data

pytestmark = pytest.mark.unit

AIRFLOW = "https://github.com/apache/airflow/tree/providers-openlineage/2.0.0"
RUN_ID = "01930c2e-8c1f-7d7e-a4b6-6f1b2f9d3a10"
DAG_RUN_ID = "01930c2e-8c1f-7d7e-a4b6-000000000001"


def _facet(**fields: Any) -> dict[str, Any]:
    return {"_producer": AIRFLOW, "_schemaURL": "https://openlineage.io/spec/facets/x", **fields}


def _event(event_type: str = "COMPLETE", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": event_type,
        "eventTime": "2026-11-25T10:00:00.000000+00:00",
        "producer": AIRFLOW,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID, "facets": {}},
        "job": {"namespace": "airflow", "name": "etl.load"},
        "inputs": [{"namespace": "file", "name": "/data/in.csv"}],
        "outputs": [{"namespace": "sqlite:/tmp/db.sqlite", "name": "main.orders"}],
    }
    event.update(overrides)
    return event


def _by_type(entities: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entity in entities:
        grouped.setdefault(entity["typeName"], []).append(entity)
    return grouped


def _run(entities: list[dict[str, Any]], run_id: str = RUN_ID) -> dict[str, Any]:
    return next(
        e
        for e in entities
        if e["typeName"] == "atlasml_openlineage_run" and e["attributes"].get("runId") == run_id
    )


def test_atlas_ml_events_are_told_apart_from_other_producers() -> None:
    assert is_atlas_ml_event(_event(producer=PRODUCER))
    own_facet = _event()
    own_facet["run"]["facets"] = {TRANSFORM: facet(TRANSFORM, pipeline="p")}
    assert is_atlas_ml_event(own_facet)
    assert not is_atlas_ml_event(_event())
    # an atlas-ml event keeps its own mapping: a transform, not an OpenLineage run
    types = {e["typeName"] for e in map_event(own_facet, "prod").entities}
    assert "atlasml_transform" in types and "atlasml_openlineage_run" not in types


def test_a_run_of_any_producer_is_one_process_named_by_job_and_run_id() -> None:
    grouped = _by_type(map_event(_event(), "prod").entities)
    (run,) = grouped["atlasml_openlineage_run"]
    attributes = run["attributes"]
    assert attributes["qualifiedName"] == f"airflow/etl.load/{RUN_ID}@prod"
    assert attributes["name"] == "etl.load run 01930c2e"
    assert (attributes["state"], attributes["jobName"], attributes["producer"]) == (
        "COMPLETE",
        "etl.load",
        AIRFLOW,
    )
    assert attributes["endTime"] == 1795600800000
    (path,) = grouped["hdfs_path"]
    assert attributes["inputs"] == [{"guid": path["guid"], "typeName": "hdfs_path"}]
    (table,) = grouped["rdbms_table"]
    assert table["attributes"]["qualifiedName"] == "sqlite:/tmp/db.sqlite/main.orders@prod"
    assert attributes["outputs"] == [{"guid": table["guid"], "typeName": "rdbms_table"}]


def test_start_and_complete_of_one_run_map_to_the_same_process() -> None:
    start = _run(map_event(_event("START"), "prod").entities)["attributes"]
    complete = _run(map_event(_event("COMPLETE"), "prod").entities)["attributes"]
    assert start["qualifiedName"] == complete["qualifiedName"]
    assert (start["state"], complete["state"]) == ("RUNNING", "COMPLETE")
    assert "startTime" in start and "endTime" not in start
    # a START announces outputs it has not written: only inputs are recorded from it
    assert "outputs" not in start and len(start["inputs"]) == 1


@pytest.mark.parametrize("event_type", ["FAIL", "ABORT"])
def test_a_failed_run_is_recorded_with_what_it_read_but_no_outputs(event_type: str) -> None:
    event = _event(event_type)
    event["run"]["facets"] = {"errorMessage": _facet(message="boom", programmingLanguage="py")}
    run = _run(map_event(event, "prod").entities)["attributes"]
    assert (run["state"], run["errorMessage"]) == (event_type, "boom")
    assert "outputs" not in run and len(run["inputs"]) == 1


def test_parent_run_facet_links_a_task_run_to_its_dag_run() -> None:
    event = _event()
    event["run"]["facets"] = {
        "parent": _facet(run={"runId": DAG_RUN_ID}, job={"namespace": "airflow", "name": "etl"})
    }
    entities = map_event(event, "prod").entities
    task, dag = _run(entities), _run(entities, DAG_RUN_ID)
    assert dag["attributes"]["qualifiedName"] == f"airflow/etl/{DAG_RUN_ID}@prod"
    assert set(dag["attributes"]) == {"qualifiedName", "name", "runId", "jobNamespace", "jobName"}
    parent = task["relationshipAttributes"]["parentRun"]
    assert parent["guid"] == dag["guid"]
    assert parent["relationshipType"] == "atlasml_openlineage_run_children"


def test_job_facets_describe_the_run() -> None:
    event = _event()
    event["job"]["facets"] = {
        "jobType": _facet(processingType="BATCH", integration="AIRFLOW", jobType="TASK"),
        "sql": _facet(query="INSERT INTO orders SELECT * FROM staging"),
        "documentation": _facet(description="loads orders"),
        "ownership": _facet(owners=[{"name": "team-data"}]),
    }
    event["run"]["facets"] = {
        "nominalTime": _facet(nominalStartTime="2026-11-25T00:00:00Z"),
        "processing_engine": _facet(name="Airflow", version="3.1.0"),
    }
    run = _run(map_event(event, "prod").entities)["attributes"]
    assert run["jobType"] == "BATCH/AIRFLOW/TASK"
    assert run["sqlQuery"].startswith("INSERT INTO orders")
    assert (run["description"], run["owner"]) == ("loads orders", "team-data")
    assert run["processingEngine"] == "Airflow 3.1.0"
    assert run["nominalStartTime"] == 1795564800000


def _field(name: str, column: str, subtype: str) -> dict[str, Any]:
    return {
        "namespace": "file",
        "name": name,
        "field": column,
        "transformations": [{"type": "DIRECT", "subtype": subtype}],
    }


def test_column_lineage_facet_is_one_entity_per_output_column() -> None:
    output = {
        "namespace": "file",
        "name": "/data/out",
        "facets": {
            "columnLineage": _facet(
                fields={
                    "name": {"inputFields": [_field("/data/customers", "name", "IDENTITY")]},
                    "total": {
                        "inputFields": [
                            _field("/data/orders", "price", "AGGREGATION"),
                            _field("/data/orders", "qty", "AGGREGATION"),
                        ]
                    },
                    "loaded_at": {"inputFields": []},
                }
            )
        },
    }
    event = _event(inputs=[{"namespace": "file", "name": "/data/orders"}], outputs=[output])
    grouped = _by_type(map_event(event, "prod").entities)
    columns = {e["attributes"]["name"]: e for e in grouped["atlasml_openlineage_column_lineage"]}
    assert set(columns) == {"name", "total"}
    total = columns["total"]
    assert total["attributes"]["qualifiedName"] == f"airflow/etl.load/{RUN_ID}:total@prod"
    assert total["attributes"]["description"] == (
        "total <- file:/data/orders.price [DIRECT/AGGREGATION]; "
        "file:/data/orders.qty [DIRECT/AGGREGATION]"
    )
    (run,) = grouped["atlasml_openlineage_run"]
    assert total["relationshipAttributes"]["run"]["guid"] == run["guid"]
    paths = {e["attributes"]["qualifiedName"]: e["guid"] for e in grouped["hdfs_path"]}
    # the customers file is not an input of the event, yet feeds a column: it is recorded
    assert columns["name"]["attributes"]["inputs"] == [
        {"guid": paths["file:/data/customers@prod"], "typeName": "hdfs_path"}
    ]
    assert total["attributes"]["outputs"] == [
        {"guid": paths["file:/data/out@prod"], "typeName": "hdfs_path"}
    ]


@pytest.mark.parametrize(
    ("namespace", "name", "type_name", "qualified_name"),
    [
        ("file", "/Data/x.csv", "hdfs_path", "file:/Data/x.csv@prod"),  # case kept
        ("hdfs://nn:8020", "/warehouse/t", "hdfs_path", "hdfs://nn:8020/warehouse/t@prod"),
        ("s3://bucket", "events/2026", "aws_s3_v2_directory", "s3://bucket/events/2026@prod"),
        ("postgres://db:5432", "shop.public.orders", "rdbms_table", None),
        ("kafka://broker:9092", "Orders", "kafka_topic", "orders@prod"),
        ("hive://metastore:9083", "sales.orders", "atlasml_openlineage_dataset", None),
        ("bigquery", "proj.ds.t", "atlasml_openlineage_dataset", "bigquery/proj.ds.t@prod"),
    ],
)
def test_datasets_are_named_by_the_openlineage_naming_spec(
    namespace: str, name: str, type_name: str, qualified_name: str | None
) -> None:
    dataset = openlineage_data(namespace, name, "prod")
    assert dataset.type_name == type_name
    if qualified_name is not None:
        assert dataset.qualified_name == qualified_name


def test_a_hive_dataset_links_the_hive_hooks_table_when_atlas_has_it() -> None:
    event = _event(inputs=[{"namespace": "hive://metastore:9083", "name": "sales.orders"}])
    changes = map_event(event, "prod")
    assert ("hive_table", "sales.orders@prod") in changes.optional_references
    run = _run(changes.entities)["attributes"]
    generic = next(e for e in changes.entities if e["typeName"] == "atlasml_openlineage_dataset")
    assert generic["attributes"]["olName"] == "sales.orders"
    assert {"guid": generic["guid"], "typeName": "atlasml_openlineage_dataset"} in run["inputs"]


def test_dataset_and_job_events_are_accepted_and_mapped() -> None:
    dataset_event = {
        "eventTime": "2026-11-25T10:00:00Z",
        "producer": AIRFLOW,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {"namespace": "bigquery", "name": "p.d.t"},
    }
    (entity,) = map_event(parse_event(str(dataset_event).replace("'", '"')), "prod").entities
    assert entity["attributes"]["qualifiedName"] == "bigquery/p.d.t@prod"
    job_event = _event()
    del job_event["run"], job_event["eventType"]
    (job,) = _by_type(map_event(job_event, "prod").entities)["atlasml_openlineage_run"]
    assert job["attributes"]["qualifiedName"] == "airflow/etl.load@prod"
    with pytest.raises(EventError, match=r"event.dataset.name is missing"):
        map_event({**dataset_event, "dataset": {"namespace": "x"}}, "prod")


def _current(state: str, inputs: list[str], start: int | None = None) -> dict[str, Any]:
    return {
        "attributes": {"qualifiedName": "q", "state": state, "startTime": start},
        "relationshipAttributes": {
            "inputs": [{"guid": g, "typeName": "hdfs_path"} for g in inputs],
            "outputs": [],
        },
    }


def test_folding_keeps_what_earlier_events_recorded() -> None:
    entity = _run(map_event(_event("COMPLETE"), "prod").entities)
    new_inputs = list(entity["attributes"]["inputs"])
    fold_run(_current("RUNNING", ["g-earlier"], start=1), entity)
    assert entity["attributes"]["inputs"] == [
        {"guid": "g-earlier", "typeName": "hdfs_path"},
        *new_inputs,
    ]
    assert entity["attributes"]["state"] == "COMPLETE"


def test_a_late_start_never_turns_a_finished_run_back_to_running() -> None:
    entity = _run(map_event(_event("START"), "prod").entities)
    fold_run(_current("COMPLETE", [], start=1), entity)
    assert "state" not in entity["attributes"], "the COMPLETE state must stay"
    assert "startTime" not in entity["attributes"], "the earliest start must stay"
    first = _run(map_event(_event("START"), "prod").entities)
    fold_run(None, first)
    assert first["attributes"]["state"] == "RUNNING"
