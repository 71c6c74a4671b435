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
    PRODUCER,
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
        "producer": PRODUCER,  # atlas-ml's own events (other producers: test_mapping_openlineage)
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


def test_local_files_keep_the_case_of_their_path_as_atlas_hooks_do_by_default() -> None:
    entity = physical_dataset("/Data/Raw/Titanic.csv", "prod")
    assert entity.type_name == "hdfs_path"
    assert entity.qualified_name == "file:/Data/Raw/Titanic.csv@prod"
    hdfs = physical_dataset("HDFS://NameNode:8020/Data/X", "prod")
    assert hdfs.qualified_name == "hdfs://namenode:8020/Data/X@prod"
    s3 = physical_dataset("s3a://Bucket/Events/2026/", "prod")
    assert (s3.type_name, s3.qualified_name) == (
        "aws_s3_v2_directory",
        "s3a://bucket/Events/2026@prod",
    )


def test_convert_to_lowercase_lowers_hdfs_paths_but_not_object_store_paths() -> None:
    lowered = physical_dataset("/Data/Raw/Titanic.csv", "prod", lower_case=True)
    assert lowered.qualified_name == "file:/data/raw/titanic.csv@prod"
    assert lowered.attributes["path"] == "file:/data/raw/titanic.csv"
    s3 = physical_dataset("s3a://Bucket/Events/2026/", "prod", lower_case=True)
    assert s3.qualified_name == "s3a://bucket/Events/2026@prod"


def test_paths_differing_in_case_map_to_two_path_entities_unless_lowercase_is_set() -> None:
    def paths(lowercase: bool) -> set[str]:
        inputs = [{"namespace": "file", "name": "/d/Up/x.csv"}]
        outputs = [{"namespace": "file", "name": "/d/up/x.csv"}]
        changes = map_event(
            _event(inputs=inputs, outputs=outputs), "prod", lowercase_paths=lowercase
        )
        return set(changes.names("hdfs_path"))

    assert paths(False) == {"file:/d/Up/x.csv@prod", "file:/d/up/x.csv@prod"}
    assert paths(True) == {"file:/d/up/x.csv@prod"}


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


def test_a_partition_folder_read_is_linked_from_its_table_folder() -> None:
    version = facet(DATASET_VERSION, manifestRootHash="sha256:" + "cd" * 32)
    part = {
        "namespace": "hdfs://nn:8020",
        "name": "/w/sales/year=2024/Month=1",
        "facets": {DATASET_VERSION: version},
    }
    grouped = _by_type(map_event(_event(inputs=[part]), "prod").entities)
    paths = {e["attributes"]["qualifiedName"]: e["guid"] for e in grouped["hdfs_path"]}
    assert set(paths) == {
        "hdfs://nn:8020/w/sales@prod",
        "hdfs://nn:8020/w/sales/year=2024/Month=1@prod",
    }
    [partition] = [
        t["attributes"]
        for t in grouped["atlasml_transform"]
        if t["attributes"]["name"].startswith("partition")
    ]
    assert partition["name"] == "partition year=2024/Month=1 of sales"
    assert partition["inputs"][0]["guid"] == paths["hdfs://nn:8020/w/sales@prod"]
    assert partition["outputs"][0]["guid"] == paths["hdfs://nn:8020/w/sales/year=2024/Month=1@prod"]


def test_only_partition_folders_that_are_read_get_a_table_link() -> None:
    event = _event(
        inputs=[{"namespace": "file", "name": "/d/city_stats"}],
        outputs=[{"namespace": "file", "name": "/d/parted/city=Oslo"}],
    )
    grouped = _by_type(map_event(event, "prod").entities)
    [step] = grouped["atlasml_transform"]
    assert step["attributes"]["name"] == "atlas-ml.pipe.clean"
    assert {e["attributes"]["path"] for e in grouped["hdfs_path"]} == {
        "file:/d/city_stats",
        "file:/d/parted/city=Oslo",
    }


def _file_version(name: str, **hashes: str) -> dict[str, Any]:
    version = facet(DATASET_VERSION, uri=f"file:{name}", **hashes)
    raw = {"namespace": "file", "name": name, "facets": {DATASET_VERSION: version}}
    changes = map_event(_event(inputs=[raw]), "prod")
    return _by_type(changes.entities)["atlasml_dataset_version"][0]["attributes"]


def test_a_file_version_is_named_by_its_bytes_so_the_same_rows_rewritten_are_another() -> None:
    rows = "c" * 32
    original = _file_version("/d/x.csv", contentHash=rows, manifestRootHash="sha256:" + "ab" * 32)
    reordered = _file_version("/d/x.csv", contentHash=rows, manifestRootHash="sha256:" + "cd" * 32)

    assert original["qualifiedName"] == "file:/d/x.csv#abababababababab@prod"
    assert reordered["qualifiedName"] == "file:/d/x.csv#cdcdcdcdcdcdcdcd@prod"
    assert original["name"] == "x.csv@abababababab"
    assert original["contentHash"] == reordered["contentHash"] == rows


def test_a_file_version_keeps_the_case_of_its_path_even_where_its_hdfs_path_lowers_it() -> None:
    hashes = {"manifestRootHash": "sha256:" + "ab" * 32}
    upper = _file_version("/d/Data.csv", **hashes)
    lower = _file_version("/d/data.csv", **hashes)

    assert upper["qualifiedName"] == "file:/d/Data.csv#abababababababab@prod"
    assert lower["qualifiedName"] == "file:/d/data.csv#abababababababab@prod"
    assert upper["uri"] == "file:/d/Data.csv"
    path = physical_dataset("/d/Data.csv", "prod", lower_case=True)
    assert path.qualified_name == physical_dataset("/d/data.csv", "prod").qualified_name


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


