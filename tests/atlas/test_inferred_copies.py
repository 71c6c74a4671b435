"""A byte-identical copy of classified data made outside any run carries its classifications
(issue 13, defect 8): delivery links it to the original with an inferred COPY step."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fidelity_support import classification_names, entity, model_version, titanic_copy, train_on

from atlas_ml.cli.push import command as push_command
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas

PII = {"name": "PII", "basis": "passenger list"}


def _path(client: AtlasClient, location: Path) -> dict[str, Any]:
    return entity(client, "hdfs_path", f"file:{location}@{client.config.namespace}")


def _copy_steps(client: AtlasClient, location: Path) -> list[dict[str, Any]]:
    """The inferred COPY steps that wrote ``location``'s path."""
    producers = _path(client, location)["relationshipAttributes"]["outputFromProcesses"]
    steps = [client.entities.get(p["guid"])["entity"] for p in producers]
    return [s for s in steps if s["attributes"].get("stepKind") == "COPY"]


def test_a_copy_of_a_classified_file_gets_its_classification_through_an_inferred_copy_step(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    original = titanic_copy(tmp_path / "landing" / "passengers.csv", unique)
    train_on(atlas_client, original, f"{unique}-a", tmp_path / "s1", classify=PII)
    copy = tmp_path / "scratch" / "p.csv"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)  # cp: no run saw it

    run = train_on(atlas_client, copy, f"{unique}-b", tmp_path / "s2")

    assert "PII" in classification_names(_path(atlas_client, copy))
    assert "PII" in classification_names(model_version(atlas_client, run))
    (step,) = _copy_steps(atlas_client, copy)
    assert step["attributes"]["inferred"] is True
    evidence = step["attributes"]["evidence"]
    assert "sha256 of the file" in evidence and f"file:{original}#" in evidence
    (source,) = step["relationshipAttributes"]["inputs"]
    assert source["typeName"] == "atlasml_dataset_version"

    # delivering the same events again adds nothing
    spool = tmp_path / "s2"
    for delivered in sorted((spool / "delivered").glob("*.json")):
        shutil.copy(delivered, spool / delivered.name)
    assert push(atlas_client, Spool(spool)).rejected == 0
    assert len(_copy_steps(atlas_client, copy)) == 1


def test_a_copied_folder_is_found_by_its_manifest_root_hash(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    original = tmp_path / "events"
    titanic_copy(original / "part-0.csv", unique)
    titanic_copy(original / "part-1.csv", f"{unique}-1")
    with training_run(unique, client=atlas_client, spool=Spool(tmp_path / "s1")) as run:
        run.use(original, role="raw").classify("UserBehavior")
    copy = tmp_path / "backup" / "events"
    shutil.copytree(original, copy)  # hdfs dfs -cp -r, say

    with training_run(unique, client=atlas_client, spool=Spool(tmp_path / "s2")) as run:
        run.use(copy, role="train")

    assert "UserBehavior" in classification_names(_path(atlas_client, copy))
    (step,) = _copy_steps(atlas_client, copy)
    assert "file manifest root hash" in step["attributes"]["evidence"]


@pytest.mark.parametrize("switch", ["push option", "config key", "training_run option"])
def test_no_infer_copies_leaves_the_copy_unlinked(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path, switch: str
) -> None:
    original = titanic_copy(tmp_path / "landing" / "passengers.csv", unique)
    train_on(atlas_client, original, f"{unique}-a", tmp_path / "s1", classify=PII)
    copy = tmp_path / "scratch" / "p.csv"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)

    if switch == "push option":
        with training_run(f"{unique}-b", spool=Spool(tmp_path / "s2"), deliver=False) as run:
            run.use(copy, role="train")
        config = atlas_client.config
        connection = ["--url", config.url, "--user", str(config.username)]
        secret = ["--password", str(config.password)]
        spool = ["--spool", str(tmp_path / "s2")]
        outcome = CliRunner().invoke(
            push_command, [*spool, "--no-infer-copies", *connection, *secret]
        )
        assert outcome.exit_code == 0, outcome.output
    elif switch == "config key":
        with AtlasClient(replace(atlas_client.config, infer_copies=False)) as client:
            train_on(client, copy, f"{unique}-b", tmp_path / "s2")
    else:
        train_on(atlas_client, copy, f"{unique}-b", tmp_path / "s2", infer_copies=False)

    assert "PII" not in classification_names(_path(atlas_client, copy))
    assert _copy_steps(atlas_client, copy) == []
