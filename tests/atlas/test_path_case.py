"""Paths that differ only in case are distinct data in Atlas (issue 13, defect 1).

Atlas's own Hive hook keeps a path's case unless
``atlas.hook.hive.hdfs_path.convert_to_lowercase=true``; atlas-ml follows the same setting, and
still finds the lower-cased entities earlier versions recorded.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fidelity_support import classification_names, model_version, titanic_copy, train_on

from atlas_ml.cli.lineage import command as lineage_command
from atlas_ml.cli.naming import command as naming_command
from atlas_ml.client import AtlasClient

pytestmark = pytest.mark.atlas

PII = {"name": "PII", "basis": "the whole file is about passengers"}


def _cli(client: AtlasClient, command: object, *args: str) -> Result:
    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    return CliRunner(env={"COLUMNS": "400"}).invoke(
        command,  # type: ignore[arg-type]
        [*args, *connection, "--password", str(config.password)],
        catch_exceptions=False,
    )


def _hdfs_path(client: AtlasClient, location: Path) -> dict[str, object]:
    name = f"file:{location}@{client.config.namespace}"
    return client.entities.get_by_unique_attribute("hdfs_path", name)["entity"]


def test_pii_on_one_file_does_not_reach_a_model_trained_on_a_file_differing_in_case(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    upper = titanic_copy(tmp_path / "Up" / "x.csv", unique)
    lower = titanic_copy(tmp_path / "up" / "x.csv", unique, drop_last_rows=1)

    on_upper = train_on(atlas_client, upper, f"{unique}-upper", tmp_path / "s1", classify=PII)
    on_lower = train_on(atlas_client, lower, f"{unique}-lower", tmp_path / "s2")

    assert _hdfs_path(atlas_client, upper)["guid"] != _hdfs_path(atlas_client, lower)["guid"]
    assert _hdfs_path(atlas_client, upper)["attributes"]["path"] == f"file:{upper}"
    assert "PII" in classification_names(model_version(atlas_client, on_upper))
    assert "PII" not in classification_names(model_version(atlas_client, on_lower))


def test_convert_to_lowercase_true_names_both_files_as_the_hive_hook_then_does(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    lowering = AtlasClient(replace(atlas_client.config, lowercase_paths=True))
    upper = titanic_copy(tmp_path / "Up" / "x.csv", unique)
    lower = titanic_copy(tmp_path / "up" / "x.csv", unique, drop_last_rows=1)

    with lowering:
        train_on(lowering, upper, f"{unique}-upper", tmp_path / "s1")
        train_on(lowering, lower, f"{unique}-lower", tmp_path / "s2")

    merged = _hdfs_path(atlas_client, lower)
    producers = merged["relationshipAttributes"]["inputToProcesses"]
    assert len([p for p in producers if p["typeName"] == "atlasml_transform"]) == 2
    outcome = _cli(atlas_client, lineage_command, str(upper))
    assert outcome.exit_code == 0, outcome.output  # found under its lower-cased name


def test_a_path_recorded_lower_cased_by_an_earlier_version_is_still_found_with_a_warning(
    atlas_client: AtlasClient,
    project_types: None,
    unique: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    csv = tmp_path / unique / "Legacy.csv"
    legacy = f"file:{str(csv).lower()}@{atlas_client.config.namespace}"
    atlas_client.entities.upsert(
        [
            {
                "typeName": "hdfs_path",
                "attributes": {"qualifiedName": legacy, "name": "x", "path": "x"},
            }
        ]
    )

    with caplog.at_level(logging.WARNING, logger="atlas_ml.lineage.resolve"):
        outcome = _cli(atlas_client, lineage_command, str(csv))

    assert outcome.exit_code == 0, outcome.output
    assert f"is recorded as {legacy}" in caplog.text
    explained = _cli(atlas_client, naming_command, "explain", str(csv))
    assert explained.exit_code == 0, explained.output
    lines = dict(line.split(":", 1) for line in explained.output.splitlines())
    assert lines["qualifiedName"].strip() == f"file:{csv}@{atlas_client.config.namespace}"
    assert "keeps its case" in lines["rule"]
    assert lines["earlier name"].strip().startswith(legacy)
    assert explained.output.count("in Atlas:") == 2
    assert "in Atlas:      no" in explained.output and "in Atlas:      yes" in explained.output


def test_delivery_warns_when_a_new_path_entity_leaves_the_classified_old_name_behind(
    atlas_client: AtlasClient,
    project_types: None,
    unique: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    csv = titanic_copy(tmp_path / "Old" / f"{unique}.csv", unique)
    legacy = f"file:{str(csv).lower()}@{atlas_client.config.namespace}"
    guid = atlas_client.entities.upsert(
        [
            {
                "typeName": "hdfs_path",
                "attributes": {"qualifiedName": legacy, "name": "x", "path": "x"},
            }
        ]
    ).guids[legacy]
    atlas_client.entities.add_classifications(guid, [{"typeName": "PII", "propagate": True}])

    with caplog.at_level(logging.WARNING, logger="atlas_ml.delivery"):
        train_on(atlas_client, csv, f"{unique}-new", tmp_path / "s1")

    assert (
        f"Atlas has {legacy}, recorded lower-cased by atlas-ml up to 0.1.0 and classified PII"
        in (caplog.text)
    )


def test_naming_explain_reads_the_setting_from_atlas_application_properties(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    properties = tmp_path / "atlas-application.properties"
    properties.write_text("atlas.hook.hive.hdfs_path.convert_to_lowercase=true\n")

    outcome = _cli(
        atlas_client, naming_command, "explain", "/Data/Up/x.csv", "--atlas-conf", str(properties)
    )

    assert outcome.exit_code == 0, outcome.output
    assert f"file:/data/up/x.csv@{atlas_client.config.namespace}" in outcome.output
    assert "convert_to_lowercase=true (from atlas-application.properties)" in outcome.output
    assert "earlier name" not in outcome.output