@pytest.mark.parametrize("event_type", ["FAIL", "ABORT"])
def test_a_failed_spark_write_or_step_is_no_lineage(event_type: str) -> None:
    event = _event(
        eventType=event_type,
        outputs=[{"namespace": "file", "name": "/tmp/existing.csv"}],
        inputs=[{"namespace": "file", "name": "/tmp/in.csv"}],
    )
    event["run"]["facets"] = {SPARK: facet(SPARK, applicationId="app-1", rootExecutionId=7)}
    assert map_event(event, "prod").entities == []
    event["run"]["facets"] = {}
    assert map_event(event, "prod").entities == []


def test_start_events_map_to_nothing_and_malformed_events_are_named() -> None:
    assert map_event(_event(eventType="START"), "prod").entities == []
    with pytest.raises(EventError, match=r"event.run.runId 'x' is not a UUID"):
        parse_event(
            '{"eventTime": "2026-01-01T00:00:00Z", "producer": "p", "run": {"runId": "x"}, '
            '"job": {}}'
        )
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


def _spark_event(**overrides: Any) -> dict[str, Any]:
    event = _event(**overrides)
    event["run"]["facets"] = {SPARK: facet(SPARK, applicationId="app-1", rootExecutionId=7)}
    return event


def _field(name: str, column: str, kind: str, subtype: str) -> dict[str, Any]:
    return {
        "namespace": "file",
        "name": name,
        "field": column,
        "transformations": [{"type": kind, "subtype": subtype}],
    }


def test_column_lineage_is_one_spark_column_lineage_per_output_column() -> None:
    lineage = {
        "fields": {
            "name": {"inputFields": [_field("/d/customers", "name", "DIRECT", "IDENTITY")]},
            "total": {
                "inputFields": [
                    _field("/d/customers", "amount", "DIRECT", "TRANSFORMATION"),
                    _field("/d/orders", "price", "DIRECT", "AGGREGATION"),
                ]
            },
            "loaded_at": {"inputFields": []},
        }
    }
    output = {"namespace": "file", "name": "/d/out", "facets": {"columnLineage": lineage}}
    inputs = [
        {"namespace": "file", "name": "/d/customers"},
        {"namespace": "file", "name": "/d/orders"},
    ]
    grouped = _by_type(map_event(_spark_event(inputs=inputs, outputs=[output]), "prod").entities)
    paths = {e["attributes"]["qualifiedName"]: e["guid"] for e in grouped["hdfs_path"]}
    process = grouped["spark_process"][0]
    columns = {e["attributes"]["qualifiedName"]: e for e in grouped["spark_column_lineage"]}
    assert set(columns) == {"app-1-7@prod:name", "app-1-7@prod:total"}  # a literal has no lineage
    total = columns["app-1-7@prod:total"]
    assert [r["guid"] for r in total["attributes"]["inputs"]] == [
        paths["file:/d/customers@prod"],
        paths["file:/d/orders@prod"],
    ]
    assert [r["guid"] for r in total["attributes"]["outputs"]] == [paths["file:/d/out@prod"]]
    assert total["relationshipAttributes"]["process"] == {
        "guid": process["guid"],
        "typeName": "spark_process",
        "relationshipType": "spark_process_column_lineages",
    }
    assert total["attributes"]["description"] == (
        "total <- file:/d/customers.amount [DIRECT/TRANSFORMATION]; "
        "file:/d/orders.price [DIRECT/AGGREGATION]"
    )


def test_catalog_table_is_an_optional_hive_table_reference_of_the_process() -> None:
    symlinks = facet(
        "symlinks", identifiers=[{"namespace": "spark_catalog", "name": "sales", "type": "TABLE"}]
    )
    output = {"namespace": "file", "name": "/wh/sales", "facets": {"symlinks": symlinks}}
    changes = map_event(_spark_event(outputs=[output]), "prod")
    process = _by_type(changes.entities)["spark_process"][0]
    table = {"typeName": "hive_table", "uniqueAttributes": {"qualifiedName": "default.sales@prod"}}
    assert table in process["attributes"]["outputs"]
    assert changes.optional_references == {("hive_table", "default.sales@prod")}
    assert "hive_table" not in _by_type(changes.entities)  # the Hive hook owns it

    changes.drop_references({("hive_table", "default.sales@prod")})
    assert table not in process["attributes"]["outputs"]
    assert len(process["attributes"]["outputs"]) == 1  # the path still carries the lineage


def test_jdbc_dataset_is_an_rdbms_table_in_its_database_and_instance() -> None:
    output = {"namespace": "postgres://db.example:5432", "name": "sales.public.orders"}
    grouped = _by_type(map_event(_spark_event(outputs=[output]), "prod").entities)
    instance, database, table = (
        grouped["rdbms_instance"][0],
        grouped["rdbms_db"][0],
        grouped["rdbms_table"][0],
    )
    assert table["attributes"]["qualifiedName"] == (
        "postgres://db.example:5432/sales.public.orders@prod"
    )
    assert table["attributes"]["name"] == "orders"
    assert table["relationshipAttributes"]["db"]["guid"] == database["guid"]
    assert database["attributes"]["name"] == "sales.public"
    assert database["relationshipAttributes"]["instance"]["guid"] == instance["guid"]
    assert (instance["attributes"]["hostname"], instance["attributes"]["port"]) == (
        "db.example",
        5432,
    )
    assert instance["attributes"]["rdbms_type"] == "postgres"
    process = grouped["spark_process"][0]
    assert process["attributes"]["outputs"] == [{"guid": table["guid"], "typeName": "rdbms_table"}]
