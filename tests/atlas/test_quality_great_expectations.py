"""A real Great Expectations 1.x validation of the housing data recorded as provenance: an
``atlasml_validation`` whose input is the exact dataset version a model trained on, and, on a
corrupted copy, a failed validation naming the failed expectation."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.lineage.read import read_lineage
from atlas_ml.quality import AtlasMLAction, record
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas

HOUSING = Path(__file__).resolve().parents[2] / "examples" / "data" / "housing.csv"


def _validation(context: Any, name: str) -> Any:
    """A suite on the housing data: incomes present, house values within the census cap."""
    asset = context.data_sources.add_pandas(f"{name}-source").add_dataframe_asset("housing")
    batch = asset.add_batch_definition_whole_dataframe("all rows")
    suite = context.suites.add(gx.ExpectationSuite(name=f"{name}-suite"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="median_income"))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="median_house_value", min_value=0, max_value=500001
        )
    )
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}-validation", data=batch, suite=suite)
    )


def _entity(client: AtlasClient, guid: str) -> dict[str, Any]:
    return client.entities.get(guid)["entity"]


def _validations_of(client: AtlasClient, version_guid: str) -> list[dict[str, Any]]:
    """What explain/trace/audit read: the dataset version's ``validations`` relationship."""
    refs = _entity(client, version_guid)["relationshipAttributes"]["validations"]
    return [
        _entity(client, ref["guid"]) for ref in refs if ref.get("relationshipStatus") != "DELETED"
    ]


def test_a_passing_validation_hangs_off_the_dataset_version_the_model_trained_on(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = tmp_path / "housing.csv"
    shutil.copyfile(HOUSING, csv)
    spool = Spool(tmp_path / "spool")
    with training_run(f"{unique}-housing", client=atlas_client, spool=spool) as run:
        trained_on = run.use(csv, role="train")
    definition = _validation(gx.get_context(mode="ephemeral"), unique)

    result = definition.run(batch_parameters={"dataframe": pd.read_csv(csv)})
    recorded = record(result, dataset=csv, client=atlas_client, spool=spool)
    again = record(result, dataset=csv, client=atlas_client, spool=spool)

    assert result.success and recorded.summary.success
    assert recorded.delivery is not None and recorded.delivery.delivered == 1
    assert run.delivery is not None
    version_guid = next(
        g for q, g in run.delivery.guids.items() if q.startswith(f"{trained_on.location}#")
    )
    (validation,) = _validations_of(atlas_client, version_guid)  # the re-record is the same one
    assert again.event["run"]["runId"] == recorded.event["run"]["runId"]
    attributes = validation["attributes"]
    assert validation["typeName"] == "atlasml_validation"
    assert attributes["suite"] == f"{unique}-suite" and attributes["success"] is True
    assert attributes["statistics"]["evaluated_expectations"] == 2.0
    assert attributes["statistics"]["success_percent"] == 100.0
    assert attributes["tool"].startswith("great_expectations 1.")
    assert [i["guid"] for i in attributes["inputs"]] == [version_guid]
    # a reader with no outputs: 'atlas-ml lineage --downstream' adds it to Atlas's graph
    downstream = read_lineage(atlas_client, version_guid, depth=1, downstream=True)
    assert validation["guid"] in downstream.graph.find("atlasml_validation")


def test_a_gx_checkpoint_action_records_a_failed_expectation_on_a_corrupted_copy(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    corrupted = tmp_path / "housing-corrupted.csv"
    frame = pd.read_csv(HOUSING)
    frame.loc[frame.index[:3], "median_house_value"] = 9_999_999.0
    frame.to_csv(corrupted, index=False)
    context = gx.get_context(mode="ephemeral")
    definition = _validation(context, unique)
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{unique}-checkpoint",
            validation_definitions=[definition],
            actions=[AtlasMLAction(name="atlas-ml", dataset=str(corrupted))],
        )
    )

    outcome = checkpoint.run(batch_parameters={"dataframe": pd.read_csv(corrupted)})

    assert not outcome.success
    validations = _find_validations(atlas_client, f"{unique}-suite")
    (validation,) = validations
    attributes = validation["attributes"]
    assert attributes["success"] is False
    assert attributes["statistics"]["unsuccessful_expectations"] == 1.0
    (failed,) = attributes["failedExpectations"]
    assert failed.startswith(
        "expect_column_values_to_be_between(column=median_house_value, min_value=0.0, "
        "max_value=500001.0): 3 of 20640 unexpected, e.g. [9999999.0"
    )
    (dataset,) = attributes["inputs"]
    version_entity = _entity(atlas_client, dataset["guid"])
    assert version_entity["attributes"]["uri"].endswith("/housing-corrupted.csv")
    assert version_entity["attributes"]["rowCount"] == 20640


def _find_validations(client: AtlasClient, suite: str) -> list[dict[str, Any]]:
    filters = {"attributeName": "suite", "operator": "eq", "attributeValue": suite}
    headers = client.search.basic("atlasml_validation", entity_filters=filters, limit=10)
    return [_entity(client, header["guid"]) for header in headers]
